/**
 * The Gatekeeper engine: the emitted ConstraintTemplates' Rego judged by the real `opa`
 * binary, each template given Gatekeeper's input (`{review: {object, kind, namespace,
 * operation: "CREATE", …}, parameters}`) with its Constraint's parameters. Each `evaluate()`
 * writes the templates, their lib and the batch to a temporary folder and runs ONE `opa eval`.
 *
 * What is judged is read back from the emitted YAML (the template's `code` block and the
 * Constraint), not from the IR, so the files a cluster would get are the files on trial. The
 * Constraint's match must select exactly the objects `policyApplies` selects, and the Rego's
 * own `applies` must agree too; any difference fails loudly as a bug.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { emitGatekeeper, gatekeeperPackage, OpaError, regoString, runOpa } from "@charter/compiler";
import { isCrossResource, type Json, type Policy, type PolicyException } from "@charter/ir";
import { parse } from "yaml";
import { skipReason } from "../evaluate.js";
import { excused } from "../exceptions/apply.js";
import { findingOf } from "../finding.js";
import { identityOf } from "../identity.js";
import { inventoriesOf, ruleSkipReason } from "../inventory/judged-with.js";
import { policyApplies } from "../match.js";
import { type BatchInventories, batchInventories } from "../opa/inventory-data.js";
import type { Engine, Finding, Resource, Result } from "../types.js";
import { isObject } from "../value.js";
import { constraintMatches } from "./match.js";
import { admissionReview } from "./review.js";

export interface GatekeeperEngineOptions {
  /** The `opa` binary (see findOpa). */
  readonly opaPath: string;
  /** Policy exceptions, in the Constraints' parameters as the target ships them. */
  readonly exceptions?: readonly PolicyException[];
  /** Gatekeeper's clock for exception expiry, in milliseconds since the epoch. */
  readonly now?: number;
}

/** What the engine reads back from one policy's emitted template and Constraint. */
interface EmittedPolicy {
  readonly policy: Policy;
  readonly rego: string;
  readonly libs: readonly string[];
  readonly parameters: Json;
  readonly match: Json | undefined;
}

interface Violation {
  readonly msg: string;
  readonly details: { readonly rule: string; readonly witness: readonly number[] };
}

interface Verdict {
  readonly applies: boolean;
  readonly violations: readonly Violation[];
  /** Rule → the exceptions excusing the object from it (the template's `excused`). */
  readonly excused?: Readonly<Record<string, readonly string[]>>;
}

/** One object per resource: dashed policy name → verdict. */
type Verdicts = readonly Readonly<Record<string, Verdict>>[];

function field(value: Json | undefined, ...path: string[]): Json | undefined {
  let current = value;
  for (const key of path) current = isObject(current) ? current[key] : undefined;
  return current;
}

function readEmitted(
  policies: readonly Policy[],
  exceptions: readonly PolicyException[],
): EmittedPolicy[] {
  const files = emitGatekeeper(policies, { engine: "rego", exceptions });
  return policies.map((policy) => {
    const template = parse(files.get(`${policy.name}/template.yaml`) ?? "") as Json;
    const constraint = parse(files.get(`${policy.name}/constraint.yaml`) ?? "") as Json;
    const targets = field(template, "spec", "targets");
    const code = Array.isArray(targets) ? field(targets[0], "code") : undefined;
    const source = Array.isArray(code) ? field(code[0], "source") : undefined;
    const rego = field(source, "rego");
    const libs = field(source, "libs");
    if (typeof rego !== "string" || !Array.isArray(libs)) {
      throw new OpaError(
        `the Gatekeeper template of "${policy.name}" carries no Rego; this is a bug in charter`,
      );
    }
    return {
      policy,
      rego,
      libs: libs.filter((lib): lib is string => typeof lib === "string"),
      parameters: field(constraint, "spec", "parameters") ?? {},
      match: field(constraint, "spec", "match"),
    };
  });
}

/** The query module: every template's verdict on every review of the batch. */
function engineModule(emitted: readonly EmittedPolicy[], now: number | undefined): string {
  const verdicts = emitted.map(({ policy }, index) => {
    const ref = `data.${gatekeeperPackage(policy)}`;
    return `verdict_${index} := {"applies": ${ref}.applies, "violations": ${ref}.violation, "excused": ${ref}.excused}`;
  });
  // The clock exceptions expire by: time.now_ns mocked to the engine's, when one is given.
  const clock = now === undefined ? "" : ` with time.now_ns as ${BigInt(now) * 1_000_000n}`;
  const body = emitted.map(
    ({ policy }, index) =>
      // Only templates that read other objects get data.inventory (`with` is not free).
      `v_${index} := verdict_${index} with input as {"review": entry.review, "parameters": data.charter_batch.parameters[${regoString(policy.name)}]}${isCrossResource(policy) ? " with data.inventory as inventory" : ""}${clock}`,
  );
  const entries = emitted.map(({ policy }, index) => `${regoString(policy.name)}: v_${index}`);
  return `package charter_gatekeeper_engine

${verdicts.join("\n\n")}

# Each review is judged with its own scanned set as data.inventory, as Gatekeeper syncs it.
results := [verdicts |
\tsome entry in data.charter_batch.entries
\tinventory := data.charter_batch.inventories[entry.inventory]
${body.map((line) => `\t${line}\n`).join("")}\tverdicts := {${entries.join(", ")}}
]
`;
}

/** Document order of witnesses: element indices compared left to right. */
function byWitness(a: Violation, b: Violation): number {
  const [x, y] = [a.details.witness, b.details.witness];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const difference = (x[i] as number) - (y[i] as number);
    if (difference !== 0) return difference;
  }
  return x.length - y.length;
}

export function createGatekeeperEngine(
  policies: readonly Policy[],
  options: GatekeeperEngineOptions,
): Engine {
  // Emitting up front turns IR Gatekeeper cannot express into a CharterError at creation.
  const exceptions = options.exceptions ?? [];
  const emitted = readEmitted(policies, exceptions);
  const files = new Map<string, string>();
  // Every template ships the same lib; OPA loads one copy (two would conflict).
  for (const [index, { libs }] of emitted.entries()) {
    for (const [n, lib] of libs.entries()) {
      const known = [...files.values()].includes(lib);
      if (!known) files.set(`lib/lib_${index}_${n}.rego`, lib);
    }
  }
  for (const { policy, rego } of emitted) files.set(`templates/${policy.name}.rego`, rego);
  files.set("engine.rego", engineModule(emitted, options.now));

  async function judge(
    resources: readonly Resource[],
    inventories: BatchInventories,
  ): Promise<Verdicts> {
    const folder = await mkdtemp(join(tmpdir(), "charter-gatekeeper-"));
    try {
      await mkdir(join(folder, "lib"));
      await mkdir(join(folder, "templates"));
      for (const [path, text] of files) await writeFile(join(folder, path), text);
      const batch = {
        charter_batch: {
          entries: resources.map((resource, index) => ({
            review: admissionReview(resource.object),
            inventory: inventories.entryOf[index],
          })),
          inventories: inventories.data,
          parameters: Object.fromEntries(emitted.map((e) => [e.policy.name, e.parameters])),
        },
      };
      await writeFile(join(folder, "data.json"), JSON.stringify(batch));
      const stdout = await runOpa(options.opaPath, [
        "eval",
        "--format=json",
        "--data",
        folder,
        "data.charter_gatekeeper_engine.results",
      ]);
      const output = JSON.parse(stdout) as { result?: { expressions: { value: Verdicts }[] }[] };
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
      for (const { policy, match } of emitted) {
        const applies = policyApplies(policy, resource.object);
        const matched = constraintMatches(match, resource.object);
        const verdict = verdicts[policy.name];
        const where = `policy "${policy.name}" on resource #${resourceIndex} (${identity.kind} "${identity.name}")`;
        if (matched !== (applies !== "no")) {
          throw new OpaError(
            `${where}: the Constraint's match says ${matched}, the matcher says "${applies}"; this is a bug in charter; please report it`,
          );
        }
        if (verdict === undefined || verdict.applies !== (applies === "yes")) {
          throw new OpaError(
            `${where}: the template's Rego says applies=${verdict?.applies}, the matcher says "${applies}"; this is a bug in charter; please report it`,
          );
        }
        if (!matched) continue;
        // A rule the template's exceptions excuse is a skip naming the first of them.
        const row = (rule: string, result: Result, messages: readonly string[]): Finding => {
          const finding = findingOf(
            { policy, resource, identity, resourceIndex },
            rule,
            result,
            messages,
          );
          const name = verdict.excused?.[rule]?.[0];
          const exception = exceptions.find((e) => e.name === name);
          if (name !== undefined && exception === undefined) {
            throw new OpaError(
              `${where}: the template names an unknown exception "${name}"; this is a bug in charter`,
            );
          }
          return exception ? excused(finding, exception) : finding;
        };
        for (const rule of policy.rules) {
          if (applies === "skip") {
            findings.push(row(rule.name, "skip", [skipReason(resource.object, identity)]));
            continue;
          }
          // Identical messages from different witnesses collapse to the first, as in the IR engine.
          const messages = [
            ...new Set(
              verdict.violations
                .filter((violation) => violation.details.rule === rule.name)
                .sort(byWitness)
                .map((violation) => violation.msg),
            ),
          ];
          const skip = ruleSkipReason(rule, resource.object, identity, indexes[resourceIndex]);
          if (skip !== undefined) {
            // In a cluster such a rule must not deny: the template must have found nothing.
            if (messages.length > 0) {
              throw new OpaError(
                `${where}, rule "${rule.name}": the template denies though the Namespace is unknown; this is a bug in charter; please report it`,
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

  return { name: "gatekeeper", evaluate };
}
