/**
 * The WASM engine: the policies' emitted Rego compiled once with `opa build -t wasm` and
 * judged in-process by `@open-policy-agent/opa-wasm`. The rows come from the same code as the
 * real-OPA engine (opa/verdicts.ts), so the two differ only in how the Rego runs.
 *
 * Cross-resource reads: a WASM policy has one `data` at a time, so the batch is judged group
 * by group, each group the resources sharing one scanned set, with that set's Gatekeeper
 * layout as `data.inventory` (opa/inventory-data.ts), exactly as the opa engine's `with`.
 */
import { buildWasm, emitRego, OpaError } from "@charter/compiler";
import type { Policy, PolicyException } from "@charter/ir";
import type { LoadedPolicy } from "@open-policy-agent/opa-wasm";
import { inventoriesOf } from "../inventory/judged-with.js";
import { batchInventories } from "../opa/inventory-data.js";
import { findingsOfVerdicts, type RegoVerdicts, verdictEntry } from "../opa/verdicts.js";
import { regoInputOf } from "../request-value.js";
import type { Engine, Finding, Resource } from "../types.js";
import { loadCompiledPolicy, unsupportedBuiltins } from "./host-builtins.js";

export interface WasmEngineOptions {
  /** The `opa` binary that compiles the Rego (see findOpa); evaluation needs no binary. */
  readonly opaPath: string;
  /** Policy exceptions, shipped as the Rego target ships them (charter/data.json). */
  readonly exceptions?: readonly PolicyException[];
  /** The clock exceptions expire by, in milliseconds since the epoch; default the real one. */
  readonly now?: number;
  /** The policy set's system namespaces, in charter/data.json as the Rego target ships them. */
  readonly systemNamespaces?: readonly string[];
}

/** The one entrypoint the engine evaluates: every policy's verdict on `input`. */
export const WASM_ENGINE_ENTRYPOINT = "charter_wasm/verdicts";

function entryModule(policies: readonly Policy[]): string {
  return `package charter_wasm

# data.inventory is the scanned set of the object in input (set with setData per group).
verdicts := {${policies.map(verdictEntry).join(", ")}}
`;
}

/** opa-wasm throws plain objects and strings (opa_abort): make them errors that say where. */
function run(evaluate: () => unknown): { result?: RegoVerdicts }[] | undefined {
  try {
    return evaluate() as { result?: RegoVerdicts }[] | undefined;
  } catch (error) {
    const message =
      error instanceof Error
        ? error.message
        : typeof error === "object" && error !== null && "message" in error
          ? String(error.message)
          : String(error);
    throw new OpaError(`the WASM policy failed: ${message}`);
  }
}

interface Loaded {
  readonly policy: LoadedPolicy;
  readonly data: Readonly<Record<string, unknown>>;
}

export function createWasmEngine(policies: readonly Policy[], options: WasmEngineOptions): Engine {
  // Emitting up front turns IR that Rego cannot express into a CharterError at creation.
  const exceptions = options.exceptions ?? [];
  const systemNamespaces = options.systemNamespaces ?? [];
  const files = emitRego(policies, { exceptions, systemNamespaces });
  files.set("charter_wasm.rego", entryModule(policies));
  let loaded: Promise<Loaded> | undefined;

  async function load(): Promise<Loaded> {
    const built = await buildWasm(files, [WASM_ENGINE_ENTRYPOINT], options);
    const missing = unsupportedBuiltins(built.builtins);
    if (missing.length > 0) {
      throw new OpaError(
        `the emitted Rego calls builtins that no WASM host here implements: ${missing.join(", ")}; this is a bug in charter; please report it`,
      );
    }
    return { policy: await loadCompiledPolicy(built.wasm, options.now), data: built.data };
  }

  async function evaluate(resources: readonly Resource[]): Promise<readonly Finding[]> {
    if (resources.length === 0) return [];
    loaded ??= load();
    const { policy, data } = await loaded;
    const indexes = inventoriesOf(policies, resources);
    const inventories = batchInventories(indexes);
    const groups = new Map<number, number[]>();
    inventories.entryOf.forEach((entry, resource) => {
      const group = groups.get(entry);
      if (group) group.push(resource);
      else groups.set(entry, [resource]);
    });
    // No await from here on: setData and evaluate of one batch are never interleaved.
    const results: RegoVerdicts[] = new Array(resources.length);
    for (const [entry, members] of groups) {
      policy.setData({ ...data, inventory: inventories.data[entry] });
      for (const index of members) {
        const resource = resources[index] as Resource;
        const output = run(() => policy.evaluate(regoInputOf(resource), WASM_ENGINE_ENTRYPOINT));
        const verdicts = output?.[0]?.result;
        if (verdicts === undefined || verdicts === null || typeof verdicts !== "object") {
          throw new OpaError(
            `the WASM policy gave no verdict for resource #${index}; this is a bug in charter; please report it`,
          );
        }
        results[index] = verdicts;
      }
    }
    return findingsOfVerdicts(policies, resources, indexes, results, {
      exceptions,
      systemNamespaces,
    });
  }

  return { name: "wasm", evaluate };
}
