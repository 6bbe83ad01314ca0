/**
 * `charter webhook` called by the real API server (the dev cluster's kube-apiserver v1.35.8):
 * registered with a ValidatingWebhookConfiguration of our own (clientConfig.url, the caBundle
 * `--self-signed` printed), it refuses a privileged Pod created with `dryRun=All` — kubectl
 * prints the webhook's message as the user sees it — warns on a ConfigMap through kubectl's
 * "Warning:" lines, lets an excused Pod through, and its audit annotation reaches the audit
 * log; a DELETE is judged on the object deleted by the policy that asks for DELETE. The seed of
 * the webhook's differential against `charter check`.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_SYSTEM_NAMESPACES } from "@charter/ir";
import { createIrEngine } from "@charter/runtime";
import type { DevCluster } from "@charter/server";
import { devClusterForTests } from "@charter/test-support/dev-cluster-for-tests";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import disallowPrivilegedContainers from "../../policies/disallow-privileged-containers.js";
import { repoRoot } from "../support/run-cli.js";
import {
  caBundleOf,
  killWebhooks,
  type RunningWebhook,
  startWebhookCli,
} from "../support/webhook-process.js";

const PROJECT = join(repoRoot, "test", "fixtures", "webhook-project");
const WEBHOOK = "validate.charter.dev";

const privilegedPod = (name: string, namespace: string) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace },
  spec: {
    containers: [
      { name: "app", image: "registry.example.com/app:1.0", securityContext: { privileged: true } },
    ],
  },
});

describe("charter webhook behind the real API server", () => {
  let cluster: DevCluster | undefined;
  let webhook: RunningWebhook;
  const dir = mkdtempSync(join(tmpdir(), "charter-webhook-cluster-"));

  /** kubectl as the admin; the outcome whatever the exit code. */
  const kubectl = (args: string[], stdin?: string) => {
    const run = spawnSync(
      (cluster as DevCluster).binaries.kubectl,
      ["--kubeconfig", (cluster as DevCluster).kubeconfigs.admin, ...args],
      { encoding: "utf8", input: stdin, timeout: 60_000 },
    );
    return { code: run.status, stdout: run.stdout, stderr: run.stderr };
  };
  const dryRunCreate = (object: unknown) =>
    kubectl(["create", "--dry-run=server", "-o", "name", "-f", "-"], JSON.stringify(object));

  beforeAll(async () => {
    cluster = await devClusterForTests();
    if (cluster === undefined) return;
    webhook = await startWebhookCli(
      ["--self-signed", "--decision-log-dir", join(dir, "logs")],
      PROJECT,
    );
    for (const namespace of ["team-a", "legacy"]) {
      expect(kubectl(["create", "namespace", namespace]).code).toBe(0);
      await cluster.waitForServiceAccount(namespace);
    }
    const configuration = {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingWebhookConfiguration",
      metadata: { name: "charter-webhook-test" },
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
              resources: ["pods", "configmaps", "services"],
              scope: "Namespaced",
            },
            {
              apiGroups: [""],
              apiVersions: ["v1"],
              operations: ["DELETE"],
              resources: ["configmaps"],
              scope: "Namespaced",
            },
          ],
          namespaceSelector: {
            matchExpressions: [
              { key: "kubernetes.io/metadata.name", operator: "In", values: ["team-a", "legacy"] },
            ],
          },
        },
      ],
    };
    writeFileSync(join(dir, "webhook.json"), JSON.stringify(configuration));
    expect(kubectl(["apply", "-f", join(dir, "webhook.json")]).code).toBe(0);
    // The API server picks the configuration up through its informer: wait until it calls us.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const probe = dryRunCreate(privilegedPod("probe", "team-a"));
      if (probe.code !== 0 && probe.stderr.includes(WEBHOOK)) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }, 240_000);

  afterAll(async () => {
    if (webhook?.child.exitCode === null) {
      webhook.child.kill("SIGTERM");
      expect(await webhook.exited).toBe(0);
    }
    killWebhooks();
    await cluster?.stop();
  });

  it("refuses a privileged Pod created with dryRun=All, with the message charter check gives", (ctx) => {
    if (cluster === undefined) return ctx.skip();
    const pod = privilegedPod("privileged", "team-a");
    const created = dryRunCreate(pod);
    expect(created.code).toBe(1);
    const [finding] = createIrEngine([disallowPrivilegedContainers], {
      systemNamespaces: DEFAULT_SYSTEM_NAMESPACES,
    })
      .evaluateSync([{ object: pod }])
      .filter((f) => f.result === "fail");
    expect(finding).toBeDefined();
    expect(created.stderr.trim()).toBe(
      `Error from server (Forbidden): error when creating "STDIN": admission webhook "${WEBHOOK}" denied the request: Pod "privileged" in namespace team-a violates 1 policy enforced with deny: [disallow-privileged-containers/privileged] ${finding?.message}`,
    );
    // A dry run: nothing was stored.
    expect(kubectl(["get", "pod", "privileged", "-n", "team-a"]).code).toBe(1);
  });

  it("lets an excused Pod and a compliant one through, warns on warn failures, annotates audit ones", (ctx) => {
    if (cluster === undefined) return ctx.skip();
    const excused = dryRunCreate(privilegedPod("agent", "legacy"));
    expect(excused).toMatchObject({ code: 0, stdout: "pod/agent\n" });
    const configMap = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: "settings",
        namespace: "team-a",
        labels: { "app.kubernetes.io/managed-by": "helm" },
      },
    };
    const warned = dryRunCreate(configMap);
    expect(warned.code).toBe(0);
    expect(warned.stderr.trim()).toBe(
      "Warning: [warn-team-label/teamLabel] ConfigMap settings has no team label",
    );
    const service = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "db", namespace: "team-a" },
      spec: { type: "ExternalName", externalName: "db.example.com" },
    };
    expect(dryRunCreate(service).code).toBe(0);
    const annotation = `${WEBHOOK}/audit-service-type`;
    const audited = readFileSync((cluster as DevCluster).auditLog, "utf8")
      .split("\n")
      .filter((line) => line.includes(annotation))
      .map((line) => JSON.parse(line) as { annotations: Record<string, string> });
    expect(audited.length).toBeGreaterThan(0);
    expect(audited[0]?.annotations[annotation]).toBe(
      "externalName: Service db is of type ExternalName",
    );
  });

  it("judges a DELETE by the policy that asks for it, on the object deleted", (ctx) => {
    if (cluster === undefined) return ctx.skip();
    const keep = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "keep", namespace: "team-a", labels: { protected: "true" } },
    };
    // Creating it is no deletion: stored for real.
    expect(kubectl(["create", "-f", "-"], JSON.stringify(keep)).code).toBe(0);
    const deleted = kubectl(["delete", "configmap", "keep", "-n", "team-a", "--dry-run=server"]);
    expect(deleted.code).toBe(1);
    expect(deleted.stderr.trim()).toBe(
      `Error from server (Forbidden): admission webhook "${WEBHOOK}" denied the request: ConfigMap "keep" in namespace team-a violates 1 policy enforced with deny: [protect-configmaps/protected] ConfigMap keep is protected and cannot be deleted`,
    );
    expect(kubectl(["get", "configmap", "keep", "-n", "team-a"]).code).toBe(0);
    // Once the label is gone it may go.
    expect(kubectl(["label", "configmap", "keep", "-n", "team-a", "protected-"]).code).toBe(0);
    expect(kubectl(["delete", "configmap", "keep", "-n", "team-a"]).code).toBe(0);
  });

  it("logged every call as a decision, dry runs marked", (ctx) => {
    if (cluster === undefined) return ctx.skip();
    const lines = readFileSync(join(dir, "logs", "decisions-000001.jsonl"), "utf8")
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    const denied = lines.find((line) => line.input.request.object?.metadata?.name === "privileged");
    expect(denied).toMatchObject({ allowed: false, dry_run: true, path: "charter/violations" });
    expect(denied.result.map((v: { policy: string }) => v.policy)).toEqual([
      "disallow-privileged-containers",
    ]);
  });
});
