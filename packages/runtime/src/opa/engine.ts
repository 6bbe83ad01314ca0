/**
 * The real-OPA engine: the policies' emitted Rego judged by the `opa` binary. Each
 * `evaluate()` writes the Rego and the batch of resources to a temporary folder and runs ONE
 * `opa eval` that evaluates every policy's `applies` and `findings` against every resource.
 *
 * Which policies apply and who a resource is come from the same functions as the IR engine
 * (match.ts, identity.ts); the Rego's own `applies` must agree, or evaluation fails loudly.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { emitRego, OpaError, runOpa, writeTree } from "@charter/compiler";
import { isCrossResource, type Policy, type PolicyException } from "@charter/ir";
import { inventoriesOf } from "../inventory/judged-with.js";
import type { Engine, Finding, Resource } from "../types.js";
import { batchInventories } from "./inventory-data.js";
import { findingsOfVerdicts, type RegoVerdicts, verdictEntry } from "./verdicts.js";

export interface OpaEngineOptions {
  /** The `opa` binary (see findOpa). */
  readonly opaPath: string;
  /** Policy exceptions, shipped as the Rego target ships them (charter/data.json). */
  readonly exceptions?: readonly PolicyException[];
  /** OPA's clock for exception expiry, in milliseconds since the epoch; default the real one. */
  readonly now?: number;
}

/** One object per resource: dashed policy name → verdict. */
type RegoResults = readonly RegoVerdicts[];

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
  const files = emitRego(policies, { exceptions });
  files.set("charter_engine.rego", engineModule(policies, options.now));

  async function judge(
    resources: readonly Resource[],
    inventories: ReturnType<typeof batchInventories>,
  ): Promise<RegoResults> {
    const folder = await mkdtemp(join(tmpdir(), "charter-opa-"));
    try {
      await writeTree(folder, files);
      const batch = {
        charter_batch: {
          entries: resources.map((resource, index) => ({
            object: resource.object,
            inventory: inventories.entryOf[index],
          })),
          inventories: inventories.data,
        },
      };
      await writeFile(join(folder, "data.json"), JSON.stringify(batch));
      const stdout = await runOpa(options.opaPath, [
        "eval",
        "--format=json",
        "--data",
        folder,
        "data.charter_engine.results",
      ]);
      const output = JSON.parse(stdout) as {
        result?: { expressions: { value: RegoResults }[] }[];
      };
      const value = output.result?.[0]?.expressions[0]?.value;
      if (!Array.isArray(value) || value.length !== resources.length) {
        throw new OpaError(`opa eval gave no verdict for the batch: ${stdout.slice(0, 500)}`);
      }
      return value;
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }

  async function evaluate(resources: readonly Resource[]): Promise<readonly Finding[]> {
    if (resources.length === 0) return [];
    const indexes = inventoriesOf(policies, resources);
    const results = await judge(resources, batchInventories(indexes));
    return findingsOfVerdicts(policies, resources, indexes, results, exceptions);
  }

  return { name: "opa", evaluate };
}
