/**
 * The builtins the emitted Rego calls that OPA's WASM runtime and opa-wasm both lack, so a
 * WASM host must supply them with Go's meaning. The wasm target's manifest.json names them;
 * the runtime's WASM engine implements exactly these (runtime/src/wasm/host-builtins.ts).
 */
export const WASM_HOST_BUILTINS = ["hex.encode", "time.now_ns", "time.parse_rfc3339_ns"] as const;

export type WasmHostBuiltin = (typeof WASM_HOST_BUILTINS)[number];

export function isWasmHostBuiltin(name: string): name is WasmHostBuiltin {
  return (WASM_HOST_BUILTINS as readonly string[]).includes(name);
}
