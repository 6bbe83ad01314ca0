/**
 * Runs every policy's own cases on several engines at once — each engine evaluates all cases in
 * one batch — and reports, per policy, every case whose expectation an engine does not meet and
 * every case on which the engines disagree on any rule: its result, or its message (the first
 * witness's — what a report row and an admission denial show; CEL engines give only that one).
 */
import type { Policy, TestCase } from "@charter/ir";
import {
  caseResource,
  type Engine,
  type Finding,
  identityOf,
  inventoryKindsOf,
  type Resource,
} from "@charter/runtime";

interface CaseRun {
  readonly policy: Policy;
  readonly testCase: TestCase;
}

/** What one engine said about one case: the policy's findings for it, by rule. */
type Verdicts = Map<string, Finding>;

export interface PolicyCaseReport {
  readonly policy: Policy;
  /** One line per problem; empty when every case holds on every engine. */
  readonly problems: readonly string[];
  /** Engines that cannot judge this policy (its target cannot express it), with the reason. */
  readonly notOn: readonly { readonly engine: string; readonly reason: string }[];
}

export async function runCases(
  policies: readonly Policy[],
  engines: readonly Engine[],
): Promise<PolicyCaseReport[]> {
  const runs: CaseRun[] = policies.flatMap((policy) =>
    policy.cases.map((testCase) => ({ policy, testCase })),
  );
  // Each case is its own scanned set: the resource and the case's inventory, never other cases.
  const kinds = inventoryKindsOf(policies);
  const resources: Resource[] = runs.map(({ testCase }) => caseResource(testCase, kinds));
  const answers = await Promise.all(engines.map((engine) => verdictsOf(engine, runs, resources)));

  const reports: PolicyCaseReport[] = [];
  for (const policy of policies) {
    const problems: string[] = [];
    const notOn = engines.flatMap((engine) => {
      const reason = engine.unjudgeable?.get(policy.name);
      return reason === undefined ? [] : [{ engine: engine.name, reason }];
    });
    const judging = engines.flatMap((engine, e) =>
      engine.unjudgeable?.has(policy.name) ? [] : [{ engine, answer: answers[e] ?? [] }],
    );
    policy.cases.forEach((testCase) => {
      const index = runs.findIndex((run) => run.testCase === testCase && run.policy === policy);
      judging.forEach(({ engine, answer }) => {
        const verdicts = answer[index] ?? new Map();
        const problem = expectationProblem(policy, testCase, verdicts);
        if (problem)
          problems.push(`${testCase.expect}/${testCase.name} [${engine.name}]: ${problem}`);
      });
      const disagreement = disagreementOf(
        judging.map(({ engine }) => engine),
        judging.map(({ answer }) => answer[index] ?? new Map()),
      );
      if (disagreement) {
        const { kind, namespace, name } = identityOf(testCase.resource);
        const resource = `${kind} ${namespace ? `${namespace}/` : ""}${name}`;
        problems.push(
          `${testCase.expect}/${testCase.name} (${resource}): engines disagree: ${disagreement}`,
        );
      }
    });
    reports.push({ policy, problems, notOn });
  }
  return reports;
}

async function verdictsOf(
  engine: Engine,
  runs: readonly CaseRun[],
  resources: readonly Resource[],
): Promise<Verdicts[]> {
  const verdicts = runs.map((): Verdicts => new Map());
  for (const finding of await engine.evaluate(resources)) {
    const run = runs[finding.resourceIndex];
    if (run && finding.policy === run.policy.name)
      verdicts[finding.resourceIndex]?.set(finding.rule, finding);
  }
  return verdicts;
}

/** Why a case's expectation is not met by one engine's verdicts, or undefined when it is. */
function expectationProblem(
  policy: Policy,
  testCase: TestCase,
  verdicts: Verdicts,
): string | undefined {
  if (verdicts.size === 0)
    return "the policy does not apply to this resource (check its kind and namespace)";
  const errors = [...verdicts.values()].filter((f) => f.result === "error");
  if (errors.length)
    return `evaluation error: ${errors.map((f) => `${f.rule}: ${f.message}`).join("; ")}`;
  const failing = [...verdicts.values()].filter((f) => f.result === "fail").map((f) => f.rule);
  if (testCase.expect === "pass") {
    return failing.length
      ? `expected to pass, but ${failing.map((r) => `${r} failed ("${verdicts.get(r)?.message}")`).join(", ")}`
      : undefined;
  }
  const wanted = testCase.rules ?? [];
  const unknown = wanted.filter((rule) => !policy.rules.some((r) => r.name === rule));
  if (unknown.length) return `names rules the policy does not have: ${unknown.join(", ")}`;
  if (wanted.length === 0)
    return failing.length ? undefined : "expected to fail, but every rule passed";
  const missing = wanted.filter((rule) => !failing.includes(rule));
  return missing.length
    ? `expected ${missing.join(", ")} to fail, but ${missing.length > 1 ? "they" : "it"} passed`
    : undefined;
}

/** The first rule on which the engines' answers differ (result or message), described. */
function disagreementOf(
  engines: readonly Engine[],
  verdicts: readonly Verdicts[],
): string | undefined {
  if (engines.length < 2) return undefined;
  const rules = new Set(verdicts.flatMap((v) => [...v.keys()]));
  for (const rule of [...rules].sort()) {
    const answers = verdicts.map((v) => {
      const f = v.get(rule);
      return f
        ? `${f.result}${f.result === "pass" ? "" : ` ${JSON.stringify(f.message)}`}`
        : "not applied";
    });
    if (new Set(answers).size > 1) {
      return `rule ${rule}: ${engines.map((engine, i) => `${engine.name}=${answers[i]}`).join("  ")}`;
    }
  }
  return undefined;
}
