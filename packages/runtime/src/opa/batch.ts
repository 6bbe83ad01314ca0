/**
 * One `opa eval` per batch, shared by the engines that judge emitted Rego with the `opa` binary
 * (`opa`, `gatekeeper`): the modules and the batch written to a temporary folder, one query
 * whose value is a list of verdicts, one per resource, in the batch's order.
 *
 * The batch is `data.charter_batch`: `entries` (what each resource is judged as, and which of
 * `inventories` is its scanned set; see inventory-data.ts) plus whatever else an engine's query
 * reads (Gatekeeper's Constraint parameters).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OpaError, runOpa, writeTree } from "@charter/compiler";
import type { Json, Policy } from "@charter/ir";
import type { InventoryIndex } from "../inventory/inventory-index.js";
import { inventoriesOf } from "../inventory/judged-with.js";
import type { Resource } from "../types.js";
import { batchInventories } from "./inventory-data.js";

export interface OpaBatch {
  /** The `opa` binary (see findOpa). */
  readonly opaPath: string;
  /** The Rego modules (relative path → text): the emitted policies and the query's module. */
  readonly modules: ReadonlyMap<string, string>;
  /** The query giving one verdict per entry, e.g. `data.charter_engine.results`. */
  readonly query: string;
  /** How the temporary folder is named (`charter-opa-…`), to tell engines apart in /tmp. */
  readonly folderPrefix: string;
}

/** A batch's verdicts, with the scanned set each resource was judged with. */
export interface JudgedBatch<Verdict> {
  readonly verdicts: readonly Verdict[];
  readonly indexes: readonly (InventoryIndex | undefined)[];
}

/**
 * Judges the resources in one `opa eval`. `entryOf` gives what the query reads for a resource
 * (`{object}`, Gatekeeper's `{review}`); `extra` is added beside the entries.
 */
export async function judgeBatch<Verdict>(
  batch: OpaBatch,
  policies: readonly Policy[],
  resources: readonly Resource[],
  entryOf: (resource: Resource) => Readonly<Record<string, Json>>,
  extra: Readonly<Record<string, Json>> = {},
): Promise<JudgedBatch<Verdict>> {
  const indexes = inventoriesOf(policies, resources);
  const inventories = batchInventories(indexes);
  const folder = await mkdtemp(join(tmpdir(), batch.folderPrefix));
  try {
    await writeTree(folder, batch.modules);
    const data = {
      charter_batch: {
        entries: resources.map((resource, index) => ({
          ...entryOf(resource),
          inventory: inventories.entryOf[index],
        })),
        inventories: inventories.data,
        ...extra,
      },
    };
    await writeFile(join(folder, "data.json"), JSON.stringify(data));
    const stdout = await runOpa(batch.opaPath, [
      "eval",
      "--format=json",
      "--data",
      folder,
      batch.query,
    ]);
    const output = JSON.parse(stdout) as { result?: { expressions: { value: Verdict[] }[] }[] };
    const verdicts = output.result?.[0]?.expressions[0]?.value;
    if (!Array.isArray(verdicts) || verdicts.length !== resources.length) {
      throw new OpaError(`opa eval gave no verdict for the batch: ${stdout.slice(0, 500)}`);
    }
    return { verdicts, indexes };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
