/**
 * Image verification at admission through the real API server (the dev cluster's kube-apiserver):
 * `charter webhook`, given a deny policy whose key attestor is the signing rig's trusted key and
 * registered with clientConfig.url, admits the creation of a Pod running the rig's signed image
 * (cosign-signed, on the real go-containerregistry registry) and refuses the unsigned one with
 * the message kubectl prints — the message the webhook's judge gives the same Pod in process.
 * Its decision log records the Pod's images. A second webhook, with a vulnerability gate, watches
 * the Trivy Operator's VulnerabilityReports (its own CRD) through the same API server and judges
 * Pods on the reports of their namespace. One cluster and one rig for the file.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_SYSTEM_NAMESPACES, type Policy } from "@charter/ir";
import {
  createJudge,
  type DevCluster,
  denialMessage,
  readAdmissionReview,
  registryImages,
  staticJudgingContext,
} from "@charter/server";
import { devClusterForTests } from "@charter/test-support/dev-cluster-for-tests";
import {
  type RigImage,
  type SigningRig,
  signingRigForTests,
} from "@charter/test-support/signing-rig/signing-rig";
import { httpsCall, reviewOf } from "@charter/test-support/webhook-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/run-cli.js";
import { scannedPolicy, signedPolicy } from "../support/webhook-image-policies.js";
import {
  caBundleOf,
  killWebhooks,
  type RunningWebhook,
  startWebhookCli,
} from "../support/webhook-process.js";

const WEBHOOK = "images.charter.dev";
const SCANS_WEBHOOK = "scans.charter.dev";
const VULNERABILITY_REPORT_CRD = join(
  repoRoot,
  "..",
  "shared",
  "conformance",
  "supply-chain",
  "trivy-operator",
  "deploy",
  "helm",
  "crds",
  "aquasecurity.github.io_vulnerabilityreports.yaml",
);

const podOf = (name: string, image: string) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: "team-a" },
  spec: { containers: [{ name: "app", image }] },
});

describe("charter webhook verifies images behind the real API server", () => {
  let cluster: DevCluster | undefined;
  let rig: SigningRig | undefined;
  let webhook: RunningWebhook;
  let scans: RunningWebhook | undefined;
  let policies: Policy[] = [];
  const dir = mkdtempSync(join(tmpdir(), "charter-webhook-images-cluster-"));

  const kubectl = (args: string[], stdin?: string) => {
    const run = spawnSync(
      (cluster as DevCluster).binaries.kubectl,
      ["--kubeconfig", (cluster as DevCluster).kubeconfigs.admin, ...args],
      { encoding: "utf8", input: stdin, timeout: 60_000 },
    );
    return { code: run.status, stdout: run.stdout, stderr: run.stderr };
  };
  const create = (object: unknown) =>
    kubectl(["create", "-o", "name", "-f", "-"], JSON.stringify(object));

  /** A ValidatingWebhookConfiguration of our own for Pods of `namespaces`, calling `running`. */
  const register = (name: string, running: RunningWebhook, namespaces: string[]) => {
    const configuration = {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingWebhookConfiguration",
      metadata: { name: `charter-${name}` },
      webhooks: [
        {
          name,
          admissionReviewVersions: ["v1"],
          sideEffects: "None",
          failurePolicy: "Fail",
          timeoutSeconds: 10,
          clientConfig: {
            url: `https://127.0.0.1:${running.port}/validate`,
            caBundle: caBundleOf(running.stdout()),
          },
          rules: [
            {
              apiGroups: [""],
              apiVersions: ["v1"],
              operations: ["CREATE", "UPDATE"],
              resources: ["pods"],
              scope: "Namespaced",
            },
          ],
          namespaceSelector: {
            matchExpressions: [
              { key: "kubernetes.io/metadata.name", operator: "In", values: namespaces },
            ],
          },
        },
      ],
    };
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(configuration));
    expect(kubectl(["apply", "-f", file]).code).toBe(0);
  };

  /** The API server picks a configuration up through its informer: wait until it calls `name`. */
  const untilCalled = async (name: string, refusedPod: unknown) => {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const probe = kubectl(
        ["create", "--dry-run=server", "-o", "name", "-f", "-"],
        JSON.stringify(refusedPod),
      );
      if (probe.code !== 0 && probe.stderr.includes(name)) return;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    throw new Error(`the API server did not call ${name} within 60 s`);
  };

  beforeAll(async () => {
    rig = await signingRigForTests("the webhook's image verification in a cluster", {
      formats: ["bundle"],
      registries: ["plain"],
      cases: ["signed", "unsigned", "signed-other-key"],
    });
    if (rig === undefined) return;
    cluster = await devClusterForTests();
    if (cluster === undefined) return;
    policies = [signedPolicy(rig.keys.trusted.publicKeyPem)];
    // The IR as a policy module: what `charter webhook --policies` loads.
    const policyFile = join(dir, "policies.mjs");
    writeFileSync(policyFile, `export default ${JSON.stringify(policies)};\n`);
    webhook = await startWebhookCli(
      [
        "--self-signed",
        "--policies",
        policyFile,
        "--image-deadline",
        "5",
        "--decision-log-dir",
        join(dir, "logs"),
      ],
      repoRoot,
    );
    expect(kubectl(["create", "namespace", "team-a"]).code).toBe(0);
    await cluster.waitForServiceAccount("team-a");
    register(WEBHOOK, webhook, ["team-a"]);
    await untilCalled(WEBHOOK, podOf("probe", rig.image("bundle", "plain", "unsigned").tagRef));
  }, 900_000);

  afterAll(async () => {
    if (webhook?.child.exitCode === null) {
      webhook.child.kill("SIGTERM");
      expect(await webhook.exited).toBe(0);
    }
    if (scans?.child.exitCode === null) {
      scans.child.kill("SIGTERM");
      expect(await scans.exited).toBe(0);
    }
    killWebhooks();
    await cluster?.stop();
    await rig?.dispose();
  });

  it("admits the Pod of the signed image and refuses the unsigned one with the judge's message", async (ctx) => {
    if (rig === undefined || cluster === undefined) return ctx.skip();
    const signed = rig.image("bundle", "plain", "signed");
    const unsigned = rig.image("bundle", "plain", "unsigned");

    const admitted = create(podOf("signed", signed.tagRef));
    expect(admitted).toMatchObject({ code: 0, stdout: "pod/signed\n" });
    expect(kubectl(["get", "pod", "signed", "-n", "team-a", "-o", "name"]).stdout).toBe(
      "pod/signed\n",
    );

    const refused = create(podOf("unsigned", unsigned.tagRef));
    expect(refused.code).toBe(1);
    // The message the judge gives the same Pod in process, with the same registry.
    const judge = createJudge(
      { policies, exceptions: [], systemNamespaces: DEFAULT_SYSTEM_NAMESPACES },
      staticJudgingContext([]),
      { images: registryImages() },
    );
    const read = readAdmissionReview(reviewOf(podOf("unsigned", unsigned.tagRef), { uid: "u" }));
    if (!read.ok) throw new Error(read.message);
    const verdict = await judge.judge(read.request, Date.now());
    if (verdict.kind !== "judged") throw new Error(JSON.stringify(verdict));
    const message = denialMessage(verdict.findings.filter((f) => f.result === "fail"));
    expect(message).toContain("is not signed by ci");
    expect(refused.stderr.trim()).toBe(
      `Error from server (Forbidden): error when creating "STDIN": admission webhook "${WEBHOOK}" denied the request: ${message}`,
    );
    expect(kubectl(["get", "pod", "unsigned", "-n", "team-a"]).code).toBe(1);
  });

  it("logs each decision with the Pod's images and their digests", async (ctx) => {
    if (rig === undefined || cluster === undefined) return ctx.skip();
    webhook.child.kill("SIGTERM");
    expect(await webhook.exited).toBe(0);
    const logs = join(dir, "logs");
    const events = readdirSync(logs)
      .filter((file) => file.endsWith(".jsonl"))
      .flatMap((file) => readFileSync(join(logs, file), "utf8").trim().split("\n"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const of = (name: string) =>
      events.find(
        (e) =>
          (e.input as { request: { name?: string; dryRun?: boolean } }).request.name === name &&
          e.dry_run === false,
      );
    const signed = rig.image("bundle", "plain", "signed");
    const unsigned = rig.image("bundle", "plain", "unsigned");
    expect(of("signed")).toMatchObject({
      allowed: true,
      images: [{ container: "app", reference: signed.tagRef, digest: signed.digest }],
    });
    expect(of("unsigned")).toMatchObject({
      allowed: false,
      images: [{ container: "app", reference: unsigned.tagRef, digest: unsigned.digest }],
    });
  });

  it("gates on the VulnerabilityReports of the Pod's namespace, watched through the real API server", async (ctx) => {
    if (rig === undefined || cluster === undefined) return ctx.skip();
    const clean = rig.image("bundle", "plain", "signed");
    const critical = rig.image("bundle", "plain", "unsigned");
    // The Trivy Operator's own CRD, and reports as it writes them, in team-b.
    expect(kubectl(["apply", "--server-side", "-f", VULNERABILITY_REPORT_CRD]).code).toBe(0);
    expect(
      kubectl([
        "wait",
        "--for=condition=Established",
        "--timeout=60s",
        "crd/vulnerabilityreports.aquasecurity.github.io",
      ]).code,
    ).toBe(0);
    expect(kubectl(["create", "namespace", "team-b"]).code).toBe(0);
    await cluster.waitForServiceAccount("team-b");
    const report = (name: string, image: RigImage, severity: string) => {
      const [server = "", ...path] = image.repository.split("/");
      return {
        apiVersion: "aquasecurity.github.io/v1alpha1",
        kind: "VulnerabilityReport",
        metadata: { name, namespace: "team-b" },
        report: {
          updateTimestamp: new Date().toISOString(),
          scanner: { name: "Trivy", vendor: "Aqua Security", version: "0.58.0" },
          registry: { server },
          artifact: { repository: path.join("/"), tag: "v1", digest: image.digest },
          os: { family: "alpine", name: "3.20" },
          summary: { criticalCount: 0, highCount: 0, mediumCount: 0, lowCount: 0, unknownCount: 0 },
          vulnerabilities: [
            {
              vulnerabilityID: "CVE-2024-0001",
              resource: "libcrypto3",
              installedVersion: "3.3.0",
              fixedVersion: "3.3.1",
              severity,
              title: "t",
              primaryLink: "https://avd.aquasec.com/nvd/cve-2024-0001",
              publishedDate: "2024-01-02T00:00:00Z",
              lastModifiedDate: "2024-01-03T00:00:00Z",
              score: 5,
              target: "",
            },
          ],
        },
      };
    };
    for (const object of [
      report("clean", clean, "MEDIUM"),
      report("critical", critical, "CRITICAL"),
    ]) {
      const applied = kubectl(["create", "-f", "-"], JSON.stringify(object));
      expect(applied.stderr).toBe("");
    }
    const scanFile = join(dir, "scans.mjs");
    writeFileSync(scanFile, `export default ${JSON.stringify([scannedPolicy])};\n`);
    scans = await startWebhookCli(
      ["--self-signed", "--policies", scanFile, "--kubeconfig", cluster.kubeconfigs.admin],
      repoRoot,
    );
    const ca = Buffer.from(caBundleOf(scans.stdout()), "base64");
    // Registered only once its caches are synced (/readyz), as docs/webhook.md says to.
    const ready = Date.now() + 60_000;
    while ((await httpsCall(`${scans.base}/readyz`, ca)).status !== 200) {
      if (Date.now() > ready) throw new Error("the webhook's caches did not sync");
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    register(SCANS_WEBHOOK, scans, ["team-b"]);
    const podB = (name: string, image: string) => ({
      ...podOf(name, image),
      metadata: { name, namespace: "team-b" },
    });
    await untilCalled(SCANS_WEBHOOK, podB("probe", critical.tagRef));

    expect(create(podB("clean", clean.tagRef))).toMatchObject({ code: 0, stdout: "pod/clean\n" });
    const refused = create(podB("critical", critical.tagRef));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `admission webhook "${SCANS_WEBHOOK}" denied the request: Pod "critical" in namespace team-b violates 1 policy enforced with deny: [block-critical-vulnerabilities/noFixableCritical]`,
    );
    expect(refused.stderr).toContain("scan team-b/critical: 1 CRITICAL (1 with a fix)");
    // An image no report of team-b is about: refused (no report is not a clean report).
    const other = rig.image("bundle", "plain", "signed-other-key");
    const unscanned = create(podB("unscanned", other.tagRef));
    expect(unscanned.code).toBe(1);
    expect(unscanned.stderr).toContain(`admission webhook "${SCANS_WEBHOOK}" denied the request`);
    expect(unscanned.stderr).toContain("has no vulnerability scan");
  });
});
