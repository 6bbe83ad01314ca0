/**
 * The `wasm` build target: the Rego target compiled by `opa build -t wasm` with one entrypoint
 * for the aggregate (`charter/violations`) and one per policy
 * (`charter/policies/<name>/violations`), each giving the `{policy, rule, message, severity,
 * enforcement}` violations of the object in `input`.
 */
import type { Policy } from "@charter/ir";
import { emitRego, regoPackageSegment } from "../rego/index.js";
import { type BuildWasmOptions, buildWasm } from "./build-wasm.js";
import { isWasmHostBuiltin } from "./host-builtins.js";

export const WASM_AGGREGATE_ENTRYPOINT = "charter/violations";

/** The entrypoints of `charter build --wasm`, aggregate first, then by policy name. */
export function wasmEntrypoints(policies: readonly Policy[]): string[] {
  const names = policies.map(regoPackageSegment).sort();
  return [WASM_AGGREGATE_ENTRYPOINT, ...names.map((name) => `charter/policies/${name}/violations`)];
}

/**
 * The files of the `wasm` target: `policy.wasm`, `data.json` (hand it to the policy with
 * `setData`) and `manifest.json` (entrypoints by id, and the builtins the host must supply).
 */
export async function emitWasm(
  policies: readonly Policy[],
  options: BuildWasmOptions & {
    /** The policy set's system namespaces, in `data.json` as the Rego target ships them. */
    readonly systemNamespaces?: readonly string[];
  },
): Promise<Map<string, string | Uint8Array>> {
  const entrypoints = wasmEntrypoints(policies);
  const rego = emitRego(policies, { systemNamespaces: options.systemNamespaces ?? [] });
  const built = await buildWasm(rego, entrypoints, options);
  const manifest = {
    entrypoints: Object.fromEntries(entrypoints.map((entrypoint, id) => [entrypoint, id])),
    hostBuiltins: Object.fromEntries(
      built.builtins.map((name) => [
        name,
        isWasmHostBuiltin(name) ? "Go's meaning; charter's WASM engine supplies it" : "opa-wasm",
      ]),
    ),
  };
  return new Map<string, string | Uint8Array>([
    ["data.json", `${JSON.stringify(built.data, null, 2)}\n`],
    ["manifest.json", `${JSON.stringify(manifest, null, 2)}\n`],
    ["policy.wasm", built.wasm],
  ]);
}
