/**
 * Kyverno's pod-security CLI tests (../shared/conformance/kyverno-pss, every
 * `.kyverno-test/kyverno-test.yaml` with its `resource.yaml`) judged per Kyverno rule against
 * Charter's library. Each expectation is keyed on (policy, rule, kind, resource name); the
 * Kyverno rule's condition corresponds to a Charter policy, some of its rules, or a whole PSA
 * profile (KYVERNO_TO_CHARTER below). A `fail` expectation must be failed by that Charter
 * target, a `pass` must be passed by it (and the target must have judged the resource).
 * Deployments and CronJobs are judged by their pod template, natively.
 *
 * Where Kyverno knowingly differs from PSA v1.37, the expectation is in
 * test/kyverno-pss-divergences.ts with its reason, and must still diverge.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { exception } from "@charter/dsl";
import type { Json, JsonObject, Policy, PolicyException } from "@charter/ir";
import { applyExceptions, type Finding } from "@charter/runtime";
import { afterAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { chooseEngines, ENGINE_NAMES, type EngineName } from "../packages/cli/src/engines.js";
import { selectPolicies } from "../packages/cli/src/select.js";
import policies from "../policies/index.js";
import { type Divergence, KYVERNO_PSS_DIVERGENCES } from "./kyverno-pss-divergences.js";

const here = dirname(fileURLToPath(import.meta.url));
const SUITE = join(here, "..", "..", "shared", "conformance", "kyverno-pss", "pod-security");

/** What a Kyverno rule's condition corresponds to in Charter. */
type CharterTarget =
  | { readonly policy: string; readonly rules?: readonly string[] }
  | {
      readonly profile: "pss:baseline" | "pss:restricted";
      /** Charter exceptions standing for the subrule's `exclude` (named in EXEMPTIONS). */
      readonly exemption?: keyof typeof EXEMPTIONS;
    };

/**
 * Kyverno's `validate.podSecurity.exclude` as Charter exceptions: the restricted Capabilities
 * control exempted for two image globs, the Seccomp control for every image. The PSA
 * restricted profile checks capabilities and seccomp with the strict policies (they replace
 * the baseline ones), so those are the policies excused.
 */
const EXEMPTIONS = {
  capabilities: [
    exception("kyverno-subrule-capabilities", {
      policy: "disallow-capabilities-strict",
      match: { images: ["ghcr.io/kyverno/test-nginx*", "redis*"] },
      reason: "Kyverno's restricted-exclude-capabilities test exempts these images",
      owner: "kyverno-pss-conformance",
      expires: "2999-12-31",
    }),
  ],
  seccomp: [
    exception("kyverno-subrule-seccomp", {
      policy: "restrict-seccomp-strict",
      match: { images: ["*"] },
      reason: "Kyverno's restricted-exclude-seccomp test exempts the Seccomp control",
      owner: "kyverno-pss-conformance",
      expires: "2999-12-31",
    }),
  ],
} as const satisfies Record<string, readonly PolicyException[]>;

/**
 * Kyverno policy / rule → Charter. The library uses Kyverno's policy names except
 * `require-run-as-nonroot`, which it calls `require-run-as-non-root`. Kyverno's
 * `validate.podSecurity` subrules are whole profiles, i.e. `--select pss:<level>`.
 */
const KYVERNO_TO_CHARTER: Readonly<Record<string, CharterTarget>> = {
  "disallow-capabilities/adding-capabilities": { policy: "disallow-capabilities" },
  "disallow-capabilities-strict/require-drop-all": {
    policy: "disallow-capabilities-strict",
    rules: ["dropAll"],
  },
  "disallow-capabilities-strict/adding-capabilities-strict": {
    policy: "disallow-capabilities-strict",
    rules: ["addOnlyNetBindService"],
  },
  "disallow-host-namespaces/host-namespaces": { policy: "disallow-host-namespaces" },
  "disallow-host-path/host-path": { policy: "disallow-host-path" },
  "disallow-host-ports/host-ports-none": { policy: "disallow-host-ports" },
  // Not a PSS control (hostPort 0 or 5000-6000): the nearest Charter policy is PSA's hostPorts.
  "disallow-host-ports-range/host-port-range": { policy: "disallow-host-ports" },
  "disallow-host-process/host-process-containers": { policy: "disallow-host-process" },
  "disallow-privileged-containers/privileged-containers": {
    policy: "disallow-privileged-containers",
  },
  "disallow-proc-mount/check-proc-mount": { policy: "disallow-proc-mount" },
  "disallow-selinux/selinux-type": {
    policy: "disallow-selinux",
    rules: ["podType", "containerType"],
  },
  "disallow-selinux/selinux-user-role": {
    policy: "disallow-selinux",
    rules: ["podUserOrRole", "containerUserOrRole"],
  },
  "restrict-apparmor-profiles/app-armor": { policy: "restrict-apparmor-profiles" },
  "restrict-seccomp/check-seccomp": { policy: "restrict-seccomp" },
  "restrict-sysctls/check-sysctls": { policy: "restrict-sysctls" },
  "disallow-privilege-escalation/privilege-escalation": {
    policy: "disallow-privilege-escalation",
  },
  "require-run-as-non-root-user/run-as-non-root-user": {
    policy: "require-run-as-non-root-user",
  },
  "require-run-as-nonroot/run-as-non-root": { policy: "require-run-as-non-root" },
  "restrict-seccomp-strict/check-seccomp-strict": { policy: "restrict-seccomp-strict" },
  "restrict-volume-types/restricted-volumes": { policy: "restrict-volume-types" },
  "podsecurity-subrule-baseline/baseline": { profile: "pss:baseline" },
  "podsecurity-subrule-restricted/restricted": { profile: "pss:restricted" },
  "podsecurity-subrule-restricted-capabilities/restricted-exempt-capabilities": {
    profile: "pss:restricted",
    exemption: "capabilities",
  },
  "podsecurity-subrule-restricted-seccomp/restricted-exempt-seccomp": {
    profile: "pss:restricted",
    exemption: "seccomp",
  },
};

/**
 * Charter policies the mapping names that are still being written. While one is missing from
 * policies/index.ts its cases are reported as pending, not judged; once it lands they are
 * judged like the rest, with no edit here.
 */
const IN_PROGRESS_POLICIES = ["restrict-apparmor-profiles"];

type Kind = Divergence["kind"];

interface Expectation {
  /** The test folder under pod-security/, e.g. `baseline/disallow-host-path`. */
  readonly test: string;
  readonly policy: string;
  readonly rule: string;
  readonly kind: Kind;
  readonly resource: string;
  readonly result: "pass" | "fail";
  /** Index of the resource in the batch every engine evaluates. */
  readonly index: number;
}

interface KyvernoTest {
  readonly results: readonly {
    policy: string;
    rule: string;
    kind: Kind;
    resources: string[];
    result: "pass" | "fail";
  }[];
}

function testFolders(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (!statSync(path).isDirectory()) return [];
    if (entry === ".kyverno-test") return [dirname(path)];
    return entry.startsWith(".") ? [] : testFolders(path);
  });
}

/** Every expectation, and the batch of resources they point into. */
function readSuite(): { expectations: Expectation[]; resources: JsonObject[] } {
  const expectations: Expectation[] = [];
  const resources: JsonObject[] = [];
  for (const folder of testFolders(SUITE).sort()) {
    const test = relative(SUITE, folder);
    const dir = join(folder, ".kyverno-test");
    const spec = parse(readFileSync(join(dir, "kyverno-test.yaml"), "utf8")) as KyvernoTest;
    const documents = parseAllDocuments(readFileSync(join(dir, "resource.yaml"), "utf8"))
      .map((document) => document.toJSON() as Json)
      .filter((object): object is JsonObject => object !== null && typeof object === "object");
    const indexOf = new Map<string, number>();
    for (const object of documents) {
      const key = `${object.kind}/${(object.metadata as JsonObject).name}`;
      if (indexOf.has(key)) throw new Error(`${test}: ${key} appears twice`);
      indexOf.set(key, resources.push(object) - 1);
    }
    for (const { policy, rule, kind, resources: names, result } of spec.results) {
      for (const resource of names) {
        const index = indexOf.get(`${kind}/${resource}`);
        if (index === undefined)
          throw new Error(`${test}: no ${kind} ${resource} in resource.yaml`);
        expectations.push({ test, policy, rule, kind, resource, result, index });
      }
    }
  }
  return { expectations, resources };
}

const { expectations, resources } = readSuite();
const keyOf = (e: { policy: string; rule: string; kind: string; resource: string }) =>
  `${e.policy}/${e.rule} ${e.kind} ${e.resource}`;
const divergences = new Map(KYVERNO_PSS_DIVERGENCES.map((d) => [keyOf(d), d]));
const libraryNames = new Set(policies.map((policy) => policy.name));

function targetOf(expectation: Expectation): CharterTarget {
  const target = KYVERNO_TO_CHARTER[`${expectation.policy}/${expectation.rule}`];
  if (!target) throw new Error(`no Charter mapping for ${expectation.policy}/${expectation.rule}`);
  return target;
}

const isPending = (expectation: Expectation) => {
  const target = targetOf(expectation);
  return (
    "policy" in target &&
    IN_PROGRESS_POLICIES.includes(target.policy) &&
    !libraryNames.has(target.policy)
  );
};

/** The policy set each kind of target is judged with: the library, or one PSA profile. */
const mappedPolicies = new Set(
  Object.values(KYVERNO_TO_CHARTER).flatMap((target) =>
    "policy" in target ? [target.policy] : [],
  ),
);
const restricted = selectPolicies(policies, "pss:restricted");
const POLICY_SETS: Readonly<
  Record<string, { policies: readonly Policy[]; exceptions: readonly PolicyException[] }>
> = {
  library: {
    policies: policies.filter((policy) => mappedPolicies.has(policy.name)),
    exceptions: [],
  },
  "pss:baseline": { policies: selectPolicies(policies, "pss:baseline"), exceptions: [] },
  "pss:restricted": { policies: restricted, exceptions: [] },
  "pss:restricted/capabilities": { policies: restricted, exceptions: EXEMPTIONS.capabilities },
  "pss:restricted/seccomp": { policies: restricted, exceptions: EXEMPTIONS.seccomp },
};
const setOf = (target: CharterTarget) =>
  "profile" in target
    ? target.exemption
      ? `${target.profile}/${target.exemption}`
      : target.profile
    : "library";
/** Exceptions are applied as of this instant (they never expire in this suite anyway). */
const NOW = Date.parse("2026-11-27T00:00:00Z");

interface Judgement {
  readonly expectation: Expectation;
  /** Charter's answer, or why it has none. */
  readonly charter: "pass" | "fail" | string;
  readonly failed: readonly string[];
}

/** Findings of one engine, per policy set, per resource index. */
async function evaluate(engineName: EngineName): Promise<Map<string, Map<number, Finding[]>>> {
  const bySet = new Map<string, Map<number, Finding[]>>();
  for (const [name, set] of Object.entries(POLICY_SETS)) {
    // Each set sees only the resources whose expectations it judges: one batch per set.
    const indices = [
      ...new Set(expectations.filter((e) => setOf(targetOf(e)) === name).map((e) => e.index)),
    ];
    const [engine] = chooseEngines(set.policies, [engineName], true).engines;
    if (!engine) throw new Error(`no ${engineName} engine`);
    const batch = indices.map((index) => ({ object: resources[index] as Json }));
    const { findings } = applyExceptions(await engine.evaluate(batch), batch, set.exceptions, NOW);
    const byResource = new Map<number, Finding[]>();
    for (const finding of findings) {
      const index = indices[finding.resourceIndex] as number;
      byResource.set(index, [...(byResource.get(index) ?? []), finding]);
    }
    bySet.set(name, byResource);
  }
  return bySet;
}

function judge(expectation: Expectation, findings: Map<string, Map<number, Finding[]>>): Judgement {
  const target = targetOf(expectation);
  const rows = (findings.get(setOf(target))?.get(expectation.index) ?? []).filter(
    (row) =>
      "profile" in target ||
      (row.policy === target.policy && (target.rules ?? [row.rule]).includes(row.rule)),
  );
  if (rows.length === 0)
    return { expectation, charter: "not judged (no matching rule)", failed: [] };
  // A row an exception excused is what Kyverno's `exclude` makes it: not a failure.
  const broken = rows.filter(
    (row) => row.result === "error" || (row.result === "skip" && row.exception === undefined),
  );
  if (broken.length > 0) {
    return {
      expectation,
      charter: broken
        .map((row) => `${row.policy}/${row.rule} ${row.result}: ${row.message}`)
        .join("; "),
      failed: [],
    };
  }
  const failed = rows
    .filter((row) => row.result === "fail")
    .map((row) => `${row.policy}/${row.rule}`);
  return { expectation, charter: failed.length > 0 ? "fail" : "pass", failed };
}

const describeJudgement = (engine: string, j: Judgement) =>
  `${engine}: ${j.expectation.test}: ${keyOf(j.expectation)}: Kyverno ${j.expectation.result}, Charter ${j.charter}` +
  (j.failed.length > 0 ? ` (${j.failed.join(", ")})` : "");

const summaries: string[] = [];

describe("Kyverno pod-security CLI tests, per (policy, rule)", () => {
  it("reads the 948 expectations of the MANIFEST, each resource exactly once", () => {
    expect(expectations).toHaveLength(948);
    expect(expectations.filter((e) => e.result === "pass")).toHaveLength(478);
    const count = (kind: Kind) => expectations.filter((e) => e.kind === kind).length;
    expect([count("Pod"), count("Deployment"), count("CronJob")]).toEqual([322, 313, 313]);
    expect(new Set(expectations.map((e) => e.index)).size).toBe(resources.length);
    expect(resources).toHaveLength(expectations.length);
  });

  it("maps every Kyverno (policy, rule) to a Charter policy and rules that exist", () => {
    const used = new Set(expectations.map((e) => `${e.policy}/${e.rule}`));
    expect([...used].sort()).toEqual(Object.keys(KYVERNO_TO_CHARTER).sort());
    for (const target of Object.values(KYVERNO_TO_CHARTER)) {
      if (!("policy" in target)) continue;
      const policy = policies.find((p) => p.name === target.policy);
      if (!policy) {
        expect(IN_PROGRESS_POLICIES, `${target.policy} is not in the library`).toContain(
          target.policy,
        );
        continue;
      }
      const ruleNames = policy.rules.map((rule) => rule.name);
      for (const rule of target.rules ?? []) expect(ruleNames).toContain(rule);
    }
  });

  it("lists every divergence once, each with a reason, each an expectation of the suite", () => {
    expect(divergences.size).toBe(KYVERNO_PSS_DIVERGENCES.length);
    const keys = new Set(expectations.map(keyOf));
    for (const divergence of KYVERNO_PSS_DIVERGENCES) {
      expect(keys, keyOf(divergence)).toContain(keyOf(divergence));
      expect(divergence.reason.length, keyOf(divergence)).toBeGreaterThan(20);
    }
  });

  describe.each(ENGINE_NAMES.map((name) => [name]))("on %s", (engineName) => {
    it("agrees on every expectation but the listed divergences, which still diverge", async () => {
      const findings = await evaluate(engineName);
      const judged = expectations.filter((e) => !isPending(e)).map((e) => judge(e, findings));
      const agrees = (j: Judgement) => j.charter === j.expectation.result;

      const unlisted = judged
        .filter((j) => !agrees(j) && !divergences.has(keyOf(j.expectation)))
        .map((j) => describeJudgement(engineName, j));
      expect(unlisted, "disagreements not in test/kyverno-pss-divergences.ts").toEqual([]);

      const stale = judged
        .filter(
          (j) => divergences.has(keyOf(j.expectation)) && j.charter !== flip(j.expectation.result),
        )
        .map((j) => describeJudgement(engineName, j));
      expect(stale, "listed divergences that no longer diverge: remove them").toEqual([]);

      const pending = expectations.length - judged.length;
      summaries.push(
        `${engineName}: ${expectations.length} cases, ${judged.filter(agrees).length} agreeing, ` +
          `${divergences.size} listed divergences` +
          (pending > 0
            ? `, ${pending} pending (${IN_PROGRESS_POLICIES.filter((n) => !libraryNames.has(n)).join(", ")} not in the library yet)`
            : ""),
      );
    });
  });

  afterAll(() => {
    console.log(`Kyverno pod-security (CLI tests):\n  ${summaries.join("\n  ")}`);
  });
});

function flip(result: "pass" | "fail"): "pass" | "fail" {
  return result === "pass" ? "fail" : "pass";
}
