/**
 * Builtins a compiled policy calls back into its host for. OPA's WASM runtime implements most
 * builtins itself; the ones it does not are imported, and opa-wasm supplies a few of those in
 * JavaScript. The emitted Rego also needs `hex.encode` (lib.rego bounds a message by its UTF-8
 * length with it), which opa-wasm lacks: we supply it with Go's meaning.
 */
import type { WasmHostBuiltin } from "@charter/compiler";
import { type LoadedPolicy, loadPolicy } from "@open-policy-agent/opa-wasm";

/** What @open-policy-agent/opa-wasm 1.10.0 implements itself (src/builtins/). */
const OPA_WASM_BUILTINS = [
  "json.is_valid",
  "regex.split",
  "sprintf",
  "yaml.is_valid",
  "yaml.marshal",
  "yaml.unmarshal",
];

/**
 * Ours, passed to loadPolicy as custom builtins. The clock builtins serve exception expiry
 * (lib.rego's exception_covers); nanoseconds travel as JSON numbers, so both sides of the
 * comparison are rounded alike (to about a quarter of a microsecond). Keyed by the compiler's
 * list of the builtins the emitted Rego needs from its host, so the two cannot drift apart.
 */
function hostBuiltins(now: () => number): Record<WasmHostBuiltin, (...args: never[]) => unknown> {
  return {
    // Go: the lowercase hex of the string's UTF-8 bytes.
    "hex.encode": (text: string) => Buffer.from(text, "utf8").toString("hex"),
    "time.now_ns": () => now() * 1_000_000,
    "time.parse_rfc3339_ns": (text: string) => {
      const ms = Date.parse(text);
      if (Number.isNaN(ms)) throw new Error(`time.parse_rfc3339_ns: not RFC 3339: ${text}`);
      return ms * 1_000_000;
    },
  };
}

export const HOST_BUILTINS: Readonly<Record<string, (...args: never[]) => unknown>> = hostBuiltins(
  () => Date.now(),
);

/**
 * Loads a compiled policy (policy.wasm of `charter build --wasm`) with the host builtins;
 * `now` (milliseconds since the epoch) fixes the clock exceptions expire by.
 */
export function loadCompiledPolicy(wasm: Uint8Array, now?: number): Promise<LoadedPolicy> {
  return loadPolicy(wasm, undefined, now === undefined ? HOST_BUILTINS : hostBuiltins(() => now));
}

/** The builtins of `required` that nobody on the host implements. */
export function unsupportedBuiltins(required: readonly string[]): string[] {
  return required.filter((name) => !OPA_WASM_BUILTINS.includes(name) && !(name in HOST_BUILTINS));
}
