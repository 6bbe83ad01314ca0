/**
 * Charter's admission webhook behind the real API server (kube-apiserver v1.35.8 of the dev
 * cluster), with the whole library — cross-resource policies included — and the warn/audit
 * policies and exceptions of test/fixtures/vap-differential-project:
 *
 * - `charter webhook` runs as a user runs it (the CLI, `--self-signed`, watching the cluster's
 *   Namespaces, NetworkPolicies, RuntimeClasses and PeerAuthentications through the admin's
 *   kubeconfig); the ValidatingWebhookConfiguration is the one `charter build --target webhook`
 *   emits, its `clientConfig.service` replaced by the webhook's URL (a Service's endpoints may
 *   not be loopback addresses) and its `caBundle` the printed one;
 * - a differential: generated objects the server's validation accepts, created with
 *   `dryRun=All` (ephemeral containers through `pods/ephemeralcontainers`) in namespaces with and
 *   without the labels and NetworkPolicies the policies read, must get the answer `charter
 *   check` gives for the same objects as manifests with the same Namespaces, NetworkPolicies and
 *   RuntimeClasses: refused exactly when a deny rule fails, with the webhook's denial message
 *   built from check's rows, and check's warn failures as the warnings the client receives;
 *   audit failures reach the API server's audit log as the webhook's annotations;
 * - an UPDATE that makes a stored object fail a deny policy is refused; with the webhook down,
 *   `failurePolicy: Fail` refuses and `Ignore` admits; a webhook slower than `timeoutSeconds`
 *   makes the call time out.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { JsonObject } from "@charter/ir";
import type { Finding } from "@charter/runtime";
import {
  type DevCluster,
  denialMessage,
  selfSignedCertificates,
  warningsOf,
} from "@charter/server";
import { devClusterForTests } from "@charter/test-support/dev-cluster-for-tests";
import {
  DIFFERENTIAL_NAMESPACES,
  DIFFERENTIAL_RUNTIME_CLASSES,
} from "@charter/test-support/server-valid-resources";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { repoRoot, runCli } from "../support/run-cli.js";
import {
  caBundleOf,
  killWebhooks,
  type RunningWebhook,
  startWebhookCli,
} from "../support/webhook-process.js";
import {
  type ApiAnswer,
  type ApiClient,
  apiClient,
  collectionPath,
  inParallel,
} from "./support/api-requests.js";
import { type Case, generateCases } from "./support/differential-cases.js";
import { PEER_AUTHENTICATION_CRD } from "./support/peer-authentication-crd.js";

const PROJECT = join(repoRoot, "test", "fixtures", "vap-differential-project");
const NOW = "2027-01-20";
const FIXED_COUNT = Number(process.env.CHARTER_CLUSTER_COUNT ?? 2000);
const RESOURCES_WEBHOOK = "resources.charter.dev";
/** Kinds a policy reads across resources: cases of these kinds are judged apart (below). */
const INVENTORY_KINDS = new Set([
  "Namespace",
  "NetworkPolicy",
  "RuntimeClass",
  "PeerAuthentication",
]);
const AUDIT_SAMPLE = 400;

/** Policies no object the server accepts can fail, with the reason. */
const NO_VALID_OBJECT_FAILS: Readonly<Record<string, string>> = {
  "disallow-proc-mount":
    "the server refuses a procMount other than Default unless spec.hostUsers is false, which the baseline policy allows",
  "require-encryption-config": "scan only: the API server never admits an EncryptionConfiguration",
  "block-vulnerable-images":
    "scan only (scanner reports): not judged at admission, and a skip offline without --vuln-reports",
  "require-recent-vulnerability-scan":
    "scan only (scanner reports): not judged at admission, and a skip offline without --vuln-reports",
};

/** The NetworkPolicies in the cluster: a default-deny in two namespaces, an allow in one. */
const NETWORK_POLICIES: JsonObject[] = [
  networkPolicy("deny-all", "team-a", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
  networkPolicy("deny-ingress", "sandbox", { podSelector: {}, policyTypes: ["Ingress"] }),
  networkPolicy("allow-web", "monitoring", {
    podSelector: { matchLabels: { app: "api" } },
    policyTypes: ["Ingress"],
    ingress: [{ from: [{ podSelector: { matchLabels: { app: "web" } } }] }],
  }),
];

function networkPolicy(name: string, namespace: string, spec: JsonObject): JsonObject {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, namespace },
    spec,
  };
}

/** A row of `charter check --format json`. */
interface Row {
  readonly policy: string;
  readonly rule: string;
  readonly result: "pass" | "fail" | "skip" | "error";
  readonly message: string;
  readonly enforcement: "deny" | "warn" | "audit";
  readonly severity: string;
  readonly resource: { apiVersion: string; kind: string; namespace?: string; name: string };
  readonly exception?: { readonly name: string };
}

/** What the webhook must answer for one case, from check's rows. */
interface Expected {
  readonly denied: boolean;
  /** The Status message the client receives when denied. */
  readonly message?: string;
  readonly warnings: readonly string[];
  /** Audit annotation keys (with the webhook's name) and values. */
  readonly annotations: Readonly<Record<string, string>>;
  readonly failing: ReadonlySet<string>;
  /** The policies with a row for the object (those that apply to it). */
  readonly applying: ReadonlySet<string>;
}

const asFinding = (row: Row): Finding => ({
  policy: row.policy,
  rule: row.rule,
  result: row.result,
  message: row.message,
  messages: [row.message],
  severity: row.severity as Finding["severity"],
  enforcement: row.enforcement,
  resource: row.resource,
  resourceIndex: 0,
});

function expectedAnswer(rows: readonly Row[]): Expected {
  const denying = rows.filter(
    (r) => r.result === "error" || (r.result === "fail" && r.enforcement === "deny"),
  );
  const warned = rows.filter((r) => r.result === "fail" && r.enforcement === "warn");
  const audited = rows.filter((r) => r.result === "fail" && r.enforcement === "audit");
  const annotations: Record<string, string> = {};
  for (const row of audited) {
    const key = `${RESOURCES_WEBHOOK}/${row.policy}`;
    const line = `${row.rule}: ${row.message}`;
    annotations[key] = annotations[key] === undefined ? line : `${annotations[key]}; ${line}`;
  }
  return {
    denied: denying.length > 0,
    ...(denying.length > 0
      ? {
          message: `admission webhook "${RESOURCES_WEBHOOK}" denied the request: ${denialMessage(denying.map(asFinding))}`,
        }
      : {}),
    warnings: warningsOf(warned.map(asFinding)),
    annotations,
    failing: new Set(rows.filter((r) => r.result === "fail").map((r) => r.policy)),
    applying: new Set(rows.map((r) => r.policy)),
  };
}

/** The webhook's warnings among the client's (the API server adds its own, e.g. deprecations). */
const webhookWarnings = (answer: ApiAnswer) =>
  answer.warnings.filter((w) => w.startsWith("[") || / more warnings? left out /.test(w));

describe("Charter's admission webhook in the real API server", () => {
  let cluster: DevCluster | undefined;
  let api: ApiClient;
  let work: string;
  let webhook: RunningWebhook;
  let caBundle: string;
  let configuration: JsonObject;
  const kubectl = (...args: string[]) =>
    execFileSync(
      (cluster as DevCluster).binaries.kubectl,
      ["--kubeconfig", (cluster as DevCluster).kubeconfigs.admin, ...args],
      { encoding: "utf8", stdio: ["pipe", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 },
    );
  const apply = (documents: readonly JsonObject[]) => {
    const file = join(work, `apply-${Date.now()}-${Math.random()}.json`);
    writeFileSync(file, JSON.stringify({ apiVersion: "v1", kind: "List", items: documents }));
    return kubectl(
      "apply",
      "--server-side",
      "--force-conflicts",
      "--field-manager=charter-test",
      "-f",
      file,
    );
  };
  const startWebhook = (port?: number) =>
    startWebhookCli(
      [
        "--self-signed",
        "--kubeconfig",
        (cluster as DevCluster).kubeconfigs.admin,
        "--now",
        NOW,
        "--decision-log-dir",
        join(work, "decisions"),
        ...(port === undefined ? [] : ["--port", String(port)]),
      ],
      PROJECT,
    );
  /** The emitted configuration, pointed at `url` with `caBundle`, failing as `failurePolicy`. */
  const register = (url: string, bundle: string, failurePolicy = "Fail") =>
    apply([
      {
        ...configuration,
        webhooks: (configuration.webhooks as JsonObject[]).map((hook) => ({
          ...hook,
          failurePolicy,
          clientConfig: { url, caBundle: bundle },
        })),
      },
    ]);
  /** A Pod every library deny policy it meets refuses: privileged, from docker.io. */
  const PRIVILEGED = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "probe", namespace: "team-a" },
    spec: {
      containers: [{ name: "app", image: "nginx:latest", securityContext: { privileged: true } }],
    },
  };
  const untilAnswer = async (what: string, ready: (answer: ApiAnswer) => boolean) => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const answer = await api.send("POST", `${collectionPath(PRIVILEGED)}?dryRun=All`, PRIVILEGED);
      if (ready(answer)) return answer;
      if (Date.now() > deadline) throw new Error(`${what}: ${JSON.stringify(answer)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };

  beforeAll(async () => {
    cluster = await devClusterForTests();
    if (cluster === undefined) return;
    work = mkdtempSync(join(tmpdir(), "charter-webhook-differential-"));
    api = apiClient(
      cluster.server,
      readFileSync(cluster.caFile, "utf8"),
      cluster.users.admin.token,
    );
    // What the objects need to be admitted, and what cross-resource policies read, before the
    // webhook judges anything.
    apply([
      ...DIFFERENTIAL_NAMESPACES.filter((n) => !["default", "kube-system"].includes(n.name)).map(
        ({ name, labels }) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels } }),
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
    apply(NETWORK_POLICIES);

    webhook = await startWebhook();
    caBundle = caBundleOf(webhook.stdout());
    writeFileSync(join(work, "ca.pem"), Buffer.from(caBundle, "base64"));
    const built = await runCli(
      [
        "build",
        "--target",
        "webhook",
        "--out",
        join(work, "dist"),
        "--now",
        NOW,
        "--webhook-ca-bundle",
        join(work, "ca.pem"),
      ],
      { cwd: PROJECT },
    );
    expect(built.code, built.stderr).toBe(0);
    const dir = join(work, "dist", "webhook");
    const documents = readdirSync(dir)
      .sort()
      .flatMap((file) =>
        parseAllDocuments(readFileSync(join(dir, file), "utf8")).map((d) => d.toJS() as JsonObject),
      );
    configuration = documents.find(
      (d) => d.kind === "ValidatingWebhookConfiguration",
    ) as JsonObject;
    register(`${webhook.base}/validate`, caBundle);
    await untilAnswer(
      "the webhook is not called",
      (a) => a.status === 403 && String(a.message).includes(RESOURCES_WEBHOOK),
    );
  }, 300_000);

  afterAll(async () => {
    api?.close();
    if (webhook?.child.exitCode === null) webhook.child.kill("SIGTERM");
    killWebhooks();
    await cluster?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  describe("the differential", () => {
    let cases: Case[] = [];
    let expected: Expected[] = [];

    /** Sends the cases (dry run; ephemeral containers through their subresource). */
    const send = (indexes: readonly number[]) =>
      inParallel(indexes, 4, (i) => {
        const c = cases[i] as Case;
        if (c.ephemeral === undefined) {
          return api.send(
            "POST",
            `${collectionPath(c.judged)}?dryRun=All&fieldValidation=Strict`,
            c.judged,
          );
        }
        const metadata = c.ephemeral.pod.metadata as JsonObject;
        return api.send(
          "PATCH",
          `${collectionPath(c.ephemeral.pod)}/${metadata.name}/ephemeralcontainers?dryRun=All`,
          { spec: { ephemeralContainers: c.ephemeral.containers } },
          "application/strategic-merge-patch+json",
        );
      });

    /**
     * `charter check` of the cases with what the cluster holds. The webhook judges each request
     * with the cluster as synced, without the object under review (a dry run stores nothing), so
     * cases of the kinds policies read are judged apart from the workloads: one generated
     * NetworkPolicy must not count as the default-deny of its namespace.
     */
    const offline = async (): Promise<Expected[]> => {
      const context = [
        ...DIFFERENTIAL_NAMESPACES.map(({ name, labels }) => ({
          apiVersion: "v1",
          kind: "Namespace",
          metadata: { name, labels: { "kubernetes.io/metadata.name": name, ...labels } },
        })),
        ...NETWORK_POLICIES,
        ...DIFFERENTIAL_RUNTIME_CLASSES.map((name) => ({
          apiVersion: "node.k8s.io/v1",
          kind: "RuntimeClass",
          metadata: { name },
          handler: name,
        })),
      ];
      const rowsByCase = cases.map((): Row[] => []);
      const excused = new Set<string>();
      const groups = [
        cases.map((_, i) => i).filter((i) => !INVENTORY_KINDS.has(String(cases[i]?.judged.kind))),
        cases.map((_, i) => i).filter((i) => INVENTORY_KINDS.has(String(cases[i]?.judged.kind))),
      ];
      for (const [g, group] of groups.entries()) {
        const file = join(work, `manifests-${g}.yaml`);
        const contextObjects = g === 0 ? context : context.filter((o) => o.kind === "Namespace");
        writeFileSync(
          file,
          [...contextObjects, ...group.map((i) => (cases[i] as Case).judged)]
            .map((o) => JSON.stringify(o))
            .join("\n---\n"),
        );
        const run = await runCli(
          ["check", file, "--format", "json", "--engine", "ir", "--now", NOW],
          { cwd: PROJECT },
        );
        expect(run.code, run.stderr).not.toBe(2);
        const byName = new Map(
          group.map((i) => {
            const metadata = (cases[i] as Case).judged.metadata as JsonObject;
            return [
              `${(cases[i] as Case).judged.kind} ${metadata.namespace ?? ""} ${metadata.name}`,
              i,
            ];
          }),
        );
        for (const row of JSON.parse(run.stdout).results as Row[]) {
          if (row.exception) excused.add(row.exception.name);
          const index = byName.get(
            `${row.resource.kind} ${row.resource.namespace ?? ""} ${row.resource.name}`,
          );
          if (index !== undefined) rowsByCase[index]?.push(row);
        }
      }
      // The exceptions in force must excuse something, or the webhook's are untested.
      expect([...excused].sort()).toEqual([
        "batch-limits",
        "legacy-latest-tag",
        "node-agent-host-path",
      ]);
      return rowsByCase.map(expectedAnswer);
    };

    beforeAll(async () => {
      if (cluster === undefined) return;
      cases = generateCases("webhook differential", {
        fixed: FIXED_COUNT,
        random: Math.ceil(FIXED_COUNT / 4),
        ephemeral: Math.ceil(FIXED_COUNT / 20),
      });
      expected = await offline();
      // The stored Pods that ephemeral containers are added to, created with the webhook away
      // (Ignore): most of them fail a deny policy.
      register("https://127.0.0.1:1/validate", caBundle, "Ignore");
      await untilAnswer("the webhook is still called", (a) => a.status === 201);
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
      register(`${webhook.base}/validate`, caBundle);
      await untilAnswer("the webhook is not called", (a) => a.status === 403);
    }, 600_000);

    it("answers every request as charter check judges the object: refusals, messages, warnings", async () => {
      if (cluster === undefined) return;
      const started = Date.now();
      const answers = await send(cases.map((_, i) => i));
      const perSecond = (cases.length / ((Date.now() - started) / 1000)).toFixed(0);
      const disagreements: string[] = [];
      const refused = new Set<number>();
      answers.forEach((answer, i) => {
        const want = expected[i] as Expected;
        // The server's own validation ran first and refused it: admission never saw it.
        // (A Pod the server refused to store has no ephemeralcontainers to patch: 404.)
        const unstored = answer.status === 404 && (cases[i] as Case).ephemeral !== undefined;
        if (answer.status === 422 || answer.status === 400 || unstored) {
          refused.add(i);
          return;
        }
        const problems: string[] = [];
        if (want.denied) {
          if (answer.status !== 403 || answer.message !== want.message) {
            problems.push(
              `answered ${answer.status} ${JSON.stringify(answer.message)}, charter check: ${JSON.stringify(want.message)}`,
            );
          }
        } else if (answer.status >= 300) {
          problems.push(
            `refused ${answer.status} ${JSON.stringify(answer.message)}, charter check fails no deny rule`,
          );
        }
        const warnings = webhookWarnings(answer);
        if (JSON.stringify(warnings) !== JSON.stringify(want.warnings)) {
          problems.push(
            `warnings ${JSON.stringify(warnings)}, charter check ${JSON.stringify(want.warnings)}`,
          );
        }
        if (problems.length > 0) {
          disagreements.push(
            `${JSON.stringify((cases[i] as Case).judged)}\n  ${problems.join("\n  ")}`,
          );
        }
      });
      const judged = cases.map((_, i) => i).filter((i) => !refused.has(i));
      const policies = [
        ...new Set(judged.flatMap((i) => [...(expected[i]?.applying ?? [])])),
      ].sort();
      const counts = policies.map((name) => {
        const applying = judged.filter((i) => expected[i]?.applying.has(name));
        const failed = applying.filter((i) => expected[i]?.failing.has(name)).length;
        return { name, failed, passed: applying.length - failed };
      });
      const outcomes = {
        denied: judged.filter((i) => expected[i]?.denied).length,
        warned: judged.filter((i) => (expected[i]?.warnings.length ?? 0) > 0).length,
        audited: judged.filter((i) => Object.keys(expected[i]?.annotations ?? {}).length > 0)
          .length,
      };
      console.log(
        `webhook differential: ${cases.length} requests (${perSecond}/s), ${judged.length} judged by admission, ${refused.size} refused by the server's validation; ${outcomes.denied} denied, ${outcomes.warned} warned, ${outcomes.audited} audited\n${counts
          .map(
            ({ name, passed, failed }) =>
              `  ${name.padEnd(44)} admitted ${String(passed).padStart(5)}  failed ${String(failed).padStart(5)}`,
          )
          .join("\n")}`,
      );
      expect(disagreements.slice(0, 5)).toEqual([]);
      expect(judged.length).toBeGreaterThanOrEqual(FIXED_COUNT);
      expect(policies.length).toBeGreaterThanOrEqual(40);
      // Every policy seen both ways: none passes or fails everything by accident.
      const oneWay = counts.filter((c) => c.passed === 0 || c.failed === 0).map((c) => c.name);
      expect(oneWay.filter((name) => !(name in NO_VALID_OBJECT_FAILS))).toEqual([]);
      expect(Object.values(outcomes).every((n) => n > 0)).toBe(true);
    }, 1_200_000);

    it("puts each audit failure in the API server's audit log as the webhook's annotation", async () => {
      if (cluster === undefined) return;
      const indexes = cases
        .map((_, i) => i)
        .filter(
          (i) => Object.keys(expected[i]?.annotations ?? {}).length > 0 && !expected[i]?.denied,
        )
        .slice(0, AUDIT_SAMPLE);
      const answers = await send(indexes);
      const byId = async () => {
        const events = new Map<string, Record<string, string>>();
        for (const line of readFileSync((cluster as DevCluster).auditLog, "utf8").split("\n")) {
          if (line === "") continue;
          const event = JSON.parse(line) as {
            auditID: string;
            stage: string;
            annotations?: Record<string, string>;
          };
          if (event.stage === "ResponseComplete")
            events.set(event.auditID, event.annotations ?? {});
        }
        return events;
      };
      let events = await byId();
      // The audit log catches up as the server gets to it: 60 s at most (a readiness wait).
      for (let n = 0; n < 300 && !answers.every((a) => events.has(a.auditId)); n++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        events = await byId();
      }
      const problems: string[] = [];
      answers.forEach((answer, n) => {
        const want = (expected[indexes[n] as number] as Expected).annotations;
        const got = Object.fromEntries(
          Object.entries(events.get(answer.auditId) ?? {}).filter(([k]) =>
            k.startsWith(`${RESOURCES_WEBHOOK}/`),
          ),
        );
        if (
          JSON.stringify(got, Object.keys(got).sort()) !==
          JSON.stringify(want, Object.keys(want).sort())
        ) {
          problems.push(
            `annotations ${JSON.stringify(got)}, charter check ${JSON.stringify(want)}`,
          );
        }
      });
      console.log(`webhook audit annotations: ${indexes.length} requests checked in the audit log`);
      expect(indexes.length).toBeGreaterThan(0);
      expect(problems.slice(0, 5)).toEqual([]);
    }, 600_000);
  });

  it("refuses an UPDATE that makes a stored object fail a deny policy", async () => {
    if (cluster === undefined) return;
    const service = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "internal", namespace: "team-a" },
      spec: {
        type: "ClusterIP",
        selector: { app: "api" },
        ports: [{ port: 80, targetPort: 8080 }],
      },
    };
    const created = await api.send("POST", collectionPath(service), service);
    expect(created.status, created.message).toBe(201);
    const stored = created.body;
    const exposed = { ...stored, spec: { ...(stored.spec as JsonObject), type: "NodePort" } };
    const updated = await api.send("PUT", `${collectionPath(service)}/internal`, exposed);
    const check = await runCli(["check", "-", "--format", "json", "--now", NOW], {
      cwd: PROJECT,
      stdin: JSON.stringify(exposed),
    });
    const failing = (JSON.parse(check.stdout).results as Row[]).filter(
      (r) => r.result === "fail" && r.enforcement === "deny",
    );
    expect(failing.length, "the NodePort Service must fail a deny policy offline").toBeGreaterThan(
      0,
    );
    expect(updated.status).toBe(403);
    expect(updated.message).toBe(
      `admission webhook "${RESOURCES_WEBHOOK}" denied the request: ${denialMessage(failing.map(asFinding))}`,
    );
  }, 120_000);

  it("shows kubectl's user the refusal: the webhook, the object and each failing rule", async () => {
    if (cluster === undefined) return;
    const run = spawnSync(
      cluster.binaries.kubectl,
      ["--kubeconfig", cluster.kubeconfigs.admin, "create", "--dry-run=server", "-f", "-"],
      { input: JSON.stringify(PRIVILEGED), encoding: "utf8" },
    );
    console.log(`kubectl create --dry-run=server -f privileged-pod.json\n${run.stderr}`);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /^Error from server \(Forbidden\): error when creating "STDIN": admission webhook "resources\.charter\.dev" denied the request: Pod "probe" in namespace team-a violates \d+ policies enforced with deny: \[/,
    );
    expect(run.stderr).toContain("[disallow-privileged-containers/privileged]");
  });

  it("fails closed while the webhook is down (Fail), admits with Ignore, and times out a slow one", async () => {
    if (cluster === undefined) return;
    const port = webhook.port;
    webhook.child.kill("SIGTERM");
    expect(await webhook.exited).toBe(0);
    const down = await untilAnswer(
      "not refused while down",
      (a) => a.status >= 500 || String(a.message).includes("failed calling webhook"),
    );
    expect(down.message).toMatch(/failed calling webhook "(namespaces|resources)\.charter\.dev"/);
    register(`https://127.0.0.1:${port}/validate`, caBundle, "Ignore");
    await untilAnswer("not admitted with Ignore while down", (a) => a.status === 201);

    // A webhook that answers after 3 s, registered with timeoutSeconds: 1.
    const slow = await slowWebhook(3000);
    try {
      apply([
        {
          ...configuration,
          webhooks: (configuration.webhooks as JsonObject[]).map((hook) => ({
            ...hook,
            failurePolicy: "Fail",
            timeoutSeconds: 1,
            clientConfig: { url: slow.url, caBundle: slow.caBundle },
          })),
        },
      ]);
      const timedOut = await untilAnswer(
        "no timeout",
        (a) => String(a.message).includes("deadline") || String(a.message).includes("timeout"),
      );
      console.log(`a slow webhook: ${timedOut.status} ${timedOut.message}`);
      expect(timedOut.message).toMatch(
        /failed calling webhook .*(context deadline exceeded|Timeout)/,
      );
    } finally {
      slow.server.close();
    }
    // Back up on the same port: the API server finds it again and it judges again.
    webhook = await startWebhook(port);
    caBundle = caBundleOf(webhook.stdout());
    register(`${webhook.base}/validate`, caBundle);
    await untilAnswer(
      "not refused once back",
      (a) => a.status === 403 && String(a.message).includes(RESOURCES_WEBHOOK),
    );
  }, 240_000);
});

/** An HTTPS server that answers every review, allowed, after `delay` ms. */
async function slowWebhook(
  delay: number,
): Promise<{ server: Server; url: string; caBundle: string }> {
  const certificates = selfSignedCertificates({ hosts: ["127.0.0.1"] });
  const server = createServer(
    { key: certificates.serving.key, cert: certificates.serving.cert },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const review = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        setTimeout(() => {
          res.setHeader("content-type", "application/json");
          res.end(
            JSON.stringify({
              apiVersion: "admission.k8s.io/v1",
              kind: "AdmissionReview",
              response: { uid: review.request.uid, allowed: true },
            }),
          );
        }, delay);
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    server,
    url: `https://127.0.0.1:${port}/validate`,
    caBundle: Buffer.from(certificates.ca.cert).toString("base64"),
  };
}
