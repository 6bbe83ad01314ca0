/**
 * Runs every policy's own cases on several engines at once — each engine evaluates all cases in
 * one batch — and reports, per policy, every case whose expectation an engine does not meet and
 * every case on which the engines disagree on any rule: its result, or its message (the first
 * witness's — what a report row and an admission denial show; CEL engines give only that one).
 */
import {
  CharterError,
  type Policy,
  ruleNamesOf,
  type SourceLocation,
  type TestCase,
  withParams,
} from "@charter/ir";
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
  /**
   * One line per problem; empty when every case holds on every engine. A problem several
   * engines share is one line naming them all, and every line names where the case is.
   */
  readonly problems: readonly string[];
  /** Engines that cannot judge this policy (its target cannot express it), with the reason. */
  readonly notOn: readonly { readonly engine: string; readonly reason: string }[];
}

/** The engines for a set of policies (cases with their own `params` need their own engines). */
export type EnginesFor = (policies: readonly Policy[]) => readonly Engine[];

export interface CaseRunOptions {
  /** How a case's place is written (default `file:line`). */
  readonly where?: (source: SourceLocation) => string;
}

/**
 * Runs the cases. Each case runs with the policy's parameters as given (for `charter test`,
 * the defaults) overlaid by the case's own `params`: cases sharing parameter values share one
 * engine batch. `engines` may be the engines for `policies`, or a function making them.
 */
export async function runCases(
  policies: readonly Policy[],
  engines: readonly Engine[] | EnginesFor,
  options: CaseRunOptions = {},
): Promise<PolicyCaseReport[]> {
  const where = options.where ?? ((s: SourceLocation) => `${s.file}:${s.line}`);
  const enginesFor: EnginesFor =
    typeof engines === "function"
      ? engines
      : (set) => {
          if (set === policies) return engines;
          throw new CharterError(
            "cases with their own params need engines made for them: pass runCases a function",
          );
        };
  const rounds = paramRounds(policies);
  // Per case: the engines that judged it and each one's verdicts.
  const judged = new Map<TestCase, { engines: readonly Engine[]; answers: Verdicts[] }>();
  let firstEngines: readonly Engine[] = [];
  for (const [r, round] of rounds.entries()) {
    const roundEngines = enginesFor(r === 0 ? policies : round.map((run) => run.policy));
    if (r === 0) firstEngines = roundEngines;
    const runs = round.flatMap(({ policy, cases }) =>
      cases.map((testCase): CaseRun => ({ policy, testCase })),
    );
    // Each case is its own scanned set: the resource and the case's inventory, never other cases.
    const kinds = inventoryKindsOf(round.map((run) => run.policy));
    const resources: Resource[] = runs.map(({ testCase }) => caseResource(testCase, kinds));
    const answers = await Promise.all(
      roundEngines.map((engine) => verdictsOf(engine, runs, resources)),
    );
    runs.forEach(({ testCase }, index) => {
      judged.set(testCase, {
        engines: roundEngines,
        answers: answers.map((answer) => answer[index] ?? new Map()),
      });
    });
  }

  return policies.map((policy) => {
    const notOn = firstEngines.flatMap((engine) => {
      const reason = engine.unjudgeable?.get(policy.name);
      return reason === undefined ? [] : [{ engine: engine.name, reason }];
    });
    const problems = policy.cases.flatMap((testCase) => {
      const run = judged.get(testCase);
      if (!run) return [];
      const judging = run.engines.flatMap((engine, e) =>
        engine.unjudgeable?.has(policy.name)
          ? []
          : [{ engine, verdicts: run.answers[e] ?? new Map() }],
      );
      const source = testCase.source ?? policy.source;
      const place = source ? where(source) : undefined;
      const label = `${testCase.expect}/${testCase.name}${place ? ` (${place})` : ""}`;
      // One line per distinct problem, naming the engines that have it.
      const byProblem = new Map<string, string[]>();
      for (const { engine, verdicts } of judging) {
        const problem = expectationProblem(policy, testCase, verdicts);
        if (problem) byProblem.set(problem, [...(byProblem.get(problem) ?? []), engine.name]);
      }
      const lines = [...byProblem].map(
        ([problem, names]) => `${label} [${names.join(", ")}]: ${problem}`,
      );
      const disagreement = disagreementOf(
        judging.map(({ engine }) => engine),
        judging.map(({ verdicts }) => verdicts),
      );
      if (disagreement) {
        const { kind, namespace, name } = identityOf(testCase.resource);
        const resource = `${kind} ${namespace ? `${namespace}/` : ""}${name}`;
        lines.push(
          `${testCase.expect}/${testCase.name} (${[resource, place].filter(Boolean).join(", ")}): engines disagree: ${disagreement}`,
        );
      }
      return lines;
    });
    return { policy, problems, notOn };
  });
}

/**
 * The cases grouped into batches by the parameter values they run with: batch 0 holds every
 * policy as given (and its cases without params); batch k the k-th distinct `params` of each
 * policy that has that many, as a policy with those values set.
 */
function paramRounds(policies: readonly Policy[]): { policy: Policy; cases: TestCase[] }[][] {
  const rounds: { policy: Policy; cases: TestCase[] }[][] = [];
  for (const policy of policies) {
    const groups = new Map<string, TestCase[]>([["", []]]);
    for (const testCase of policy.cases) {
      const key = testCase.params === undefined ? "" : JSON.stringify(testCase.params);
      groups.set(key, [...(groups.get(key) ?? []), testCase]);
    }
    [...groups.values()].forEach((cases, r) => {
      const params = cases[0]?.params;
      const variant = r === 0 || params === undefined ? policy : withParams(policy, params);
      while (rounds.length <= r) rounds.push([]);
      rounds[r]?.push({ policy: variant, cases });
    });
  }
  return rounds;
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
  const unknown = wanted.filter((rule) => !ruleNamesOf(policy).includes(rule));
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
