/**
 * `charter check --cluster` against the real API server of the dev cluster: an admin and a
 * developer whose Role lets them list some kinds and not others, every report format, the
 * scope flags, paginated lists, clusters that cannot be used (one line, exit 2), a pod's service
 * account, and policy reports written back into the cluster and replaced by the next scan.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Json } from "@charter/ir";
import { findOpa } from "@charter/runtime";
import type { DevCluster } from "@charter/server";
import {
  type ClusterListError,
  clusterScanEvents,
  connectCluster,
  IN_CLUSTER_CONTEXT,
  planClusterScan,
} from "@charter/server/cluster";
import { exists, pod, policy, rule } from "@charter/test-support/build-ir";
import {
  devClusterForTests,
  kubernetesBinariesForTests,
} from "@charter/test-support/dev-cluster-for-tests";
import { Ajv } from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { requireEngine } from "../support/engines.js";
import { repoRoot, runCli } from "../support/run-cli.js";
import { SCAN_ONLY_IMAGE_POLICIES, withoutUnconfiguredNotes } from "../support/scan-only-notes.js";

const SARIF_SCHEMA = join(repoRoot, "../shared/schemas/sarif/sarif-schema-2.1.0.draft-07.json");

const binaries = kubernetesBinariesForTests("charter check --cluster against the real API server");
const scratch = mkdtempSync(join(tmpdir(), "charter-check-cluster-"));

const namespace = (name: string, labels: Record<string, string> = {}) => ({
  apiVersion: "v1",
  kind: "Namespace",
  metadata: { name, labels },
});

const container = (name: string, securityContext: object) => ({
  name,
  image: "registry.example.com/app:1.0",
  securityContext,
});

const HARDENED = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

/** Objects the tests scan: a privileged Deployment, a hardened Pod, RBAC the developer may not list. */
const OBJECTS = [
  namespace("team-a", { "charter.dev/untrusted": "true" }),
  namespace("team-b"),
  {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "team-a" },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: { containers: [container("web", { privileged: true })] },
      },
    },
  },
  {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "api", namespace: "team-a" },
    spec: { containers: [container("api", HARDENED)] },
  },
  {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "db", namespace: "team-b" },
    spec: { containers: [container("db", HARDENED)] },
  },
  {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "Role",
    metadata: { name: "everything", namespace: "team-a" },
    rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }],
  },
];

/** The developer may list Pods and Deployments in team-a (and get its Namespace), nothing else. */
const DEVELOPER_RBAC = [
  {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "Role",
    metadata: { name: "pod-reader", namespace: "team-a" },
    rules: [
      { apiGroups: [""], resources: ["pods"], verbs: ["list"] },
      { apiGroups: ["apps"], resources: ["deployments"], verbs: ["list"] },
    ],
  },
  {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: { name: "developer-reads-pods", namespace: "team-a" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "pod-reader" },
    subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "charter-developer" }],
  },
  {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: "namespace-getter" },
    rules: [{ apiGroups: [""], resources: ["namespaces"], verbs: ["get"] }],
  },
  {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name: "developer-gets-namespaces" },
    roleRef: {
      apiGroup: "rbac.authorization.k8s.io",
      kind: "ClusterRole",
      name: "namespace-getter",
    },
    subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "charter-developer" }],
  },
];

interface JsonReport {
  results: {
    policy?: string;
    rule?: string;
    result: string;
    resource: { apiVersion: string; kind: string; namespace?: string; name: string };
    source?: { cluster?: string; file?: string };
  }[];
  summary: { resources: number; fail: number };
}

describe.skipIf(binaries === undefined)("charter check --cluster", () => {
  let cluster: DevCluster;
  const kubectl = (args: string[], input?: string) =>
    execFileSync(cluster.binaries.kubectl, ["--kubeconfig", cluster.kubeconfigs.admin, ...args], {
      encoding: "utf8",
      input,
      stdio: ["pipe", "pipe", "pipe"],
    });
  const apply = (objects: readonly object[]) =>
    kubectl(["apply", "--server-side", "-f", "-"], objects.map((o) => stringify(o)).join("---\n"));
  const check = (user: "admin" | "developer", args: string[]) =>
    runCli(["check", "--cluster", "--kubeconfig", cluster.kubeconfigs[user], ...args]);

  beforeAll(async () => {
    cluster = (await devClusterForTests()) as DevCluster;
    apply(OBJECTS.filter((o) => o.kind === "Namespace"));
    await cluster.waitForServiceAccount("team-a");
    await cluster.waitForServiceAccount("team-b");
    apply(OBJECTS.filter((o) => o.kind !== "Namespace"));
    apply(DEVELOPER_RBAC);
  });
  afterAll(async () => {
    await cluster?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("judges the admin's whole cluster: rows name the object and its namespace, the source is the context", async () => {
    const run = await check("admin", ["--all-namespaces", "--format", "json"]);
    expect(withoutUnconfiguredNotes(run.stderr)).toBe("");
    expect(run.code).toBe(1); // a deny policy fails on the privileged Deployment
    const report = JSON.parse(run.stdout) as JsonReport;
    const privileged = report.results.find(
      (r) => r.policy === "disallow-privileged-containers" && r.result === "fail",
    );
    expect(privileged?.resource).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      namespace: "team-a",
      name: "web",
    });
    expect(new Set(report.results.map((r) => JSON.stringify(r.source)))).toEqual(
      new Set([JSON.stringify({ cluster: "charter-dev" })]),
    );
    const kinds = new Set(report.results.map((r) => r.resource.kind));
    for (const kind of ["Namespace", "Deployment", "Pod", "Role"]) expect(kinds).toContain(kind);
    // Cluster-scoped objects are judged with --all-namespaces and carry no namespace.
    const ns = report.results.find((r) => r.resource.kind === "Namespace");
    expect(ns?.resource.namespace).toBeUndefined();
    // The Namespace is read from the cluster for the rules that read it: team-a is untrusted.
    expect(
      report.results.some(
        (r) =>
          r.policy === "restrict-runtime-class" &&
          r.result === "fail" &&
          r.resource.namespace === "team-a",
      ),
    ).toBe(true);
  });

  it("--namespace judges that namespace only, with its Namespace read for the cross-resource rules", async () => {
    const run = await check("admin", ["-n", "team-a", "--format", "json"]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(new Set(report.results.map((r) => r.resource.namespace))).toEqual(new Set(["team-a"]));
    expect(report.results.some((r) => r.resource.kind === "Namespace")).toBe(false);
    expect(
      report.results.some((r) => r.policy === "restrict-runtime-class" && r.result === "fail"),
    ).toBe(true);
    const other = await check("admin", ["-n", "team-b", "--format", "json"]);
    expect(withoutUnconfiguredNotes(other.stderr)).toBe("");
    expect((JSON.parse(other.stdout) as JsonReport).results.map((r) => r.resource.name)).toContain(
      "db",
    );
  });

  it("every engine gives the same rows: --engine opa judges the batch with the cluster's Namespace", async () => {
    if (requireEngine("opa", findOpa()) === undefined) return;
    const rowsOf = async (engine: string) => {
      const run = await check("admin", ["-n", "team-a", "--engine", engine, "--format", "json"]);
      expect(withoutUnconfiguredNotes(run.stderr)).toBe("");
      return (JSON.parse(run.stdout) as JsonReport).results;
    };
    const ir = await rowsOf("ir");
    // The library's scan-only image rules are skips on both, each giving its own reason.
    const scanOnly = (r: (typeof ir)[number]) =>
      (SCAN_ONLY_IMAGE_POLICIES as readonly (string | undefined)[]).includes(r.policy);
    const judgedByRego = (rows: typeof ir) => rows.filter((r) => !scanOnly(r));
    const opa = await rowsOf("opa");
    expect(judgedByRego(opa)).toEqual(judgedByRego(ir));
    expect(opa.length).toBe(ir.length);
    expect(opa.filter(scanOnly).every((r) => r.result === "skip")).toBe(true);
    expect(ir.some((r) => r.policy === "restrict-runtime-class" && r.result === "fail")).toBe(true);
  });

  it.each([
    ["table", /Deployment team-a\/web {2}cluster charter-dev/],
    ["sarif", /"fullyQualifiedName":"cluster\/charter-dev\/team-a\/Deployment\/web"/],
    ["junit", /source: cluster charter-dev/],
    ["policyreport", /cluster: charter-dev/],
    ["openreports", /cluster: charter-dev/],
    [
      "github",
      /::error title=disallow-privileged-containers\/privileged \(\w+\)::Deployment team-a\/web/,
    ],
  ])("reports in %s", async (format, expected) => {
    const run = await check("admin", ["-A", "--format", format]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(expected);
    if (format === "sarif") {
      // A logical location instead of a file is valid SARIF 2.1.0.
      const validate = new Ajv({
        allErrors: true,
        strict: false,
        validateFormats: false,
        unicodeRegExp: false,
      }).compile(JSON.parse(readFileSync(SARIF_SCHEMA, "utf8")));
      const sarif = JSON.parse(run.stdout);
      expect(validate(sarif), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    }
  });

  it("gives the developer one error line per kind they may not list, reports the rest, and exits 2", async () => {
    const run = await check("developer", ["-n", "team-a", "--format", "json"]);
    expect(run.code).toBe(2);
    const report = JSON.parse(run.stdout) as JsonReport;
    // Pods and Deployments were listed and judged.
    expect(new Set(report.results.map((r) => r.resource.kind))).toEqual(
      new Set(["Pod", "Deployment"]),
    );
    const lines = withoutUnconfiguredNotes(run.stderr).trim().split("\n");
    expect(lines.every((line) => line.startsWith("error: cluster charter-dev: cannot list "))).toBe(
      true,
    );
    const forbidden = lines.map((line) => /cannot list (\S+)/.exec(line)?.[1]);
    expect(new Set(forbidden).size).toBe(forbidden.length); // one line per kind
    expect(forbidden).toContain("roles.rbac.authorization.k8s.io");
    expect(forbidden).toContain("statefulsets.apps");
    expect(forbidden).not.toContain("pods");
    expect(forbidden).not.toContain("deployments.apps");
    expect(run.stderr).toMatch(/403 Forbidden: .*User "charter-developer" cannot list/);
    // The developer may get the Namespace: the untrusted label is seen.
    expect(
      report.results.some((r) => r.policy === "restrict-runtime-class" && r.result === "fail"),
    ).toBe(true);
  });

  it("a developer who may list nothing gets no clean report: errors and exit 2", async () => {
    const run = await check("developer", ["-n", "team-b", "--format", "table", "-q"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/cannot list pods \(v1 Pod\) in namespace team-b: 403 Forbidden/);
    expect(run.stderr).not.toMatch(/holds no object/);
  });

  it("an unreachable server, a certificate that does not verify and a refused token are one line and exit 2", async () => {
    const config = JSON.parse(readFileSync(cluster.kubeconfigs.admin, "utf8"));
    const variant = (name: string, change: (c: typeof config) => void) => {
      const copy = structuredClone(config);
      change(copy);
      const file = join(scratch, `${name}.kubeconfig`);
      writeFileSync(file, JSON.stringify(copy));
      return file;
    };
    const otherCa = join(scratch, "other-ca.crt");
    // A certificate of another authority: the server's own, but the kubeconfig trusts only
    // a CA that never signed it (a fresh self-signed one).
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        join(scratch, "other-ca.key"),
        "-out",
        otherCa,
        "-subj",
        "/CN=not-the-cluster",
        "-days",
        "1",
      ],
      { stdio: "ignore" },
    );
    const cases: [string, string, RegExp][] = [
      [
        "unreachable",
        variant("unreachable", (c) => {
          c.clusters[0].cluster.server = "https://127.0.0.1:1";
        }),
        /cannot connect to cluster charter-dev \(https:\/\/127\.0\.0\.1:1\): nothing listens there \(connection refused\)/,
      ],
      [
        "bad certificate",
        variant("bad-ca", (c) => {
          c.clusters[0].cluster["certificate-authority"] = otherCa;
        }),
        /cannot connect to cluster charter-dev .*not signed by the CA the kubeconfig trusts|self-signed/,
      ],
      [
        "refused token",
        variant("bad-token", (c) => {
          c.users[0].user.token = "expired-or-invalid";
        }),
        /refused the credentials: 401 Unauthorized/,
      ],
    ];
    for (const [, file, message] of cases) {
      const run = await runCli(["check", "--cluster", "--kubeconfig", file, "-A"]);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe("");
      expect(withoutUnconfiguredNotes(run.stderr).trim().split("\n")).toHaveLength(1);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
    const missing = await runCli(["check", "--cluster", "--kubeconfig", join(scratch, "none")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/does not exist/);
    const context = await check("admin", ["--context", "nope"]);
    expect(context.code).toBe(2);
    expect(context.stderr).toMatch(/no context "nope"; its contexts: charter-dev/);
    const noNamespace = await check("admin", ["-n", "nope"]);
    expect(noNamespace.code).toBe(2);
    expect(noNamespace.stderr).toMatch(/has no namespace nope/);
  });

  it("refuses options that contradict each other", async () => {
    expect((await runCli(["check", "k8s/", "--cluster"])).stderr).toMatch(/not files/);
    expect((await runCli(["check", "-A"])).stderr).toMatch(/for scanning a cluster/);
    expect((await check("admin", ["-A", "--apply-reports"])).stderr).toMatch(
      /--format policyreport/,
    );
    expect((await check("admin", ["-A", "-n", "x"])).code).toBe(2);
  });

  it("lists page by page with limit and continue", async () => {
    const client = connectCluster({ kubeconfig: cluster.kubeconfigs.admin });
    // One pod policy: Pods and their controllers are listed, nothing else.
    const library = [policy("any-pod", [rule("r", exists(pod("spec")))])];
    const plan = await planClusterScan(client, library, { allNamespaces: true });
    const errors: ClusterListError[] = [];
    const objects: Json[] = [];
    for await (const event of clusterScanEvents(client, plan, (e) => errors.push(e), {
      pageSize: 1,
    })) {
      if (event.kind === "resource") objects.push(event.resource.object);
    }
    expect(errors).toEqual([]);
    const pods = objects.filter((o) => (o as { kind: string }).kind === "Pod");
    expect(pods.map((p) => (p as { metadata: { name: string } }).metadata.name).sort()).toEqual([
      "api",
      "db",
    ]);
    // As stored: the apiVersion and kind a List leaves out are back; managedFields are gone.
    expect(pods[0]).toMatchObject({ apiVersion: "v1", kind: "Pod" });
    expect((pods[0] as { metadata: object }).metadata).not.toHaveProperty("managedFields");
    // The server's defaults are there: the scan judges what is stored.
    expect(
      (pods[0] as { spec: { containers: { imagePullPolicy?: string }[] } }).spec.containers[0]
        ?.imagePullPolicy,
    ).toBe("IfNotPresent");
    const audit = readFileSync(cluster.auditLog, "utf8");
    expect(audit).toMatch(/"requestURI":"\/api\/v1\/pods\?limit=1\\u0026continue=[^"]+"/);
  });

  it("reaches the cluster with a pod's service account (in-cluster config)", async () => {
    kubectl(["create", "serviceaccount", "scanner", "-n", "team-b"]);
    const token = kubectl(["create", "token", "scanner", "-n", "team-b"]).trim();
    const dir = mkdtempSync(join(scratch, "sa-"));
    writeFileSync(join(dir, "token"), token);
    writeFileSync(join(dir, "ca.crt"), readFileSync(cluster.caFile));
    writeFileSync(join(dir, "namespace"), "team-b");
    const port = new URL(cluster.server).port;
    const client = connectCluster({
      env: { KUBERNETES_SERVICE_HOST: "127.0.0.1", KUBERNETES_SERVICE_PORT: port, HOME: dir },
      serviceAccountDir: dir,
    });
    expect(client.context).toBe(IN_CLUSTER_CONTEXT);
    expect(client.namespace).toBe("team-b");
    const version = (await client.getJson("/version")) as { gitVersion: string };
    expect(version.gitVersion).toBe("v1.35.8");
    const pods = await client.request("GET", "/api/v1/namespaces/team-b/pods");
    expect(pods.status).toBe(403); // authenticated as the service account, which has no role
    expect(pods.text).toMatch(/system:serviceaccount:team-b:scanner/);
  });

  describe("--apply-reports", () => {
    beforeAll(() => {
      kubectl([
        "apply",
        "--server-side",
        "-f",
        "../shared/schemas/policyreport/",
        "-f",
        "../shared/schemas/openreports/",
      ]);
      kubectl(["wait", "--for=condition=Established", "crd", "--all", "--timeout=60s"]);
    });

    const reportsOf = (resource: string) =>
      (
        JSON.parse(kubectl(["get", resource, "-A", "-o", "json"])) as {
          items: {
            metadata: { name: string; namespace?: string };
            summary?: { fail?: number };
          }[];
        }
      ).items;

    it.each([
      ["policyreport", "policyreports.wgpolicyk8s.io", "clusterpolicyreports.wgpolicyk8s.io"],
      ["openreports", "reports.openreports.io", "clusterreports.openreports.io"],
    ])(
      "%s: the cluster accepts them, and a second scan replaces them",
      async (format, namespaced, clusterWide) => {
        const first = await check("admin", ["-A", "--format", format, "--apply-reports"]);
        expect(withoutUnconfiguredNotes(first.stderr)).toBe("");
        expect(first.code).toBe(1);
        expect(first.stdout).toMatch(/^applied .* team-a\/charter \(cluster charter-dev\)$/m);
        const reports = reportsOf(namespaced);
        expect(reports.map((r) => `${r.metadata.namespace}/${r.metadata.name}`)).toContain(
          "team-a/charter",
        );
        expect(reportsOf(clusterWide).map((r) => r.metadata.name)).toEqual(["charter"]);
        const teamA = reports.find((r) => r.metadata.namespace === "team-a");
        expect(teamA?.summary?.fail).toBeGreaterThan(0);

        // The same scan again: the same reports, not a second set beside them.
        const second = await check("admin", ["-A", "--format", format, "--apply-reports"]);
        expect(second.code).toBe(1);
        // The same objects (uid), updated in place.
        const identity = (r: { metadata: object }) => {
          const { name, namespace, uid } = r.metadata as Record<string, unknown>;
          return { name, namespace, uid };
        };
        expect(reportsOf(namespaced).map(identity)).toEqual(reports.map(identity));
      },
    );

    it("a namespace whose objects are gone loses its stale report", async () => {
      kubectl(["create", "namespace", "short-lived"]);
      await cluster.waitForServiceAccount("short-lived");
      apply([
        {
          apiVersion: "v1",
          kind: "Pod",
          metadata: { name: "tmp", namespace: "short-lived" },
          spec: { containers: [container("tmp", { privileged: true })] },
        },
      ]);
      await check("admin", ["-A", "--format", "policyreport", "--apply-reports"]);
      expect(
        reportsOf("policyreports.wgpolicyk8s.io").some(
          (r) => r.metadata.namespace === "short-lived",
        ),
      ).toBe(true);
      kubectl(["delete", "pod", "tmp", "-n", "short-lived", "--grace-period=0", "--force"]);
      const run = await check("admin", ["-A", "--format", "policyreport", "--apply-reports"]);
      expect(run.stdout).toMatch(/^deleted PolicyReport short-lived\/charter .*stale/m);
      expect(
        reportsOf("policyreports.wgpolicyk8s.io").some(
          (r) => r.metadata.namespace === "short-lived",
        ),
      ).toBe(false);
    });

    it("an incomplete scan applies nothing", async () => {
      const before = reportsOf("policyreports.wgpolicyk8s.io");
      const run = await check("developer", [
        "-n",
        "team-a",
        "--format",
        "policyreport",
        "--apply-reports",
      ]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/the scan is incomplete, so no report was applied/);
      expect(reportsOf("policyreports.wgpolicyk8s.io")).toEqual(before);
    });
  });
});
