/**
 * The real Kyverno CLI judges the emitted policies: `kyverno apply` on a policy's own cases, for
 * the ValidatingPolicy and the ClusterPolicy. Each case must come out as the policy says: a pass
 * case with no failing result, a fail case with a failing result (and, for ClusterPolicy, one
 * for each rule the case names).
 *
 * The binary comes from scripts/install-kyverno.sh (`.tools/bin/kyverno`, or `$CHARTER_KYVERNO`).
 * Where it is absent the test says so loudly and skips; under CI=true (where
 * scripts/install-engines.sh has built it) a missing binary fails.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Policy, TestCase } from "@charter/ir";
import { afterAll, describe, expect, it } from "vitest";
import library from "../../../../policies/index.js";
import { toYaml } from "../yaml.js";
import { emitKyverno, type KyvernoApi } from "./emit-kyverno.js";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");

function findKyverno(): string | undefined {
  const candidates = [process.env.CHARTER_KYVERNO, join(repo, ".tools", "bin", "kyverno")];
  return candidates.find((path): path is string => path !== undefined && existsSync(path));
}

const kyverno = findKyverno();
if (!kyverno && (process.env.CI === "true" || process.env.CI === "1")) {
  throw new Error("the kyverno CLI is required under CI=true: run scripts/install-engines.sh");
}
if (!kyverno) {
  console.warn(
    "\n*** kyverno CLI not found ($CHARTER_KYVERNO, .tools/bin/kyverno): SKIPPING the real-Kyverno tests (run scripts/install-kyverno.sh) ***\n",
  );
}

/** Every policy of the library, on its own cases. */
const policies = library;

/**
 * A parameter value that looks like a Kyverno variable: the ClusterPolicy must neither
 * substitute it nor be refused for it, and CEL must read it back exactly.
 */
const HOSTILE_PREFIX = 'reg.example/{{c.name}}/{{ request.object.metadata.name }}/\\{{x}}/"q"/ü/';
const registries = library.find((policy) => policy.name === "restrict-image-registries");
const hostilePod = (image: string) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "hostile", namespace: "default" },
  spec: { containers: [{ name: "app", image }] },
});
const hostile: Policy[] = registries
  ? [
      {
        ...registries,
        name: "hostile-registries",
        parameters: { ...registries.parameters, values: { allowed: [HOSTILE_PREFIX] } },
        cases: [
          {
            name: "image under the hostile prefix",
            expect: "pass",
            resource: hostilePod(`${HOSTILE_PREFIX}app:1`),
          },
          {
            name: "image whose prefix Kyverno would substitute",
            expect: "fail",
            resource: hostilePod("reg.example/hostile/app:1"),
            rules: ["registry"],
          },
        ],
      },
    ]
  : [];

interface ReportResult {
  readonly policy: string;
  readonly rule?: string;
  readonly result: "pass" | "fail" | "warn" | "error" | "skip";
  readonly message?: string;
}

function run(binary: string, args: readonly string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((done) => {
    execFile(binary, [...args], { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      done({ code, stdout: `${stdout}${stderr ? `\n${stderr}` : ""}` });
    });
  });
}

/** The report `kyverno apply -p --output-format json` prints: JSON objects, one per line. */
function reportResults(stdout: string): ReportResult[] {
  return stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .flatMap((line) => {
      const report = JSON.parse(line) as { results?: ReportResult[] };
      return report.results ?? [];
    });
}

const work = mkdtempSync(join(tmpdir(), "charter-kyverno-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function apply(api: KyvernoApi, policy: Policy, testCase: TestCase, index: number) {
  const dir = join(work, api, policy.name);
  const policyFile = join(dir, "policy.yaml");
  const resourceFile = join(dir, `case-${index}.yaml`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(policyFile, emitKyverno([policy], { api }).get(`${policy.name}.yaml`) ?? "");
  writeFileSync(resourceFile, toYaml([testCase.resource]));
  // biome-ignore lint/style/noNonNullAssertion: only called when the binary exists
  const { code, stdout } = await run(kyverno!, [
    "apply",
    policyFile,
    "--resource",
    resourceFile,
    "--policy-report",
    "--output-format",
    "json",
    "--remove-color",
  ]);
  return { code, stdout, results: reportResults(stdout) };
}

describe.skipIf(!kyverno)("kyverno apply on the emitted policies (real Kyverno CLI)", () => {
  const rows = (["validatingpolicy", "clusterpolicy"] as const).flatMap((api) =>
    [...policies, ...hostile].flatMap((policy) =>
      policy.cases.map((testCase, index) => ({
        note: `${api} ${policy.name}: ${testCase.expect} "${testCase.name}"`,
        api,
        policy,
        testCase,
        index,
      })),
    ),
  );

  it("judges at least one pass and one fail case per policy", () => {
    expect(policies.length).toBeGreaterThanOrEqual(5);
    expect(hostile).toHaveLength(1);
    for (const policy of policies) {
      expect(policy.cases.some((c) => c.expect === "pass")).toBe(true);
      expect(policy.cases.some((c) => c.expect === "fail")).toBe(true);
    }
  });

  it.each(["validatingpolicy", "clusterpolicy"] as const)(
    "%s: a policy on Pods only leaves controllers alone (no autogen)",
    async (api) => {
      const namespaces = policies.find((policy) => policy.name === "disallow-host-namespaces");
      const failing = namespaces?.cases.find(
        (c) => c.expect === "fail" && (c.resource as { kind?: string }).kind === "DaemonSet",
      );
      expect(failing, "disallow-host-namespaces has a failing DaemonSet case").toBeDefined();
      if (!namespaces || !failing) return;
      const podOnly: Policy = {
        ...namespaces,
        name: "pods-only",
        match: { subject: "pod", controllers: false },
      };
      const { stdout, results } = await apply(api, podOnly, failing, 0);
      expect(
        results.filter((result) => result.policy === "pods-only"),
        stdout,
      ).toEqual([]);
    },
  );

  it.each(rows)("$note", async ({ api, policy, testCase, index }) => {
    const { stdout, results } = await apply(api, policy, testCase, index);
    const mine = results.filter((result) => result.policy === policy.name);
    const detail = `kyverno output:\n${stdout}`;
    expect(mine.length, detail).toBeGreaterThan(0);
    expect(
      mine.filter((result) => result.result === "error"),
      detail,
    ).toEqual([]);
    const failing = mine.filter((result) => result.result === "fail");
    if (testCase.expect === "pass") {
      expect(failing, detail).toEqual([]);
    } else {
      expect(failing.length, detail).toBeGreaterThan(0);
      if (api === "clusterpolicy" && testCase.rules) {
        const failedRules = new Set(failing.map((result) => result.rule));
        for (const rule of testCase.rules)
          expect(failedRules.has(rule), `${rule}; ${detail}`).toBe(true);
      }
    }
  });
});
