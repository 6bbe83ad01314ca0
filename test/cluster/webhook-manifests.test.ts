/**
 * The webhook's manifests (`charter build --target webhook`) in the real API server (the dev
 * cluster: kube-apiserver, etcd and kube-controller-manager at the pinned release; no scheduler,
 * no kubelet, no kube-proxy):
 *
 * - every object is accepted by server-side apply with `--validate=strict` and stored as emitted
 *   (the PodDisruptionBudget and the ValidatingWebhookConfiguration included, whose schemas the
 *   offline test only approximates or cannot make strict through `$ref`s);
 * - the Deployment's controller creates both Pods in the webhook's Namespace, which enforces
 *   Pod Security `restricted`: the Pod template meets it;
 * - the configuration routes as docs/webhook.md says, judged by the API server's own matcher.
 *   No webhook process answers here (`charter webhook` is not in this test), so a routed request
 *   is exactly one the server refuses with `failurePolicy: Fail` (fail closed): a Pod and a
 *   Namespace are refused; a Pod in a system namespace or the webhook's own, and a kind no policy
 *   matches, are admitted; with `Ignore` the Pod is admitted;
 * - narrowing and DELETE (test/fixtures/webhook-manifests-project: every policy selects by labels, one
 *   judges DELETE only): the API server compiles the CEL label condition, sends a labelled Pod
 *   and the deletion of a labelled ConfigMap (the condition reads the deleted object), and
 *   admits an unlabelled Pod, an unlabelled ConfigMap's deletion and a ConfigMap's creation.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DevCluster } from "@charter/server";
import {
  devClusterForTests,
  kubernetesBinariesForTests,
} from "@charter/test-support/dev-cluster-for-tests";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { repoRoot, runCli } from "../support/run-cli.js";
import { compareStored } from "../support/stored-differences.js";

const binaries = kubernetesBinariesForTests("the webhook's manifests in the real API server");

const NAMESPACE = "charter-system";
const TEAM = "team";
const IMAGE = `registry.example.com/charter/charter-webhook:0.1.0@sha256:${"a".repeat(64)}`;
const CONFIGURATION = "90-validating-webhook-configuration.yaml";
const PROJECT = join(repoRoot, "test", "fixtures", "webhook-manifests-project");

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

interface Kubectl {
  readonly ok: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A Pod Pod Security `restricted` admits, so only the webhook can refuse it. */
function restrictedPod(namespace: string, labels: Record<string, string> = {}): object {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "probe", namespace, labels },
    spec: {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
      containers: [
        {
          name: "app",
          image: "registry.example.com/app:1",
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
        },
      ],
    },
  };
}

describe.skipIf(binaries === undefined)("the webhook's manifests in the real API server", () => {
  let cluster: DevCluster | undefined;
  let work: string;
  let dist: string;
  let ignoring: string;
  let narrowed: string;

  const kubectl = (...args: string[]): Kubectl => {
    const c = cluster as DevCluster;
    try {
      const stdout = execFileSync(
        c.binaries.kubectl,
        ["--kubeconfig", c.kubeconfigs.admin, ...args],
        {
          encoding: "utf8",
          stdio: ["pipe", "pipe", "pipe"],
        },
      );
      return { ok: true, stdout, stderr: "" };
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string };
      return { ok: false, stdout: e.stdout ?? "", stderr: e.stderr ?? String(error) };
    }
  };
  const apply = (file: string) =>
    kubectl(
      "apply",
      "--server-side",
      "--field-manager=charter-test",
      "--validate=strict",
      "-f",
      file,
    );
  /** Creates the object with `dryRun=All`: admission runs in full, nothing is stored. */
  const tryCreate = (object: object) => {
    const file = join(work, `object-${Date.now()}-${Math.random()}.json`);
    writeFileSync(file, JSON.stringify(object));
    return kubectl("create", "--dry-run=server", "-f", file);
  };
  const objectsOf = (file: string) =>
    parseAllDocuments(readFileSync(file, "utf8")).map((d) => d.toJS() as K8sObject);

  beforeAll(async () => {
    cluster = await devClusterForTests();
    if (cluster === undefined) throw new Error("the dev cluster did not start");
    work = mkdtempSync(join(tmpdir(), "charter-webhook-cluster-"));
    dist = join(work, "dist");
    ignoring = join(work, "ignore");
    const common = ["--target", "webhook", "--webhook-image", IMAGE, "--webhook-timeout", "2"];
    const ca = ["--webhook-ca-bundle", cluster.caFile];
    const built = await runCli(["build", "--out", dist, ...common, ...ca]);
    expect(built.code, built.stderr).toBe(0);
    const ignore = ["--webhook-failure-policy", "Ignore"];
    const builtIgnoring = await runCli(["build", "--out", ignoring, ...common, ...ca, ...ignore]);
    expect(builtIgnoring.code, builtIgnoring.stderr).toBe(0);
    narrowed = join(work, "narrowed");
    const builtNarrowed = await runCli(["build", "--out", narrowed, ...common, ...ca], {
      cwd: PROJECT,
    });
    expect(builtNarrowed.code, builtNarrowed.stderr).toBe(0);
    const team = kubectl("create", "namespace", TEAM);
    expect(team.ok, team.stderr).toBe(true);
    await cluster.waitForServiceAccount(TEAM);
    await cluster.waitForServiceAccount("kube-system");
  }, 300_000);

  afterAll(async () => {
    await cluster?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("accepts every object and stores it as emitted, the configuration last", async () => {
    const c = cluster as DevCluster;
    const files = readdirSync(join(dist, "webhook")).sort();
    expect(files.at(-1)).toBe(CONFIGURATION);
    const problems: string[] = [];
    for (const file of files.filter((f) => f !== CONFIGURATION)) {
      const path = join(dist, "webhook", file);
      const applied = apply(path);
      if (!applied.ok) problems.push(`${file}: ${applied.stderr}`);
      if (file === "00-namespace.yaml") await c.waitForServiceAccount(NAMESPACE);
      for (const object of objectsOf(path)) {
        const namespace = object.metadata.namespace ? ["-n", object.metadata.namespace] : [];
        const read = kubectl("get", object.kind, object.metadata.name, ...namespace, "-o", "json");
        if (!read.ok) {
          problems.push(`${file}: ${object.kind} ${object.metadata.name} not stored`);
          continue;
        }
        for (const d of compareStored(object, JSON.parse(read.stdout)).differences) {
          problems.push(`${file}: ${object.kind} ${d.path} ${d.problem}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("runs both replicas in a namespace enforcing Pod Security restricted", async () => {
    const selector = "app.kubernetes.io/name=charter-webhook";
    let pods = 0;
    for (let i = 0; i < 60 && pods < 2; i++) {
      const listed = kubectl("get", "pods", "-n", NAMESPACE, "-l", selector, "-o", "json");
      pods = listed.ok ? (JSON.parse(listed.stdout) as { items: unknown[] }).items.length : 0;
      if (pods < 2) await sleep(1000);
    }
    const events = pods < 2 ? kubectl("get", "events", "-n", NAMESPACE).stdout : "";
    expect(pods, events).toBe(2);
    // The namespace does enforce it: a Pod that only meets baseline is refused there.
    const baseline = tryCreate({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "baseline", namespace: NAMESPACE },
      spec: { containers: [{ name: "app", image: "registry.example.com/app:1" }] },
    });
    expect(baseline.ok).toBe(false);
    expect(baseline.stderr).toMatch(/violates PodSecurity "restricted:latest"/);
  }, 90_000);

  it("routes Pods and Namespaces to the webhook and fails closed, sparing system namespaces and its own", async () => {
    const applied = apply(join(dist, "webhook", CONFIGURATION));
    expect(applied.ok, applied.stderr).toBe(true);
    const [configuration] = objectsOf(join(dist, "webhook", CONFIGURATION));
    const stored = kubectl(
      "get",
      "validatingwebhookconfiguration",
      "charter-webhook",
      "-o",
      "json",
    );
    expect(compareStored(configuration, JSON.parse(stored.stdout)).differences).toEqual([]);

    const refusedPod = tryCreate(restrictedPod(TEAM));
    expect(refusedPod.ok).toBe(false);
    expect(refusedPod.stderr).toMatch(/failed calling webhook "resources\.charter\.dev"/);
    const refusedNamespace = tryCreate({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "another-team" },
    });
    expect(refusedNamespace.ok).toBe(false);
    expect(refusedNamespace.stderr).toMatch(/failed calling webhook "namespaces\.charter\.dev"/);

    for (const namespace of ["kube-system", NAMESPACE]) {
      const admitted = tryCreate(restrictedPod(namespace));
      expect(admitted.ok, `${namespace}: ${admitted.stderr}`).toBe(true);
    }
    const configMap = tryCreate({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "settings", namespace: TEAM },
      data: { a: "b" },
    });
    expect(configMap.ok, configMap.stderr).toBe(true);
  }, 60_000);

  it("admits what it routes while it cannot answer with failurePolicy Ignore", async () => {
    const applied = apply(join(ignoring, "webhook", CONFIGURATION));
    expect(applied.ok, applied.stderr).toBe(true);
    const admitted = tryCreate(restrictedPod(TEAM));
    expect(admitted.ok, admitted.stderr).toBe(true);
  }, 60_000);

  it("narrows by labels and routes DELETE as the policies say", async () => {
    const applied = apply(join(narrowed, "webhook", CONFIGURATION));
    expect(applied.ok, applied.stderr).toBe(true);
    const refusedPod = tryCreate(restrictedPod(TEAM, { app: "web" }));
    expect(refusedPod.ok).toBe(false);
    expect(refusedPod.stderr).toMatch(/failed calling webhook "resources\.charter\.dev"/);
    const otherPod = tryCreate(restrictedPod(TEAM, { app: "api" }));
    expect(otherPod.ok, otherPod.stderr).toBe(true);

    const configMap = (name: string, labels: Record<string, string>) => ({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name, namespace: TEAM, labels },
      data: { a: "b" },
    });
    // Created for real: a ConfigMap's CREATE is not routed (the policy judges DELETE only).
    for (const [name, labels] of [
      ["protected", { protected: "true" }],
      ["plain", {}],
    ] as const) {
      const file = join(work, `${name}.json`);
      writeFileSync(file, JSON.stringify(configMap(name, labels)));
      const created = kubectl("create", "-f", file);
      expect(created.ok, created.stderr).toBe(true);
    }
    const deleteProtected = kubectl(
      "delete",
      "--dry-run=server",
      "-n",
      TEAM,
      "configmap",
      "protected",
    );
    expect(deleteProtected.ok).toBe(false);
    expect(deleteProtected.stderr).toMatch(/failed calling webhook "resources\.charter\.dev"/);
    const deletePlain = kubectl("delete", "--dry-run=server", "-n", TEAM, "configmap", "plain");
    expect(deletePlain.ok, deletePlain.stderr).toBe(true);
  }, 60_000);
});
