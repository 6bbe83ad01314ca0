/**
 * Image verification at admission through the real API server (the dev cluster's kube-apiserver):
 * `charter webhook`, given a deny policy whose key attestor is the signing rig's trusted key and
 * registered with clientConfig.url, admits the creation of a Pod running the rig's signed image
 * (cosign-signed, on the real go-containerregistry registry) and refuses the unsigned one with
 * the message kubectl prints — the message the webhook's judge gives the same Pod in process.
 * One cluster, one rig, one webhook for the file; its decision log records the Pod's images.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pod as podMatch, policy } from "@charter/dsl";
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
import { type SigningRig, signingRigForTests } from "@charter/test-support/signing-rig/signing-rig";
import { reviewOf } from "@charter/test-support/webhook-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/run-cli.js";
import {
  caBundleOf,
  killWebhooks,
  type RunningWebhook,
  startWebhookCli,
} from "../support/webhook-process.js";

const WEBHOOK = "images.charter.dev";

function signedPolicy(publicKey: string): Policy {
  return policy("require-signed-images", {
    title: "Images are signed by CI",
    severity: "high",
    category: "Supply chain",
    match: podMatch,
    enforcement: "deny",
    params: {},
    images: {
      references: [],
      attestors: { ci: { key: publicKey } },
      require: { signed: { signedBy: ["ci"] } },
    },
  });
}

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

  beforeAll(async () => {
    rig = await signingRigForTests("the webhook's image verification in a cluster", {
      formats: ["bundle"],
      registries: ["plain"],
      cases: ["signed", "unsigned"],
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
    const configuration = {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingWebhookConfiguration",
      metadata: { name: "charter-webhook-images-test" },
      webhooks: [
        {
          name: WEBHOOK,
          admissionReviewVersions: ["v1"],
          sideEffects: "None",
          failurePolicy: "Fail",
          timeoutSeconds: 10,
          clientConfig: {
            url: `https://127.0.0.1:${webhook.port}/validate`,
            caBundle: caBundleOf(webhook.stdout()),
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
              { key: "kubernetes.io/metadata.name", operator: "In", values: ["team-a"] },
            ],
          },
        },
      ],
    };
    writeFileSync(join(dir, "webhook.json"), JSON.stringify(configuration));
    expect(kubectl(["apply", "-f", join(dir, "webhook.json")]).code).toBe(0);
    // The API server picks the configuration up through its informer: wait until it calls us.
    const unsigned = rig.image("bundle", "plain", "unsigned").tagRef;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const probe = kubectl(
        ["create", "--dry-run=server", "-o", "name", "-f", "-"],
        JSON.stringify(podOf("probe", unsigned)),
      );
      if (probe.code !== 0 && probe.stderr.includes(WEBHOOK)) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }, 900_000);

  afterAll(async () => {
    if (webhook?.child.exitCode === null) {
      webhook.child.kill("SIGTERM");
      expect(await webhook.exited).toBe(0);
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
});
