/**
 * Every ValidatingAdmissionPolicy of the library in the real API server (kube-apiserver
 * v1.35.8 with its controller manager, test/cluster's dev cluster), with a warn and an audit
 * policy and the exceptions of test/fixtures/exceptions-project folded in
 * (test/fixtures/vap-differential-project):
 *
 * - applied with server-side apply, all accepted, and type-checked by the controller against
 *   the matched kinds' schemas with no warning (a warning is a field path or type the schema
 *   does not have);
 * - a differential: generated objects the server's own validation accepts (Pods, every pod
 *   controller, ephemeral containers through `pods/ephemeralcontainers` as `kubectl debug`
 *   adds them, RBAC, Services, Ingresses, NetworkPolicies, PeerAuthentications) created with
 *   `dryRun=All` in namespaces with and without the labels the policies read. `charter check`
 *   judges the same objects written as manifests; the server must fail exactly the policies
 *   Charter fails, with the same messages. The whole set is read through a probe binding per
 *   policy whose action is `Warn` (one warning per failing validation; the server keeps 4 KiB
 *   of warnings a response, so a case that needs more is sent again with the probes in groups).
 *   An `Audit` pass checks the audit log (which records only the first failure of a request:
 *   the annotation cannot be set twice), and the emitted `Deny` bindings must refuse exactly the
 *   objects Charter says a deny policy fails, naming one of them with its message (the server
 *   names only the first).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { JsonObject } from "@charter/ir";
import type { DevCluster } from "@charter/server";
import { devClusterForTests } from "@charter/test-support/dev-cluster-for-tests";
import {
  DIFFERENTIAL_NAMESPACES,
  DIFFERENTIAL_RUNTIME_CLASSES,
} from "@charter/test-support/server-valid-resources";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import policies from "../../policies/index.js";
import auditServiceType from "../fixtures/crd-objects-project/policies/audit-service-type.js";
import warnTeamLabel from "../fixtures/crd-objects-project/policies/warn-team-label.js";
import { repoRoot, runCli } from "../support/run-cli.js";
import {
  type ApiAnswer,
  type ApiClient,
  apiClient,
  collectionPath,
  inParallel,
} from "./support/api-requests.js";
import { auditedFailures } from "./support/audit-log.js";
import { type Case, generateCases } from "./support/differential-cases.js";
import { PEER_AUTHENTICATION_CRD } from "./support/peer-authentication-crd.js";

const PROJECT = join(repoRoot, "test", "fixtures", "vap-differential-project");
const NOW = "2027-01-20";
const FIXED_COUNT = Number(process.env.CHARTER_CLUSTER_COUNT ?? 2000);
const RANDOM_COUNT = Math.ceil(FIXED_COUNT / 4);
const EPHEMERAL_COUNT = Math.ceil(FIXED_COUNT / 20);
const AUDIT_SAMPLE = 600;

/** Policies no object the server accepts can fail, with the reason. */
const NO_VALID_OBJECT_FAILS: Readonly<Record<string, string>> = {
  "disallow-proc-mount":
    "the server refuses a procMount other than Default unless spec.hostUsers is false, which the baseline policy allows",
};

/** `policy rule` → message, for the (policy, rule) pairs that fail one object. */
type Failures = Map<string, string>;

const key = (policy: string, rule: string) => `${policy} ${rule}`;

/** `charter check` of the cases as manifests (with the Namespaces), by case index. */
async function offlineVerdicts(cases: readonly Case[], dir: string): Promise<Failures[]> {
  const namespaces = DIFFERENTIAL_NAMESPACES.map(({ name, labels }) => ({
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name, labels: { "kubernetes.io/metadata.name": name, ...labels } },
  }));
  const file = join(dir, "manifests.yaml");
  writeFileSync(
    file,
    [...namespaces, ...cases.map((c) => c.judged)].map((o) => JSON.stringify(o)).join("\n---\n"),
  );
  const run = await runCli(["check", file, "--format", "json", "--engine", "ir", "--now", NOW], {
    cwd: PROJECT,
  });
  expect(run.code, run.stderr).not.toBe(2);
  const rows = JSON.parse(run.stdout).results as {
    policy: string;
    rule: string;
    result: string;
    message: string;
    resource: { kind: string; namespace?: string; name: string };
    exception?: { name: string };
  }[];
  // The exceptions in force must excuse something, or the VAP's folded exceptions are untested.
  const excused = new Map<string, number>();
  for (const row of rows) {
    if (row.exception) excused.set(row.exception.name, (excused.get(row.exception.name) ?? 0) + 1);
  }
  console.log(
    `exceptions applied by charter check: ${JSON.stringify(Object.fromEntries(excused))}`,
  );
  expect([...excused.keys()].sort()).toEqual([
    "batch-limits",
    "legacy-latest-tag",
    "node-agent-host-path",
  ]);
  const byName = new Map<string, number>();
  cases.forEach((c, i) => {
    const metadata = c.judged.metadata as JsonObject;
    byName.set(`${c.judged.kind} ${metadata.namespace ?? ""} ${metadata.name}`, i);
  });
  const verdicts = cases.map((): Failures => new Map());
  for (const row of rows) {
    if (row.result === "error")
      throw new Error(`charter check gave an error row: ${JSON.stringify(row)}`);
    if (row.result !== "fail") continue;
    const index = byName.get(
      `${row.resource.kind} ${row.resource.namespace ?? ""} ${row.resource.name}`,
    );
    if (index === undefined) continue; // a Namespace
    verdicts[index]?.set(key(row.policy, row.rule), row.message);
  }
  return verdicts;
}

describe("ValidatingAdmissionPolicies in the real API server", () => {
  let cluster: DevCluster | undefined;
  let api: ApiClient;
  let work: string;
  /** The built VAP documents: policies and their bindings. */
  const vapPolicies: JsonObject[] = [];
  const vapBindings: JsonObject[] = [];
  const kubectl = (...args: string[]) =>
    execFileSync(
      (cluster as DevCluster).binaries.kubectl,
      ["--kubeconfig", (cluster as DevCluster).kubeconfigs.admin, ...args],
      { encoding: "utf8", stdio: ["pipe", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 },
    );
  const applyDocuments = (documents: readonly JsonObject[]) => {
    const file = join(work, `apply-${Date.now()}-${Math.random()}.json`);
    writeFileSync(file, JSON.stringify({ apiVersion: "v1", kind: "List", items: documents }));
    return kubectl("apply", "--server-side", "--field-manager=charter-test", "-f", file);
  };

  beforeAll(async () => {
    cluster = await devClusterForTests();
    if (cluster === undefined) return;
    work = mkdtempSync(join(tmpdir(), "charter-vap-"));
    api = apiClient(
      cluster.server,
      readFileSync(cluster.caFile, "utf8"),
      cluster.users.admin.token,
    );
    const built = await runCli(
      ["build", "--out", join(work, "dist"), "--target", "vap", "--now", NOW],
      {
        cwd: PROJECT,
      },
    );
    expect(built.code, built.stderr).toBe(0);
    for (const file of readdirSync(join(work, "dist", "vap")).sort()) {
      for (const document of parseAllDocuments(
        readFileSync(join(work, "dist", "vap", file), "utf8"),
      )) {
        const object = document.toJS() as JsonObject;
        if (object.kind === "ValidatingAdmissionPolicy") vapPolicies.push(object);
        else if (object.kind === "ValidatingAdmissionPolicyBinding") vapBindings.push(object);
        else throw new Error(`unexpected ${object.kind} in ${file}`);
      }
    }
    // What the objects need to be admitted at all: their namespaces (and ServiceAccounts), the
    // RuntimeClasses they name, and the PeerAuthentication kind (a minimal CRD).
    applyDocuments([
      ...DIFFERENTIAL_NAMESPACES.filter((n) => !["default", "kube-system"].includes(n.name)).map(
        ({ name, labels }) => ({
          apiVersion: "v1",
          kind: "Namespace",
          metadata: { name, labels },
        }),
      ),
      ...DIFFERENTIAL_RUNTIME_CLASSES.map((name) => ({
        apiVersion: "node.k8s.io/v1",
        kind: "RuntimeClass",
        metadata: { name },
        handler: name,
      })),
      PEER_AUTHENTICATION_CRD,
    ]);
    for (const { name } of DIFFERENTIAL_NAMESPACES) await cluster.waitForServiceAccount(name);
    kubectl("wait", "--for=condition=Established", "crd/peerauthentications.security.istio.io");
    // The policies go in once, unbound: each test binds them as it needs.
    applyDocuments(vapPolicies);
  }, 300_000);

  afterAll(async () => {
    api?.close();
    await cluster?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("accepts every policy, and type-checks every one without a warning", async () => {
    if (cluster === undefined) return;
    expect(vapPolicies.length).toBeGreaterThanOrEqual(35);
    const names = new Set(vapPolicies.map((p) => (p.metadata as JsonObject).name as string));
    // The controller manager writes status.typeChecking for the current generation; without
    // this wait the check could pass because it never ran.
    let pending: string[] = [...names];
    let warnings: string[] = [];
    const deadline = Date.now() + 120_000;
    while (pending.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const listed = JSON.parse(kubectl("get", "validatingadmissionpolicies", "-o", "json"))
        .items as JsonObject[];
      pending = [];
      warnings = [];
      for (const policy of listed) {
        const metadata = policy.metadata as JsonObject;
        if (!names.has(metadata.name as string)) continue;
        const status = (policy.status ?? {}) as JsonObject;
        if (
          status.observedGeneration !== metadata.generation ||
          status.typeChecking === undefined
        ) {
          pending.push(metadata.name as string);
          continue;
        }
        for (const warning of ((status.typeChecking as JsonObject).expressionWarnings ??
          []) as JsonObject[]) {
          warnings.push(`${metadata.name} ${warning.fieldRef}: ${warning.warning}`);
        }
      }
    }
    expect(pending, "policies the controller never type-checked").toEqual([]);
    expect(warnings).toEqual([]);
  }, 180_000);

  describe("the differential", () => {
    let cases: Case[] = [];
    /** charter check's failures per case, of the policies built for VAP. */
    let offline: Failures[] = [];
    /** Cases the server's validation refused (no admission ran): never compared. */
    const refused = new Set<number>();
    const ruleNames = new Map(
      [...policies, auditServiceType, warnTeamLabel].map((p) => [
        p.name,
        p.rules.map((r) => r.name),
      ]),
    );
    const policyNames = () => vapPolicies.map((p) => (p.metadata as JsonObject).name as string);
    const probeName = (policy: string) => `${policy}-probe`;

    /** Sends the cases (dry run; ephemeral containers through their subresource). */
    const send = (indexes: readonly number[]) =>
      inParallel(indexes, 4, (i) => {
        const c = cases[i] as Case;
        if (c.ephemeral === undefined) {
          const path = `${collectionPath(c.judged)}?dryRun=All&fieldValidation=Strict`;
          return api.send("POST", path, c.judged);
        }
        const metadata = c.ephemeral.pod.metadata as JsonObject;
        const path = `${collectionPath(c.ephemeral.pod)}/${metadata.name}/ephemeralcontainers?dryRun=All`;
        return api.send(
          "PATCH",
          path,
          { spec: { ephemeralContainers: c.ephemeral.containers } },
          "application/strategic-merge-patch+json",
        );
      });

    /**
     * Binds `policies` with `actions` under probe names, unbinding every other probe, and waits
     * until the server's policy cache shows it: a sentinel Pod in `default` (which fails
     * disallow-default-namespace) must be answered as the new bindings say.
     */
    const bindProbes = async (actions: string[], bound: readonly string[]) => {
      const keep = new Set(bound);
      const stale = policyNames()
        .filter((name) => !keep.has(name))
        .map(probeName);
      if (stale.length > 0) {
        kubectl("delete", "validatingadmissionpolicybindings", "--ignore-not-found", ...stale);
      }
      if (bound.length > 0) {
        applyDocuments(
          vapBindings
            .filter((binding) => keep.has((binding.spec as JsonObject).policyName as string))
            .map((binding) => {
              const policy = (binding.spec as JsonObject).policyName as string;
              return {
                ...binding,
                metadata: { ...(binding.metadata as JsonObject), name: probeName(policy) },
                spec: { ...(binding.spec as JsonObject), validationActions: actions },
              };
            }),
        );
      }
      await waitForSentinel((answer) => {
        const warned = answer.warnings.some((w) =>
          w.includes("'disallow-default-namespace-probe'"),
        );
        const expectWarning = keep.has("disallow-default-namespace") && actions.includes("Warn");
        return warned === expectWarning && answer.status < 400;
      });
      await settle();
    };
    /**
     * The server compiles its policy cache at most once a second, from informer events: once
     * the sentinel shows one of the changes, the rest of the same apply are at most one refresh
     * behind.
     */
    const settle = () => new Promise((resolve) => setTimeout(resolve, 2500));

    const SENTINEL = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "sentinel", namespace: "default" },
      spec: { containers: [{ name: "app", image: "registry.example.com/app:1.2.3" }] },
    };
    const waitForSentinel = async (ready: (answer: ApiAnswer) => boolean) => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const answer = await api.send("POST", `${collectionPath(SENTINEL)}?dryRun=All`, SENTINEL);
        if (ready(answer)) return;
        if (Date.now() > deadline)
          throw new Error(`bindings not in force: ${JSON.stringify(answer)}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    };

    /** The warnings a Warn probe gives for `failures`, restricted to `policies`. */
    const expectedWarnings = (failures: Failures, policies?: ReadonlySet<string>) =>
      [...failures]
        .map(([k, message]) => [k.split(" ")[0] as string, message] as const)
        .filter(([policy]) => policies === undefined || policies.has(policy))
        .map(
          ([policy, message]) =>
            `Validation failed for ValidatingAdmissionPolicy '${policy}' with binding '${probeName(policy)}': ${message}`,
        )
        .sort();
    /** The warnings of the probes (the server adds its own, e.g. for deprecated annotations). */
    const policyWarnings = (answer: ApiAnswer) =>
      answer.warnings.filter((w) =>
        w.startsWith("Validation failed for ValidatingAdmissionPolicy "),
      );
    /** Past its budget the server cuts every warning to 256 runes and drops the rest. */
    const truncated = (answer: ApiAnswer) => answer.warnings.some((w) => [...w].length === 256);
    /** The API server keeps 4 KiB of warnings a response (in runes); past it, it cuts them. */
    const fitsWarningBudget = (warnings: readonly string[]) =>
      warnings.reduce((sum, w) => sum + [...w].length, 0) <= 4000;

    beforeAll(async () => {
      if (cluster === undefined) return;
      cases = generateCases("cluster differential", {
        fixed: FIXED_COUNT,
        random: RANDOM_COUNT,
        ephemeral: EPHEMERAL_COUNT,
      });
      const vap = new Set(policyNames());
      offline = (await offlineVerdicts(cases, work)).map(
        (failures) => new Map([...failures].filter(([k]) => vap.has(k.split(" ")[0] as string))),
      );
      // The stored Pods that ephemeral containers are added to (no policy is bound yet). One
      // the server's validation refuses leaves its case to be refused as the others are.
      await inParallel(
        cases.filter((c) => c.ephemeral !== undefined),
        4,
        async (c) => {
          const pod = (c.ephemeral as NonNullable<Case["ephemeral"]>).pod;
          const answer = await api.send("POST", collectionPath(pod), pod);
          if (answer.status !== 201 && answer.reason !== "Invalid") {
            throw new Error(`cannot store ${JSON.stringify(pod)}: ${answer.message}`);
          }
        },
      );
    }, 600_000);

    it("fails exactly the policies charter check fails, with its messages (Warn)", async () => {
      if (cluster === undefined) return;
      const all = policyNames();
      await bindProbes(["Warn"], all);
      const started = Date.now();
      const answers = await send(cases.map((_, i) => i));
      const perSecond = (cases.length / ((Date.now() - started) / 1000)).toFixed(0);
      const disagreements: string[] = [];
      const failedBy = new Map<number, Set<string>>();
      const compare = (i: number, actual: readonly string[], expected: readonly string[]) => {
        const only = (a: readonly string[], b: readonly string[]) =>
          a.filter((w) => !b.includes(w));
        const onlyServer = only(actual, expected);
        const onlyCharter = only(expected, actual);
        if (onlyServer.length > 0 || onlyCharter.length > 0) {
          disagreements.push(
            `${JSON.stringify((cases[i] as Case).judged)}\n  only charter check: ${JSON.stringify(onlyCharter)}\n  only the API server: ${JSON.stringify(onlyServer)}`,
          );
        }
        const failed = failedBy.get(i) ?? new Set<string>();
        for (const w of actual)
          failed.add(/ValidatingAdmissionPolicy '([^']+)'/.exec(w)?.[1] ?? "");
        failedBy.set(i, failed);
      };
      // Cases whose warnings do not fit the budget in one response are sent again per group.
      const overBudget: number[] = [];
      answers.forEach((answer, i) => {
        if (answer.status >= 400) {
          refused.add(i);
          return;
        }
        const expected = expectedWarnings(offline[i] as Failures);
        if (fitsWarningBudget(expected) && !truncated(answer)) {
          compare(i, policyWarnings(answer), expected);
        } else overBudget.push(i);
      });
      let groups = 1;
      const fits = (g: number) =>
        overBudget.every((i) =>
          Array.from({ length: g }, (_, k) => new Set(all.filter((_, j) => j % g === k))).every(
            (group) => fitsWarningBudget(expectedWarnings(offline[i] as Failures, group)),
          ),
        );
      while (overBudget.length > 0 && !fits(groups)) groups++;
      for (let k = 0; overBudget.length > 0 && k < groups; k++) {
        const group = new Set(all.filter((_, j) => j % groups === k));
        await bindProbes(["Warn"], [...group]);
        const again = await send(overBudget);
        again.forEach((answer, n) => {
          const i = overBudget[n] as number;
          const expected = expectedWarnings(offline[i] as Failures, group);
          compare(i, policyWarnings(answer), expected);
        });
      }
      await bindProbes(["Warn"], []);

      const judged = cases.length - refused.size;
      const counts = all.map((name) => {
        let failed = 0;
        for (const [i, names] of failedBy) if (!refused.has(i) && names.has(name)) failed++;
        return { name, failed, passed: judged - failed };
      });
      console.log(
        `cluster differential: ${cases.length} requests (${perSecond}/s), ${judged} judged by admission, ${refused.size} refused by the server's validation, ${overBudget.length} sent again in ${groups} groups (4 KiB of warnings)\n${counts
          .map(
            ({ name, passed, failed }) =>
              `  ${name.padEnd(44)} passed ${String(passed).padStart(5)}  failed ${String(failed).padStart(5)}`,
          )
          .join("\n")}`,
      );
      expect(disagreements.slice(0, 5)).toEqual([]);
      expect(judged).toBeGreaterThanOrEqual(FIXED_COUNT);
      // Every policy was seen both ways: none passes or fails everything by accident.
      const oneWay = counts.filter((c) => c.passed === 0 || c.failed === 0).map((c) => c.name);
      expect(oneWay.filter((name) => !(name in NO_VALID_OBJECT_FAILS))).toEqual([]);
    }, 1_200_000);

    it("records a failure in the audit log through Audit bindings", async () => {
      if (cluster === undefined) return;
      await bindProbes(["Audit"], policyNames());
      // One failure a request is recorded, so a sample says as much as the whole set.
      const indexes = cases
        .map((_, i) => i)
        .filter((i) => !refused.has(i))
        .slice(0, AUDIT_SAMPLE);
      const log = cluster.auditLog;
      /** Sends the requests and reads their audit events (the log catches up within 60 s). */
      const audit = async (which: readonly number[]) => {
        const answers = await send(which);
        let audited = auditedFailures(log);
        for (let n = 0; n < 300 && !answers.every((a) => audited.has(a.auditId)); n++) {
          await new Promise((resolve) => setTimeout(resolve, 200));
          audited = auditedFailures(log);
        }
        return new Map(which.map((i, n) => [i, audited.get((answers[n] as ApiAnswer).auditId)]));
      };
      // The sentinel shows one binding in force; the server's cache may take the others some
      // seconds more under load. A request audited with no failure where charter check has one
      // is sent again (at most 10 times, 3 s apart) before it counts: a binding never in force,
      // or a policy the server passes, still fails below.
      const recorded = await audit(indexes);
      const unrecorded = () =>
        indexes.filter((i) => recorded.get(i)?.length === 0 && (offline[i] as Failures).size > 0);
      for (let round = 0; round < 10 && unrecorded().length > 0; round++) {
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        for (const [i, failures] of await audit(unrecorded())) recorded.set(i, failures);
      }
      await bindProbes(["Audit"], []);
      // The server records one failure a request (its annotation cannot be set twice): it must
      // be one charter check reports, rule and message, and present exactly when one fails.
      const problems: string[] = [];
      for (const i of indexes) {
        const failures = recorded.get(i);
        const expected = offline[i] as Failures;
        if (failures === undefined) {
          problems.push(`no audit event for case ${i}`);
          continue;
        }
        if (failures.length > 0 !== expected.size > 0) {
          problems.push(
            `audited ${JSON.stringify(failures)}, charter check ${JSON.stringify([...expected])}`,
          );
          continue;
        }
        for (const failure of failures) {
          const rule = ruleNames.get(failure.policy)?.[failure.expressionIndex];
          if (expected.get(key(failure.policy, String(rule))) !== failure.message) {
            problems.push(
              `audited ${JSON.stringify(failure)}, charter check ${JSON.stringify([...expected])}`,
            );
          }
        }
      }
      expect(problems.slice(0, 5)).toEqual([]);
    }, 900_000);

    it("answers as each policy's enforcement says through the emitted bindings", async () => {
      if (cluster === undefined) return;
      applyDocuments(vapBindings);
      await waitForSentinel((answer) => answer.status >= 400);
      await settle();
      const indexes = cases.map((_, i) => i).filter((i) => !refused.has(i));
      const answers = await send(indexes);
      let audited = auditedFailures(cluster.auditLog);
      // The audit log catches up as the server gets to it: 60 s at most (a readiness wait).
      for (let n = 0; n < 300 && !answers.every((a) => audited.has(a.auditId)); n++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        audited = auditedFailures(cluster.auditLog);
      }
      kubectl(
        "delete",
        "validatingadmissionpolicybindings",
        ...vapBindings.map((b) => (b.metadata as JsonObject).name as string),
      );
      const enforcement = new Map(
        vapPolicies.map((p) => {
          const metadata = p.metadata as JsonObject;
          const annotations = metadata.annotations as JsonObject;
          return [metadata.name as string, annotations["charter.dev/enforcement"] as string];
        }),
      );
      const bindingOf = new Map(
        vapBindings.map((b) => [
          (b.spec as JsonObject).policyName as string,
          (b.metadata as JsonObject).name as string,
        ]),
      );
      const problems: string[] = [];
      const seen = { deny: 0, warn: 0, audit: 0 };
      answers.forEach((answer, n) => {
        const failures = [...(offline[indexes[n] as number] as Failures)];
        const withEnforcement = (e: string) =>
          failures.filter(([k]) => enforcement.get(k.split(" ")[0] as string) === e);
        const deny = withEnforcement("deny");
        // Deny: refused exactly when a deny policy fails, naming one of them with its message
        // (the server names the first it met).
        const match =
          /ValidatingAdmissionPolicy '([^']+)' with binding '[^']+' denied request: (.*)$/s.exec(
            answer.message ?? "",
          );
        if (deny.length === 0 && answer.status >= 400) {
          problems.push(`refused, charter check fails no deny policy: ${answer.message}`);
        } else if (deny.length > 0) {
          seen.deny++;
          const [, policy, message] = match ?? [];
          const candidates = deny.filter(([k]) => k.startsWith(`${policy} `)).map(([, m]) => m);
          if (answer.status !== 403 || !candidates.includes(message as string)) {
            problems.push(
              `answered ${answer.status} ${answer.message ?? ""}, charter check fails ${JSON.stringify(deny)}`,
            );
          }
        }
        // Warn: one warning per failing rule, whether or not the request was refused.
        const warn = withEnforcement("warn").map(([k, m]) => {
          const policy = k.split(" ")[0] as string;
          return `Validation failed for ValidatingAdmissionPolicy '${policy}' with binding '${bindingOf.get(policy)}': ${m}`;
        });
        if (warn.length > 0) seen.warn++;
        if (JSON.stringify(policyWarnings(answer).sort()) !== JSON.stringify(warn.sort())) {
          problems.push(
            `warnings ${JSON.stringify(policyWarnings(answer))}, charter check ${JSON.stringify(warn)}`,
          );
        }
        // Audit: the first failing audit rule in the audit log (one annotation a request).
        const audit = withEnforcement("audit");
        if (audit.length > 0 && answer.status < 400) {
          seen.audit++;
          const recorded = (audited.get(answer.auditId) ?? []).map(
            (f) => `${f.policy} ${ruleNames.get(f.policy)?.[f.expressionIndex]}: ${f.message}`,
          );
          const expected = audit.map(([k, m]) => `${k}: ${m}`);
          if (recorded.length !== 1 || !expected.includes(recorded[0] as string)) {
            problems.push(
              `audited ${JSON.stringify(recorded)}, charter check ${JSON.stringify(expected)}`,
            );
          }
        }
      });
      console.log(
        `emitted bindings: ${JSON.stringify(seen)} objects failing deny, warn and audit policies`,
      );
      expect(problems.slice(0, 5)).toEqual([]);
      expect(Object.values(seen).every((count) => count > 0)).toBe(true);
    }, 900_000);
  });
});
