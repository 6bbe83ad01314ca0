/**
 * The real-OPA engine: the policies' emitted Rego judged by the `opa` binary. Each
 * `evaluate()` writes the Rego and the batch of resources to a temporary folder and runs ONE
 * `opa eval` that evaluates every policy's `applies` and `findings` against every resource.
 *
 * Which policies apply and who a resource is come from the same functions as the IR engine
 * (match.ts, identity.ts); the Rego's own `applies` must agree, or evaluation fails loudly.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { emitRego, regoPackageRef, regoString } from "@charter/compiler";
import { isCrossResource, type Policy } from "@charter/ir";
import { skipReason } from "../evaluate.js";
import { findingOf } from "../finding.js";
import { identityOf } from "../identity.js";
import { inventoriesOf, ruleSkipReason } from "../inventory/judged-with.js";
import { policyApplies } from "../match.js";
import type { Engine, Finding, Resource, Result } from "../types.js";
import { batchInventories } from "./inventory-data.js";
import { OpaError, runOpa } from "./run.js";

export interface OpaEngineOptions {
  /** The `opa` binary (see findOpa). */
  readonly opaPath: string;
}

interface RegoFinding {
  readonly rule: string;
  readonly message: string;
  readonly witness: readonly number[];
}

interface RegoVerdict {
  readonly applies: boolean;
  readonly findings: readonly RegoFinding[];
}

/** One object per resource: dashed policy name → verdict. */
type RegoResults = readonly Readonly<Record<string, RegoVerdict>>[];

/** The query module: every policy's verdict on every object of the batch. */
function engineModule(policies: readonly Policy[]): string {
  const entry = (policy: Policy) => {
    const ref = regoPackageRef(policy);
    return `${regoString(policy.name)}: {"applies": ${ref}.applies, "findings": ${ref}.findings}`;
  };
  // Only policies that read other objects are judged with data.inventory (`with` is not free).
  const entries = policies.filter((policy) => !isCrossResource(policy)).map(entry);
  const crossEntries = policies.filter(isCrossResource).map(entry);
  return `package charter_engine

# Each object is judged with its own scanned set as data.inventory (see inventory-data.ts).
results := [verdicts |
	some entry in data.charter_batch.entries
	inventory := data.charter_batch.inventories[entry.inventory]
	plain := judge with input as entry.object
	cross := judge_cross with input as entry.object with data.inventory as inventory
	verdicts := object.union(plain, cross)
]

judge := {${entries.join(", ")}}

judge_cross := {${crossEntries.join(", ")}}
`;
}

/** Document order of witnesses: element indices compared left to right. */
function byWitness(a: RegoFinding, b: RegoFinding): number {
  const length = Math.min(a.witness.length, b.witness.length);
  for (let i = 0; i < length; i++) {
    const difference = (a.witness[i] as number) - (b.witness[i] as number);
    if (difference !== 0) return difference;
  }
  return a.witness.length - b.witness.length;
}

export function createOpaEngine(policies: readonly Policy[], options: OpaEngineOptions): Engine {
  // Emitting up front turns IR that Rego cannot express into a CharterError at creation.
  const files = emitRego(policies);
  files.set("charter_engine.rego", engineModule(policies));

  async function judge(
    resources: readonly Resource[],
    inventories: ReturnType<typeof batchInventories>,
  ): Promise<RegoResults> {
    const folder = await mkdtemp(join(tmpdir(), "charter-opa-"));
    try {
      for (const [path, text] of files) {
        await mkdir(dirname(join(folder, path)), { recursive: true });
        await writeFile(join(folder, path), text);
      }
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
    const findings: Finding[] = [];
    resources.forEach((resource, resourceIndex) => {
      const identity = identityOf(resource.object);
      const verdicts = results[resourceIndex] ?? {};
      for (const policy of policies) {
        const applies = policyApplies(policy, resource.object);
        const verdict = verdicts[policy.name];
        if (verdict === undefined || verdict.applies !== (applies === "yes")) {
          throw new OpaError(
            `policy "${policy.name}" on resource #${resourceIndex} (${identity.kind} "${identity.name}"): the Rego says applies=${verdict?.applies}, the matcher says "${applies}"; this is a bug in charter; please report it`,
          );
        }
        if (applies === "no") continue;
        const row = (rule: string, result: Result, messages: readonly string[]): Finding =>
          findingOf({ policy, resource, identity, resourceIndex }, rule, result, messages);
        for (const rule of policy.rules) {
          if (applies === "skip") {
            findings.push(row(rule.name, "skip", [skipReason(resource.object, identity)]));
            continue;
          }
          // Identical messages from different witnesses collapse to the first, as in the IR engine.
          const messages = [
            ...new Set(
              verdict.findings
                .filter((finding) => finding.rule === rule.name)
                .sort(byWitness)
                .map((finding) => finding.message),
            ),
          ];
          const skip = ruleSkipReason(rule, resource.object, identity, indexes[resourceIndex]);
          if (skip !== undefined) {
            // In a cluster such a rule must not deny: the Rego must have found nothing.
            if (messages.length > 0) {
              throw new OpaError(
                `policy "${policy.name}", rule "${rule.name}" on resource #${resourceIndex} (${identity.kind} "${identity.name}"): the Rego fails a rule whose Namespace is unknown; this is a bug in charter; please report it`,
              );
            }
            findings.push(row(rule.name, "skip", [skip]));
            continue;
          }
          findings.push(row(rule.name, messages.length > 0 ? "fail" : "pass", messages));
        }
      }
    });
    return findings;
  }

  return { name: "opa", evaluate };
}
