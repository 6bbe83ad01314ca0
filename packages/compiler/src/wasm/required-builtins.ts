/**
 * Reads which builtins a policy.wasm expects its host to supply, without running the policy:
 * `opa build -t wasm` compiles most builtins in, and lists the rest in an exported map.
 */
/** The part of the WebAssembly global used here (the lib in tsconfig has no DOM types). */
interface WebAssemblyApi {
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer };
  instantiate(
    bytes: Uint8Array,
    imports: Record<string, Record<string, unknown>>,
  ): Promise<{ instance: { exports: unknown } }>;
}
const wasmApi = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/**
 * The builtins a policy.wasm imports from its host (its exported `builtins()` map), read by
 * instantiating it with inert imports: no policy code runs.
 */
export async function requiredBuiltins(wasm: Uint8Array): Promise<string[]> {
  const memory = new wasmApi.Memory({ initial: 5 });
  const inert = () => {
    throw new Error("a builtin was called while listing the builtins");
  };
  const { instance } = await wasmApi.instantiate(wasm, {
    env: {
      memory,
      opa_abort: inert,
      opa_println: () => {},
      opa_builtin0: inert,
      opa_builtin1: inert,
      opa_builtin2: inert,
      opa_builtin3: inert,
      opa_builtin4: inert,
    },
  });
  const exports = instance.exports as {
    builtins: () => number;
    opa_json_dump: (address: number) => number;
  };
  const start = exports.opa_json_dump(exports.builtins());
  const bytes = new Uint8Array(memory.buffer);
  const end = bytes.indexOf(0, start);
  const map = JSON.parse(Buffer.from(bytes.subarray(start, end)).toString("utf8")) as Record<
    string,
    number
  >;
  return Object.keys(map).sort();
}
