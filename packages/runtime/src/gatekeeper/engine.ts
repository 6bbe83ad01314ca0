/**
 * The Gatekeeper engine: the emitted ConstraintTemplates' Rego judged by the real `opa`
 * binary, each template given Gatekeeper's input (`{review: {object, kind, namespace,
 * operation: "CREATE", …}, parameters}`) with its Constraint's parameters. Each `evaluate()`
 * runs ONE `opa eval` over the templates, their lib and the batch (opa/batch.ts), and the
 * verdicts become rows as the plain Rego's do (opa/verdicts.ts).
 *
 * What is judged is read back from the emitted YAML (the template's `code` block and the
 * Constraint), not from the IR, so the files a cluster would get are the files on trial. The
 * Constraint's match must select exactly the objects `policyApplies` selects (the system
 * namespaces left out by its `excludedNamespaces`; a policy matching Namespaces with its own
 * namespace filter has that filter in the Rego alone, see the compiler's gatekeeper/match.ts),
 * and the Rego's own `applies` must agree too; any difference fails loudly as a bug.
 */
import { emitGatekeeper, gatekeeperPackage, OpaError, regoString } from "@charter/compiler";
import {
  isCrossResource,
  type Json,
  operationsOf,
  type Policy,
  type PolicyException,
} from "@charter/ir";
import { parse } from "yaml";
import { identityOf } from "../identity.js";
import { policyApplies } from "../match.js";
import { judgeBatch, type OpaBatch } from "../opa/batch.js";
import { findingsOfVerdicts, type RegoVerdicts } from "../opa/verdicts.js";
import type { Engine, Finding, Resource } from "../types.js";
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
  /**
   * The policy set's system namespaces, in every Constraint's `excludedNamespaces` as the
   * target ships them; their objects' rows are skips. None by default.
   */
  readonly systemNamespaces?: readonly string[];
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

/** Dashed policy name → verdict, for one review. */
type Verdicts = Readonly<Record<string, Verdict>>;

/** A template's verdict in the plain Rego's shape: its violations are the rule's findings. */
function asRegoVerdicts(verdicts: Verdicts): RegoVerdicts {
  return Object.fromEntries(
    Object.entries(verdicts).map(([policy, { applies, violations, excused }]) => [
      policy,
      {
        applies,
        findings: violations.map(({ msg, details }) => ({
          rule: details.rule,
          message: msg,
          witness: details.witness,
        })),
        ...(excused !== undefined ? { excused } : {}),
      },
    ]),
  );
}

function field(value: Json | undefined, ...path: string[]): Json | undefined {
  let current = value;
  for (const key of path) current = isObject(current) ? current[key] : undefined;
  return current;
}

function readEmitted(
  policies: readonly Policy[],
  exceptions: readonly PolicyException[],
  systemNamespaces: readonly string[],
): EmittedPolicy[] {
  const files = emitGatekeeper(policies, { engine: "rego", exceptions, systemNamespaces });
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

/**
 * The Constraint's match must select exactly what the matcher concerns itself with: every
 * object the policy judges or skips for want of a template, none it leaves alone or finds in
 * a system namespace. For a policy matching Namespaces the Constraint carries no namespace
 * filter of the policy's own (Gatekeeper would read a Namespace by its name), so the matcher
 * is asked without it there.
 */
function checkSelection(
  policies: readonly Policy[],
  resources: readonly Resource[],
  constraintMatch: ReadonlyMap<string, Json | undefined>,
  systemNamespaces: readonly string[],
): void {
  const native = policies.map((policy) =>
    matchesNamespaces(policy)
      ? ({ ...policy, match: { ...policy.match, namespaces: undefined } } as Policy)
      : policy,
  );
  resources.forEach((resource, resourceIndex) => {
    native.forEach((policy) => {
      const selected = constraintMatches(constraintMatch.get(policy.name), resource.object);
      // A Constraint's match knows no operations (the template's Rego tests them): ask the
      // matcher in one the policy judges.
      const applies = policyApplies(
        policy,
        resource.object,
        systemNamespaces,
        operationsOf(policy.match)[0],
      );
      if (selected !== (applies === "yes" || applies === "skip")) {
        const { kind, name } = identityOf(resource.object);
        throw new OpaError(
          `policy "${policy.name}" on resource #${resourceIndex} (${kind} "${name}"): the Constraint's match says ${selected}, the matcher says "${applies}"; this is a bug in charter; please report it`,
        );
      }
    });
  });
}

function matchesNamespaces(policy: Policy): boolean {
  const { match } = policy;
  return (
    match.subject === "kinds" && match.kinds.some((k) => k.group === "" && k.kind === "Namespace")
  );
}

export function createGatekeeperEngine(
  policies: readonly Policy[],
  options: GatekeeperEngineOptions,
): Engine {
  // Emitting up front turns IR Gatekeeper cannot express into a CharterError at creation.
  const exceptions = options.exceptions ?? [];
  const systemNamespaces = options.systemNamespaces ?? [];
  const emitted = readEmitted(policies, exceptions, systemNamespaces);
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

  const batch: OpaBatch = {
    opaPath: options.opaPath,
    modules: files,
    query: "data.charter_gatekeeper_engine.results",
    folderPrefix: "charter-gatekeeper-",
  };
  const parameters = Object.fromEntries(emitted.map((e) => [e.policy.name, e.parameters]));
  const constraintMatch = new Map(emitted.map(({ policy, match }) => [policy.name, match]));

  async function evaluate(resources: readonly Resource[]): Promise<readonly Finding[]> {
    if (resources.length === 0) return [];
    const { verdicts, indexes } = await judgeBatch<Verdicts>(
      batch,
      policies,
      resources,
      (resource) => ({ review: admissionReview(resource.object, resource.request) }),
      { parameters },
    );
    checkSelection(policies, resources, constraintMatch, systemNamespaces);
    return findingsOfVerdicts(policies, resources, indexes, verdicts.map(asRegoVerdicts), {
      exceptions,
      systemNamespaces,
      // The template's Rego leaves the system namespaces to the Constraint.
      regoSkipsSystemNamespaces: false,
      regoTestsDefaultOperations: false,
    });
  }

  return { name: "gatekeeper", evaluate };
}
