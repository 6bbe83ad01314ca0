/**
 * Admission requests in the real API server (kube-apiserver v1.35.8, test/cluster's dev
 * cluster): the ValidatingAdmissionPolicies `charter build` writes for
 * test/fixtures/admission-requests-project, applied and bound as built, judge real DELETE,
 * UPDATE and CREATE requests — deleting a protected Namespace, changing a Deployment's team
 * label, a service account creating a ConfigMap (impersonated), a privileged Pod on create, a
 * critical Pod on delete — and deny or warn exactly when the IR engine fails the same object
 * in the same request, with its message.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Json, JsonObject, Policy } from "@charter/ir";
import { type AdmissionContext, createIrEngine } from "@charter/runtime";
import type { DevCluster } from "@charter/server";
import { devClusterForTests } from "@charter/test-support/dev-cluster-for-tests";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import keepTeamLabel from "../fixtures/admission-requests-project/policies/keep-team-label.js";
import criticalPods from "../fixtures/admission-requests-project/policies/no-critical-pod-deletes.js";
import privilegedOnCreate from "../fixtures/admission-requests-project/policies/no-privileged-on-create.js";
import protectNamespaces from "../fixtures/admission-requests-project/policies/protect-namespaces.js";
import serviceAccountChanges from "../fixtures/admission-requests-project/policies/service-account-changes.js";
import { repoRoot, runCli } from "../support/run-cli.js";

const PROJECT = join(repoRoot, "test", "fixtures", "admission-requests-project");
const POLICIES: Policy[] = [
  protectNamespaces,
  keepTeamLabel,
  serviceAccountChanges,
  privilegedOnCreate,
  criticalPods,
];
const ADMIN = { username: "charter-admin", groups: ["system:masters", "system:authenticated"] };

/** The IR engine's failing messages for an object in a request, by policy. */
function irFailures(object: JsonObject, request: AdmissionContext): Map<string, string> {
  const findings = createIrEngine(POLICIES).evaluateSync([{ object, request }]);
  return new Map(findings.filter((f) => f.result === "fail").map((f) => [f.policy, f.message]));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("admission requests in the real API server", () => {
  let cluster: DevCluster | undefined;
  let work: string;

  /** kubectl as the admin (or `as` someone): the exit code, stdout and stderr (warnings). */
  const kubectl = (args: string[], as?: string) => {
    const cli = (cluster as DevCluster).binaries.kubectl;
    const kubeconfig = (cluster as DevCluster).kubeconfigs.admin;
    const run = spawnSync(
      cli,
      ["--kubeconfig", kubeconfig, ...(as ? [`--as=${as}`] : []), ...args],
      {
        encoding: "utf8",
      },
    );
    return { code: run.status ?? 1, stdout: run.stdout, stderr: run.stderr };
  };
  const file = (object: Json) => {
    const path = join(work, `o-${Date.now()}-${Math.random()}.json`);
    writeFileSync(path, JSON.stringify(object));
    return path;
  };
  /** Retries until the policies are in the server's cache (a denial shows up), or times out. */
  const eventually = async <T>(run: () => T, done: (value: T) => boolean): Promise<T> => {
    const deadline = Date.now() + 60_000;
    let value = run();
    while (!done(value) && Date.now() < deadline) {
      await sleep(1000);
      value = run();
    }
    return value;
  };

  const namespace = (name: string, labels: Record<string, string> = {}) => ({
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name, labels },
  });
  const deployment = (team: string, image = "registry.example.com/web:1") => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "shop", labels: { team } },
    spec: {
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: { containers: [{ name: "web", image }] },
      },
    },
  });
  const pod = (name: string, image: string, privileged = false) => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "shop" },
    spec: { containers: [{ name: "app", image, securityContext: { privileged } }] },
  });

  beforeAll(async () => {
    cluster = await devClusterForTests();
    if (cluster === undefined) return;
    work = mkdtempSync(join(tmpdir(), "charter-vap-requests-"));
    const built = await runCli(["build", "--out", join(work, "dist"), "--target", "vap"], {
      cwd: PROJECT,
    });
    expect(built.code, built.stderr).toBe(0);
    const vap = join(work, "dist", "vap");
    const documents = readdirSync(vap).flatMap((name) =>
      parseAllDocuments(readFileSync(join(vap, name), "utf8")).map((d) => d.toJS() as Json),
    );
    expect(documents.length).toBe(2 * POLICIES.length);
    const applied = kubectl([
      "apply",
      "--server-side",
      "-f",
      file({ apiVersion: "v1", kind: "List", items: documents }),
    ]);
    expect(applied.code, applied.stderr).toBe(0);
    for (const object of [
      namespace("shop"),
      namespace("prod", { protected: "true" }),
      namespace("dev"),
    ]) {
      expect(kubectl(["apply", "-f", file(object)]).stderr).toBe("");
    }
    await cluster.waitForServiceAccount("shop");
    // The service account a test impersonates may edit the namespace (RBAC runs first).
    const binding = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "deployer-edits", namespace: "shop" },
      subjects: [{ kind: "ServiceAccount", name: "deployer", namespace: "ci" }],
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "edit" },
    };
    expect(kubectl(["apply", "-f", file(binding)]).stderr).toBe("");
  }, 300_000);

  afterAll(async () => {
    await cluster?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("denies deleting a protected Namespace, with the IR's message, and no other", async () => {
    if (cluster === undefined) return;
    const expected = irFailures(namespace("prod", { protected: "true" }), {
      operation: "DELETE",
      userInfo: ADMIN,
    }).get("protect-namespaces");
    expect(expected).toBe("charter-admin may not delete the protected namespace prod");
    const denied = await eventually(
      () => kubectl(["delete", "namespace", "prod", "--dry-run=server"]),
      (run) => run.code !== 0,
    );
    expect(denied.stderr).toContain(`denied request: ${expected}`);
    expect(irFailures(namespace("dev"), { operation: "DELETE" }).size).toBe(0);
    expect(kubectl(["delete", "namespace", "dev", "--dry-run=server"]).code).toBe(0);
  }, 120_000);

  it("denies an update that changes the team label, reading the stored object", async () => {
    if (cluster === undefined) return;
    expect(kubectl(["apply", "-f", file(deployment("red"))]).code).toBe(0);
    const changed = irFailures(deployment("blue"), {
      operation: "UPDATE",
      oldObject: deployment("red"),
    }).get("keep-team-label");
    expect(changed).toBe("team red became blue");
    const denied = await eventually(
      () => kubectl(["apply", "--dry-run=server", "-f", file(deployment("blue"))]),
      (run) => run.code !== 0,
    );
    expect(denied.stderr).toContain(`denied request: ${changed}`);
    const kept = deployment("red", "registry.example.com/web:2");
    expect(irFailures(kept, { operation: "UPDATE", oldObject: deployment("red") }).size).toBe(0);
    expect(kubectl(["apply", "--dry-run=server", "-f", file(kept)]).code).toBe(0);
  }, 120_000);

  it("warns when a service account creates a ConfigMap, naming the user", async () => {
    if (cluster === undefined) return;
    const configMap = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "settings", namespace: "shop" },
    };
    const robot = "system:serviceaccount:ci:deployer";
    const expected = irFailures(configMap, {
      operation: "CREATE",
      userInfo: { username: robot, groups: ["system:serviceaccounts", "system:authenticated"] },
    }).get("service-account-changes");
    expect(expected).toBe(`CREATE by ${robot}`);
    const warned = await eventually(
      () => kubectl(["create", "--dry-run=server", "-f", file(configMap)], robot),
      (run) => run.stderr.includes("Warning"),
    );
    expect(warned.code, warned.stderr).toBe(0);
    expect(warned.stderr).toContain(expected);
    const asAdmin = kubectl(["create", "--dry-run=server", "-f", file(configMap)]);
    expect(asAdmin.stderr).toBe("");
  }, 120_000);

  it("judges a privileged Pod on create only, and a critical Pod on delete", async () => {
    if (cluster === undefined) return;
    const privileged = pod("privileged", "registry.example.com/app:1", true);
    const onCreate = irFailures(privileged, { operation: "CREATE" }).get("no-privileged-on-create");
    expect(onCreate).toBe("CREATE of privileged container app");
    const denied = await eventually(
      () => kubectl(["create", "--dry-run=server", "-f", file(privileged)]),
      (run) => run.code !== 0,
    );
    expect(denied.stderr).toContain(`denied request: ${onCreate}`);

    const critical = pod("critical", "critical.example.com/db:1");
    expect(irFailures(critical, { operation: "CREATE" }).size).toBe(0);
    const created = kubectl(["create", "-f", file(critical)]);
    expect(created.code, created.stderr).toBe(0);
    const onDelete = irFailures(critical, { operation: "DELETE" }).get("no-critical-pod-deletes");
    expect(onDelete).toBe("app runs critical.example.com/db:1");
    const refused = kubectl(["delete", "pod", "critical", "-n", "shop", "--dry-run=server"]);
    expect(refused.stderr).toContain(`denied request: ${onDelete}`);
  }, 120_000);
});
