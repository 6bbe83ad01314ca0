/**
 * The real-OPA engine: the policies' emitted Rego judged by the `opa` binary. Each
 * `evaluate()` runs ONE `opa eval` (batch.ts) that evaluates every policy's `applies` and
 * `findings` against every resource.
 *
 * Which policies apply and who a resource is come from the same functions as the IR engine
 * (match.ts, identity.ts); the Rego's own `applies` must agree, or evaluation fails loudly.
 */
import { emitRego } from "@charter/compiler";
import { isCrossResource, type Policy, type PolicyException } from "@charter/ir";
import { regoInputOf } from "../request-value.js";
import type { Engine, Finding, Resource } from "../types.js";
import { judgeBatch, type OpaBatch } from "./batch.js";
import { findingsOfVerdicts, type RegoVerdicts, verdictEntry } from "./verdicts.js";

export interface OpaEngineOptions {
  /** The `opa` binary (see findOpa). */
  readonly opaPath: string;
  /** Policy exceptions, shipped as the Rego target ships them (charter/data.json). */
  readonly exceptions?: readonly PolicyException[];
  /** OPA's clock for exception expiry, in milliseconds since the epoch; default the real one. */
  readonly now?: number;
  /**
   * The policy set's system namespaces, shipped as the Rego target ships them
   * (`data.charter.systemNamespaces`): the Rego's `applies` leaves their objects out, and the
   * rows are skips. None by default.
   */
  readonly systemNamespaces?: readonly string[];
}

/** The query module: every policy's verdict on every object of the batch. */
function engineModule(policies: readonly Policy[], now: number | undefined): string {
  // The clock exceptions expire by: time.now_ns mocked to the engine's, when one is given.
  const clock = now === undefined ? "" : ` with time.now_ns as ${BigInt(now) * 1_000_000n}`;
  // Only policies that read other objects are judged with data.inventory (`with` is not free).
  const entries = policies.filter((policy) => !isCrossResource(policy)).map(verdictEntry);
  const crossEntries = policies.filter(isCrossResource).map(verdictEntry);
  return `package charter_engine

# Each object is judged with its own scanned set as data.inventory (see inventory-data.ts).
results := [verdicts |
	some entry in data.charter_batch.entries
	inventory := data.charter_batch.inventories[entry.inventory]
	plain := judge with input as entry.object${clock}
	cross := judge_cross with input as entry.object with data.inventory as inventory${clock}
	verdicts := object.union(plain, cross)
]

judge := {${entries.join(", ")}}

judge_cross := {${crossEntries.join(", ")}}
`;
}

export function createOpaEngine(policies: readonly Policy[], options: OpaEngineOptions): Engine {
  // Emitting up front turns IR that Rego cannot express into a CharterError at creation.
  const exceptions = options.exceptions ?? [];
  const systemNamespaces = options.systemNamespaces ?? [];
  const files = emitRego(policies, { exceptions, systemNamespaces });
  files.set("charter_engine.rego", engineModule(policies, options.now));

  const batch: OpaBatch = {
    opaPath: options.opaPath,
    modules: files,
    query: "data.charter_engine.results",
    folderPrefix: "charter-opa-",
  };

  async function evaluate(resources: readonly Resource[]): Promise<readonly Finding[]> {
    if (resources.length === 0) return [];
    const { verdicts, indexes } = await judgeBatch<RegoVerdicts>(
      batch,
      policies,
      resources,
      (resource) => ({ object: regoInputOf(resource) }),
    );
    return findingsOfVerdicts(policies, resources, indexes, verdicts, {
      exceptions,
      systemNamespaces,
    });
  }

  return { name: "opa", evaluate };
}
