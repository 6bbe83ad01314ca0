/**
 * The real Kyverno CLI judges the emitted PolicyExceptions: `kyverno apply <policies> --resource
 * <resources> --exceptions <exception>…`, for the ValidatingPolicy (`policies.kyverno.io/v1`
 * PolicyException) and the ClusterPolicy (`kyverno.io/v2`). Four library policies meet
 * resources built to fall just inside or just outside exceptions matching by namespace, name
 * glob, kind, labels, images, several fields at once, and some rules only. Every verdict
 * Kyverno gives is compared with Charter's IR engine given the same exceptions (the runtime's
 * `withExceptions`), so the test asserts that Kyverno agrees with the IR on every (resource,
 * policy) for ValidatingPolicy and every (resource, policy, rule) for ClusterPolicy.
 *
 * How Kyverno 1.19.1 reports an exception (found with the binary, `-p --output-format json`):
 * - ValidatingPolicy: one result per (resource, policy); an excused resource is `result: skip`,
 *   `rule: "exception"`, `properties.exceptions: "<name>"`, message "rule is skipped due to
 *   policy exception: <name>". A `policies.kyverno.io` exception exempts the whole policy, so
 *   one for some rules only is folded into those rules' CEL (exceptions.ts): Kyverno then
 *   reports `pass` for the policy when its other rules hold.
 * - ClusterPolicy: one result per (resource, policy, rule); an excused rule is `result: skip`
 *   with `properties.exceptions: "<name>"`. Exceptions the v2 match cannot say (images, `?` in
 *   a name) are folded into the rule's CEL: the rule then reports `pass`.
 * The skip comes before the validation: a passing resource an exception matches is reported
 * excused too, as the IR engine excuses every row an exception covers.
 *
 * Expiry, offline. `kyverno apply` does NOT honour expiry: the CLI hands every exception file
 * to the engine (cmd/cli/…/processor/policy_processor.go → vpolengine.NewProvider, which
 * filters by policy ref only); only the in-cluster lister (pkg/cel/engine/exception.go,
 * `ListExceptions`) skips `IsExpired()` ones. A ValidatingPolicy exception whose `expiresAt` is
 * in the past still excuses offline, and a `kyverno.io/v2` exception has no `expiresAt` at all
 * (its expiry is the `cleanup.kyverno.io/ttl` label, acted on by the cleanup controller in a
 * cluster). So Charter's build drops expired exceptions before emitting for Kyverno
 * (packages/compiler/src/targets/compile-targets.ts `exceptionsFor`), and this test does the same for the agreement
 * runs; a separate run ships an expired exception anyway and asserts that the CLI applies it.
 *
 * Binary: `.tools/bin/kyverno` or `$CHARTER_KYVERNO` (scripts/install-kyverno.sh); skipped
 * loudly without it, and a failure under CI=true, as in kyverno-cli.test.ts.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expiryInstant, type Json, type Policy, type PolicyException } from "@charter/ir";
import {
  type ReportResult,
  reportResults,
  requireKyverno,
  runKyverno,
} from "@charter/test-support/kyverno-binary";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import library from "../../../../policies/index.js";
import { withExceptions } from "../../../runtime/src/exceptions/apply.js";
import { createIrEngine } from "../../../runtime/src/ir-engine/engine.js";
import type { Finding } from "../../../runtime/src/types.js";
import { toYaml } from "../yaml.js";
import { emitKyverno } from "./emit-kyverno.js";
import { KYVERNO_APIS, type KyvernoApi } from "./kyverno-api.js";

const kyverno = requireKyverno("the real-Kyverno exception tests");

const POLICY_NAMES = [
  "disallow-privileged-containers",
  "disallow-host-path",
  "disallow-latest-tag",
  "restrict-image-registries",
] as const;

function libraryPolicy(name: string): Policy {
  const found = library.find((policy: Policy) => policy.name === name);
  if (!found) throw new Error(`library policy ${name} is missing`);
  return found;
}

const policies: Policy[] = POLICY_NAMES.map(libraryPolicy);

/** Far enough ahead that the wall clock Kyverno reads never reaches it. */
const IN_FORCE = "2099-12-31";
const EXPIRED = "2020-01-31";

const exceptionOf = (
  name: string,
  spec: Pick<PolicyException, "policy" | "match"> & Partial<PolicyException>,
): PolicyException => ({
  name,
  reason: `test: ${name}`,
  owner: "team-test",
  expires: IN_FORCE,
  ...spec,
});

/**
 * No two exceptions of one policy cover the same row: the IR names the first that does and
 * Kyverno lists every one, so overlaps would only test the list order.
 */
const exceptions: PolicyException[] = [
  exceptionOf("monitoring-host-path", {
    policy: "disallow-host-path",
    match: { namespaces: ["monitoring"] },
  }),
  exceptionOf("node-agent-privileged", {
    policy: "disallow-privileged-containers",
    match: { names: ["node-agent-*"] },
  }),
  exceptionOf("daemonset-host-path", {
    policy: "disallow-host-path",
    match: { kinds: [{ group: "apps", kind: "DaemonSet" }] },
  }),
  exceptionOf("legacy-registries", {
    policy: "restrict-image-registries",
    match: {
      labels: {
        matchLabels: { team: "legacy" },
        matchExpressions: [{ key: "tier", operator: "NotIn", values: ["debug"] }],
      },
    },
  }),
  // Some rules only: folded into the ValidatingPolicy's CEL, native for ClusterPolicy.
  exceptionOf("legacy-latest-tag", {
    policy: "disallow-latest-tag",
    rules: ["latestTag"],
    match: { namespaces: ["legacy"] },
  }),
  // Every rule, listed: native for ValidatingPolicy; folded for ClusterPolicy (`?`).
  exceptionOf("tool-any-tag", {
    policy: "disallow-latest-tag",
    rules: ["latestTag", "missingTag"],
    match: { names: ["tool-?"] },
  }),
  // Images: folded for ClusterPolicy; native (a CEL match condition) for ValidatingPolicy.
  exceptionOf("mirror-images", {
    policy: "restrict-image-registries",
    match: { images: ["mirror.example.com/*"] },
  }),
  // Every field must hold.
  exceptionOf("etl-privileged", {
    policy: "disallow-privileged-containers",
    match: {
      namespaces: ["batch"],
      kinds: [{ group: "batch", kind: "Job" }],
      labels: { matchLabels: { owner: "data" } },
    },
  }),
  exceptionOf("sandbox-privileged", {
    policy: "disallow-privileged-containers",
    match: { namespaces: ["sandbox"] },
    expires: EXPIRED,
  }),
];

/** What `charter build` ships for Kyverno: the exceptions in force (see the header). */
const now = Date.now();
const inForce = exceptions.filter((e) => now < expiryInstant(e.expires));

// ---- resources ------------------------------------------------------------------------------

const APPROVED = "registry.example.com/todo/api:1.4.2";
type Container = { name: string; image: string; securityContext?: { privileged: boolean } };
const app = (image = APPROVED): Container => ({ name: "app", image });
const privileged = (image = APPROVED): Container => ({
  name: "app",
  image,
  securityContext: { privileged: true },
});
const HOST_PATH = { volumes: [{ name: "node", hostPath: { path: "/var/log" } }] };

interface Shape {
  readonly namespace: string;
  readonly labels?: Record<string, string>;
  readonly containers: Container[];
  readonly extra?: Record<string, Json>;
}

const metadataOf = (name: string, { namespace, labels }: Shape) => ({
  name,
  namespace,
  ...(labels ? { labels } : {}),
});

const podSpec = (shape: Shape) => ({ containers: shape.containers, ...shape.extra });

const pod = (name: string, shape: Shape): Json => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: metadataOf(name, shape),
  spec: podSpec(shape),
});

/** A controller whose own labels are `shape.labels`; its template carries `templateLabels`. */
const controller =
  (apiVersion: string, kind: string) =>
  (name: string, shape: Shape, templateLabels: Record<string, string> = {}): Json => ({
    apiVersion,
    kind,
    metadata: metadataOf(name, shape),
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name, ...templateLabels } }, spec: podSpec(shape) },
    },
  });
const deployment = controller("apps/v1", "Deployment");
const daemonSet = controller("apps/v1", "DaemonSet");

const job = (name: string, shape: Shape): Json => ({
  apiVersion: "batch/v1",
  kind: "Job",
  metadata: metadataOf(name, shape),
  spec: { template: { spec: { restartPolicy: "Never", ...podSpec(shape) } } },
});
const cronJob = (name: string, shape: Shape): Json => ({
  apiVersion: "batch/v1",
  kind: "CronJob",
  metadata: metadataOf(name, shape),
  spec: {
    schedule: "0 * * * *",
    jobTemplate: {
      spec: { template: { spec: { restartPolicy: "OnFailure", ...podSpec(shape) } } },
    },
  },
});

const resources: Json[] = [
  // By namespace.
  pod("log-reader", { namespace: "monitoring", containers: [app()], extra: HOST_PATH }),
  pod("log-reader", { namespace: "default", containers: [app()], extra: HOST_PATH }),
  pod("clean", { namespace: "monitoring", containers: [app()] }),
  // By name glob; the host-path rule of another policy still fails.
  pod("node-agent-7x2k", { namespace: "default", containers: [privileged()], extra: HOST_PATH }),
  pod("web-node-agent", { namespace: "default", containers: [privileged()] }),
  // By kind.
  daemonSet("log-shipper", { namespace: "default", containers: [app()], extra: HOST_PATH }),
  deployment("log-shipper", { namespace: "default", containers: [app()], extra: HOST_PATH }),
  // By labels: the resource's own, never its template's.
  pod("legacy-app", {
    namespace: "default",
    labels: { team: "legacy" },
    containers: [app("docker.io/legacy/app:1.0")],
  }),
  pod("legacy-debug", {
    namespace: "default",
    labels: { team: "legacy", tier: "debug" },
    containers: [app("docker.io/legacy/app:1.0")],
  }),
  deployment("legacy-api", {
    namespace: "default",
    labels: { team: "legacy" },
    containers: [app("docker.io/legacy/api:2.0")],
  }),
  deployment(
    "templated-api",
    { namespace: "default", containers: [app("docker.io/legacy/api:2.0")] },
    { team: "legacy" },
  ),
  // Some rules only: latestTag is excused in `legacy`, missingTag is not.
  pod("old-web", {
    namespace: "legacy",
    containers: [
      { name: "web", image: "registry.example.com/old/web:latest" },
      { name: "side", image: "registry.example.com/old/side" },
    ],
  }),
  pod("old-cron", {
    namespace: "legacy",
    containers: [{ name: "cron", image: "registry.example.com/old/cron:latest" }],
  }),
  pod("latest-web", {
    namespace: "default",
    containers: [{ name: "web", image: "registry.example.com/new/web:latest" }],
  }),
  // `?` is exactly one character.
  pod("tool-a", {
    namespace: "default",
    containers: [{ name: "t", image: "registry.example.com/tools/a:latest" }],
  }),
  pod("tool-ab", {
    namespace: "default",
    containers: [{ name: "t", image: "registry.example.com/tools/ab:latest" }],
  }),
  // Images: every container must match.
  pod("mirrored", { namespace: "default", containers: [app("mirror.example.com/app:1.0")] }),
  pod("half-mirrored", {
    namespace: "default",
    containers: [app("mirror.example.com/app:1.0"), { name: "side", image: "docker.io/side:1" }],
  }),
  // Several fields: namespace, kind and labels all hold, or no exception.
  job("etl", { namespace: "batch", labels: { owner: "data" }, containers: [privileged()] }),
  job("etl-unowned", { namespace: "batch", containers: [privileged()] }),
  cronJob("etl-nightly", {
    namespace: "batch",
    labels: { owner: "data" },
    containers: [privileged()],
  }),
  job("etl", { namespace: "default", labels: { owner: "data" }, containers: [privileged()] }),
  // The expired exception's namespace.
  pod("sandboxed", { namespace: "sandbox", containers: [privileged()] }),
];

// ---- running Kyverno ------------------------------------------------------------------------

const work = mkdtempSync(join(tmpdir(), "charter-kyverno-exceptions-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface KyvernoRun {
  readonly stdout: string;
  readonly results: ReportResult[];
  /** The emitted files (policies and `exceptions/…`), by path. */
  readonly files: ReadonlyMap<string, string>;
  /** The exceptions emitted as PolicyExceptions; the others were folded into the CEL. */
  readonly native: ReadonlySet<string>;
}

/** Emits the policies with `shipped` and runs `kyverno apply` once on every resource. */
async function applyWith(
  api: KyvernoApi,
  shipped: readonly PolicyException[],
  label: string,
): Promise<KyvernoRun> {
  const dir = join(work, api, label);
  mkdirSync(join(dir, "exceptions"), { recursive: true });
  const files = emitKyverno(policies, { api, exceptions: shipped });
  for (const [path, text] of files) writeFileSync(join(dir, path), text);
  const policyFiles = [...files.keys()].filter((path) => !path.startsWith("exceptions/"));
  const exceptionFiles = [...files.keys()].filter((path) => path.startsWith("exceptions/"));
  const resourceFile = join(dir, "resources.yaml");
  writeFileSync(resourceFile, toYaml(resources));
  // `--exceptions` takes files, not a folder: one flag per exception file.
  // biome-ignore lint/style/noNonNullAssertion: only called when the binary exists
  const { stdout } = await runKyverno(kyverno!, [
    "apply",
    ...policyFiles.map((path) => join(dir, path)),
    "--resource",
    resourceFile,
    ...exceptionFiles.flatMap((path) => ["--exceptions", join(dir, path)]),
    "--policy-report",
    "--output-format",
    "json",
    "--remove-color",
  ]);
  const native = new Set(
    exceptionFiles.map((path) => path.replace(/^exceptions\//, "").replace(/\.yaml$/, "")),
  );
  return { stdout, results: reportResults(stdout), files, native };
}

// ---- verdicts -------------------------------------------------------------------------------

type Identity = { apiVersion?: string; kind?: string; namespace?: string; name?: string };
const resourceKey = (r: Identity) => `${r.apiVersion}/${r.kind} ${r.namespace}/${r.name}`;

/** One verdict per row: `fail`, `pass`, or `excused by <exception>`. */
interface Verdict {
  readonly row: string;
  readonly verdict: string;
}

function kyvernoVerdict(result: ReportResult): string {
  if (result.result === "skip" && result.properties?.exceptions)
    return `excused by ${result.properties.exceptions}`;
  return result.result;
}

function kyvernoVerdicts(api: KyvernoApi, results: readonly ReportResult[]): Verdict[] {
  return results
    .map((result) => {
      const resource = resourceKey(result.resources?.[0] ?? {});
      const row =
        api === "clusterpolicy"
          ? `${resource} ${result.policy}/${result.rule}`
          : `${resource} ${result.policy}`;
      return { row, verdict: kyvernoVerdict(result) };
    })
    .sort((a, b) => (a.row < b.row ? -1 : a.row > b.row ? 1 : 0));
}

/**
 * What Kyverno must say for an IR row: an exception emitted as a PolicyException shows as
 * itself; one folded into the CEL lets the rule hold, so it shows as `pass`.
 */
function expectedOfRow(finding: Finding, native: ReadonlySet<string>): string {
  if (finding.exception)
    return native.has(finding.exception.name) ? `excused by ${finding.exception.name}` : "pass";
  return finding.result;
}

/**
 * The IR's rows as Kyverno reports them: per rule for ClusterPolicy; per policy for
 * ValidatingPolicy (excused when one native exception excuses every rule, else failing when a
 * rule fails).
 */
function irVerdicts(
  api: KyvernoApi,
  findings: readonly Finding[],
  native: ReadonlySet<string>,
): Verdict[] {
  const verdicts: Verdict[] = [];
  if (api === "clusterpolicy") {
    for (const finding of findings) {
      verdicts.push({
        row: `${resourceKey(finding.resource)} ${finding.policy}/${finding.rule}`,
        verdict: expectedOfRow(finding, native),
      });
    }
  } else {
    const byPolicy = new Map<string, string[]>();
    for (const finding of findings) {
      const row = `${resourceKey(finding.resource)} ${finding.policy}`;
      byPolicy.set(row, [...(byPolicy.get(row) ?? []), expectedOfRow(finding, native)]);
    }
    for (const [row, rules] of byPolicy) {
      // Excused only when one exception excuses every rule: Kyverno exempting the whole
      // policy for an exception of some rules would hide the others' failures.
      const [first] = rules;
      const whole = first?.startsWith("excused by") && rules.every((v) => v === first);
      const verdict = whole && first ? first : rules.includes("fail") ? "fail" : "pass";
      verdicts.push({ row, verdict });
    }
  }
  return verdicts.sort((a, b) => (a.row < b.row ? -1 : a.row > b.row ? 1 : 0));
}

async function irFindings(given: readonly PolicyException[]): Promise<readonly Finding[]> {
  const engine = withExceptions(createIrEngine(policies), given, now);
  return engine.evaluate(resources.map((object) => ({ object })));
}

// ---- the tests ------------------------------------------------------------------------------

describe.skipIf(!kyverno)(
  "kyverno apply with the emitted PolicyExceptions (real Kyverno CLI)",
  () => {
    let findings: readonly Finding[] = [];
    const runs = new Map<KyvernoApi, KyvernoRun>();

    beforeAll(async () => {
      findings = await irFindings(exceptions);
      const done = await Promise.all(
        KYVERNO_APIS.map(async (api) => [api, await applyWith(api, inForce, "in-force")] as const),
      );
      for (const [api, result] of done) runs.set(api, result);
    });

    const runOf = (api: KyvernoApi) => {
      const found = runs.get(api);
      if (!found) throw new Error(`no kyverno run for ${api}`);
      return found;
    };

    it("the scenario exercises every exception on the IR engine, and fails without them", async () => {
      const excusing = new Set(findings.flatMap((f) => (f.exception ? [f.exception.name] : [])));
      for (const exception of inForce) expect(excusing, exception.name).toContain(exception.name);
      expect(excusing).not.toContain("sandbox-privileged");
      // Without the exceptions more rows fail: they excuse real failures, not only passing rows.
      const bare = await irFindings([]);
      const failing = bare.filter((f) => f.result === "fail").length;
      expect(failing).toBeGreaterThan(findings.filter((f) => f.result === "fail").length);
      for (const name of POLICY_NAMES) {
        expect(
          findings.some((f) => f.policy === name && f.result === "fail"),
          `${name} still fails somewhere`,
        ).toBe(true);
      }
    });

    it.each(KYVERNO_APIS)(
      "%s: the emitted exceptions are PolicyExceptions Kyverno loads",
      (api) => {
        const { stdout, results, native } = runOf(api);
        const detail = `kyverno output:\n${stdout}`;
        expect(results.length, detail).toBeGreaterThan(0);
        expect(
          results.filter((r) => r.result === "error"),
          detail,
        ).toEqual([]);
        expect(stdout, detail).not.toMatch(/failed to load exceptions|unable to read yaml/i);
        // Both paths are taken for each API: some exceptions native, some folded.
        expect(native.size).toBeGreaterThan(0);
        expect(native.size).toBeLessThan(inForce.length);
        // Each native exception excuses something in Kyverno's own report.
        const named = new Set(results.flatMap((r) => r.properties?.exceptions?.split(",") ?? []));
        for (const name of native) expect(named, `${name}; ${detail}`).toContain(name);
      },
    );

    it.each(KYVERNO_APIS)("%s: Kyverno agrees with the IR engine on every row", (api) => {
      const { stdout, results, native } = runOf(api);
      expect(kyvernoVerdicts(api, results), `kyverno output:\n${stdout}`).toEqual(
        irVerdicts(api, findings, native),
      );
    });

    it.each(KYVERNO_APIS)(
      "%s: spot checks (an excused resource, its unexcused twin, the other rule)",
      (api) => {
        const verdicts = new Map(
          kyvernoVerdicts(api, runOf(api).results).map((v) => [v.row, v.verdict]),
        );
        const { native } = runOf(api);
        // A native PolicyException shows as a skip naming it; a folded one as a pass.
        const excusedBy = (name: string) => (native.has(name) ? `excused by ${name}` : "pass");
        const of = (resource: string, policy: string, rule: string) =>
          verdicts.get(
            api === "clusterpolicy" ? `${resource} ${policy}/${rule}` : `${resource} ${policy}`,
          );
        const hostPath = (r: string) => of(r, "disallow-host-path", "hostPath");
        expect(hostPath("v1/Pod monitoring/log-reader")).toBe(excusedBy("monitoring-host-path"));
        expect(hostPath("v1/Pod default/log-reader")).toBe("fail");
        expect(hostPath("apps/v1/DaemonSet default/log-shipper")).toBe(
          excusedBy("daemonset-host-path"),
        );
        expect(hostPath("apps/v1/Deployment default/log-shipper")).toBe("fail");
        // An exception for one policy does not excuse another.
        expect(hostPath("v1/Pod default/node-agent-7x2k")).toBe("fail");
        const privileged = (r: string) => of(r, "disallow-privileged-containers", "privileged");
        expect(privileged("v1/Pod default/node-agent-7x2k")).toBe(
          excusedBy("node-agent-privileged"),
        );
        expect(privileged("v1/Pod default/web-node-agent")).toBe("fail");
        expect(privileged("batch/v1/Job batch/etl")).toBe(excusedBy("etl-privileged"));
        expect(privileged("batch/v1/Job batch/etl-unowned")).toBe("fail");
        expect(privileged("batch/v1/CronJob batch/etl-nightly")).toBe("fail");
        expect(privileged("batch/v1/Job default/etl")).toBe("fail");
        expect(privileged("v1/Pod sandbox/sandboxed")).toBe("fail");
        const registry = (r: string) => of(r, "restrict-image-registries", "registry");
        expect(registry("v1/Pod default/legacy-app")).toBe(excusedBy("legacy-registries"));
        expect(registry("v1/Pod default/legacy-debug")).toBe("fail");
        expect(registry("apps/v1/Deployment default/legacy-api")).toBe(
          excusedBy("legacy-registries"),
        );
        expect(registry("apps/v1/Deployment default/templated-api")).toBe("fail");
        expect(registry("v1/Pod default/half-mirrored")).toBe("fail");
        expect(registry("v1/Pod default/mirrored")).toBe(excusedBy("mirror-images"));
        // Some rules only: the other rule of the policy still fails.
        const old = "v1/Pod legacy/old-web";
        if (api === "clusterpolicy") {
          expect(of(old, "disallow-latest-tag", "latestTag")).toBe(excusedBy("legacy-latest-tag"));
          expect(of(old, "disallow-latest-tag", "missingTag")).toBe("fail");
          expect(of("v1/Pod default/tool-a", "disallow-latest-tag", "latestTag")).toBe("pass");
          expect(of("v1/Pod default/tool-ab", "disallow-latest-tag", "latestTag")).toBe("fail");
        } else {
          expect(of(old, "disallow-latest-tag", "")).toBe("fail");
          expect(of("v1/Pod legacy/old-cron", "disallow-latest-tag", "")).toBe("pass");
          expect(of("v1/Pod default/tool-a", "disallow-latest-tag", "")).toBe(
            excusedBy("tool-any-tag"),
          );
          expect(of("v1/Pod default/tool-ab", "disallow-latest-tag", "")).toBe("fail");
        }
      },
    );

    it.each(KYVERNO_APIS)(
      "%s: `kyverno apply` ignores expiry — an expired exception shipped anyway still excuses",
      async (api) => {
        const expired = exceptions.filter((e) => e.name === "sandbox-privileged");
        const { stdout, results, files, native } = await applyWith(api, expired, "expired");
        expect(native.has("sandbox-privileged")).toBe(true);
        const document = parse(files.get("exceptions/sandbox-privileged.yaml") ?? "") as {
          metadata: { labels: Record<string, string> };
          spec: { expiresAt?: string };
        };
        // The clock is on the object: past for policies.kyverno.io, the TTL label for both.
        expect(document.metadata.labels["cleanup.kyverno.io/ttl"]).toBe("2020-02-01T000000Z");
        if (api === "validatingpolicy") {
          expect(document.spec.expiresAt).toBe("2020-02-01T00:00:00Z");
          expect(Date.parse(document.spec.expiresAt ?? "")).toBeLessThan(now);
        } else {
          expect(document.spec.expiresAt).toBeUndefined();
        }
        const sandboxed = results.filter(
          (r) =>
            r.policy === "disallow-privileged-containers" && r.resources?.[0]?.name === "sandboxed",
        );
        expect(sandboxed.map(kyvernoVerdict), `kyverno output:\n${stdout}`).toEqual([
          "excused by sandbox-privileged",
        ]);
        // The IR engine, with the clock, does not excuse it: why the build must drop it.
        const ir = findings.filter(
          (f) => f.policy === "disallow-privileged-containers" && f.resource.name === "sandboxed",
        );
        expect(ir.map((f) => f.result)).toEqual(["fail"]);
      },
    );
  },
);
