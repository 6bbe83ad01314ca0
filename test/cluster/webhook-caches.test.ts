/**
 * The webhook's watch caches against the real API server of the dev cluster: the library's
 * cross-resource policies judged through ClusterJudgingContext must give exactly the rows
 * `charter check` gives over the same objects (the cluster's Namespaces and NetworkPolicies,
 * dumped by kubectl, beside the workloads under review) — after the first sync, after
 * deletes, and after an API server restart with changes made right after it. A kind the
 * cluster does not serve yet stays unsynced and gets the written decision until its CRD is
 * installed.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_SYSTEM_NAMESPACES, type Json, type Policy } from "@charter/ir";
import { createEngines, type Finding } from "@charter/runtime";
import type { DevCluster } from "@charter/server";
import { ClusterJudgingContext } from "@charter/server/webhook-caches";
import {
  devClusterForTests,
  kubernetesBinariesForTests,
} from "@charter/test-support/dev-cluster-for-tests";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import requireDefaultDenyNetworkPolicy from "../../policies/require-default-deny-network-policy.js";
import requireMeshWideMtls from "../../policies/require-mesh-wide-mtls.js";
import restrictRuntimeClass from "../../policies/restrict-runtime-class.js";
import { runCli } from "../support/run-cli.js";
import { withoutUnconfiguredNotes } from "../support/scan-only-notes.js";

const binaries = kubernetesBinariesForTests(
  "the webhook's watch caches against the real API server",
);
const scratch = mkdtempSync(join(tmpdir(), "charter-webhook-caches-"));

/** The library's policies that read beyond the resource (grep policies/ for inventory( and namespaceObject). */
const CROSS_RESOURCE: readonly Policy[] = [restrictRuntimeClass, requireDefaultDenyNetworkPolicy];
const CROSS_NAMES = new Set([...CROSS_RESOURCE, requireMeshWideMtls].map((p) => p.name));

const namespace = (name: string, labels: Record<string, string> = {}) => ({
  apiVersion: "v1",
  kind: "Namespace",
  metadata: { name, labels },
});
const networkPolicy = (name: string, ns: string, spec: object) => ({
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  metadata: { name, namespace: ns },
  spec,
});
const DENY_ALL = { podSelector: {}, policyTypes: ["Ingress", "Egress"] };
const DENY_INGRESS = { podSelector: {}, policyTypes: ["Ingress"] };
const ALLOW_WEB = {
  podSelector: { matchLabels: { app: "api" } },
  policyTypes: ["Ingress"],
  ingress: [{ from: [{ podSelector: { matchLabels: { app: "web" } } }] }],
};
const container = { name: "app", image: "registry.example.com/app:1.0" };
const podIn = (name: string, ns: string, extra: object = {}) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: ns },
  spec: { containers: [container], ...extra },
});

/** Objects under review: never created, judged as the webhook would judge them. */
const REVIEWED: readonly Json[] = [
  podIn("api", "team-a"),
  podIn("sandboxed", "team-a", { runtimeClassName: "gvisor" }),
  {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "team-b" },
    spec: {
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [container] } },
    },
  },
  podIn("worker", "team-c"),
  podIn("lost", "no-such-namespace"),
  podIn("system", "kube-system"),
];

const identity = (row: {
  policy?: string;
  rule?: string;
  result: string;
  message?: string;
  resource: { kind: string; namespace?: string; name: string };
}) =>
  `${row.resource.kind} ${row.resource.namespace ?? ""}/${row.resource.name} ${row.policy}/${row.rule} ${row.result}: ${row.message}`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Polls an async check until it holds (30 s unless told). */
async function waitFor(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await sleep(200);
  }
}
/** A count read until three reads 1.5 s apart agree (60 s at most). */
async function settledCount(read: () => Promise<number>): Promise<number> {
  const deadline = Date.now() + 60_000;
  const reads = [await read()];
  while (reads.length < 3 || new Set(reads.slice(-3)).size > 1) {
    if (Date.now() > deadline) throw new Error(`the count did not settle: ${reads.join(", ")}`);
    await sleep(1_500);
    reads.push(await read());
  }
  return reads[reads.length - 1] as number;
}
async function eventually(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await sleep(50);
  }
}

describe.skipIf(binaries === undefined)("the webhook's watch caches", () => {
  let cluster: DevCluster;
  let context: ClusterJudgingContext;
  const kubectl = (args: string[], input?: string) =>
    execFileSync(cluster.binaries.kubectl, ["--kubeconfig", cluster.kubeconfigs.admin, ...args], {
      encoding: "utf8",
      input,
      stdio: ["pipe", "pipe", "pipe"],
      maxBuffer: 64 * 2 ** 20, // the API server's /metrics is several MiB
    });
  const apply = (objects: readonly object[]) =>
    kubectl(["apply", "--server-side", "-f", "-"], objects.map((o) => stringify(o)).join("---\n"));

  /** Watches of NetworkPolicies the API server holds open now (its own metric). */
  async function networkPolicyWatches(): Promise<number> {
    const metrics = kubectl(["get", "--raw", "/metrics"]);
    let total = 0;
    for (const line of metrics.split("\n")) {
      if (
        line.startsWith("apiserver_longrunning_requests{") &&
        line.includes('resource="networkpolicies"') &&
        line.includes('verb="WATCH"')
      ) {
        total += Number(line.slice(line.lastIndexOf(" ") + 1));
      }
    }
    return total;
  }

  /** The rows the webhook's IR engine gives the reviewed objects, judged with the caches. */
  async function webhookRows(policies: readonly Policy[], judging = context): Promise<string[]> {
    const [engine] = createEngines(policies, ["ir"], {
      systemNamespaces: DEFAULT_SYSTEM_NAMESPACES,
      exceptions: [],
      now: Date.now(),
    }).engines;
    if (engine === undefined) throw new Error("the IR engine is always there");
    const findings: Finding[] = [];
    for (const object of REVIEWED) {
      const inventory = judging.inventoryFor(object);
      findings.push(...(await engine.evaluate([{ object, ...(inventory ? { inventory } : {}) }])));
    }
    return findings.map(identity).sort();
  }

  /** `charter check`'s rows for the reviewed objects, over them and the cluster's objects. */
  async function checkRows(kinds: string): Promise<string[]> {
    const clusterObjects = (
      JSON.parse(kubectl(["get", kinds, "-A", "-o", "json"])) as {
        items: object[];
      }
    ).items;
    const file = join(scratch, `set-${Date.now()}.yaml`);
    writeFileSync(file, [...clusterObjects, ...REVIEWED].map((o) => stringify(o)).join("---\n"));
    const run = await runCli(["check", file, "--format", "json"]);
    expect(withoutUnconfiguredNotes(run.stderr)).toBe("");
    const reviewed = new Set(
      REVIEWED.map((o) => {
        const { metadata, kind } = o as {
          kind: string;
          metadata: { name: string; namespace: string };
        };
        return `${kind} ${metadata.namespace}/${metadata.name}`;
      }),
    );
    return (JSON.parse(run.stdout) as { results: Parameters<typeof identity>[0][] }).results
      .filter((row) => CROSS_NAMES.has(row.policy ?? ""))
      .filter((row) =>
        reviewed.has(`${row.resource.kind} ${row.resource.namespace ?? ""}/${row.resource.name}`),
      )
      .map(identity)
      .sort();
  }

  beforeAll(async () => {
    cluster = (await devClusterForTests()) as DevCluster;
    apply([
      namespace("team-a", { "charter.dev/untrusted": "true" }),
      namespace("team-b"),
      namespace("team-c"),
    ]);
    apply([
      networkPolicy("default-deny", "team-a", DENY_ALL),
      networkPolicy("deny-ingress", "team-c", DENY_INGRESS),
      networkPolicy("allow-web", "team-c", ALLOW_WEB),
    ]);
    context = new ClusterJudgingContext({
      policies: CROSS_RESOURCE,
      connection: { kubeconfig: cluster.kubeconfigs.admin },
      backoff: { initialMs: 100, maxMs: 1_000 },
      pageSize: 2, // several pages per list, as a large cluster would need
    });
  });
  afterAll(async () => {
    await context?.stop();
    await cluster?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("caches what the policies read, syncs each kind, and judges as charter check does", async () => {
    expect(context.caches.kinds.map((k) => `${k.apiVersion}/${k.kind}`)).toEqual([
      "v1/Namespace",
      "networking.k8s.io/v1/NetworkPolicy",
    ]);
    await context.caches.whenSynced(30_000);
    expect(context.synced()).toBe(true);
    const state = context.state();
    expect(state.map((s) => [s.kind, s.synced, s.connected, s.restarts])).toEqual([
      ["v1/Namespace", true, true, 0],
      ["networking.k8s.io/v1/NetworkPolicy", true, true, 0],
    ]);
    expect(state[0]?.watched).toEqual({ apiVersion: "v1", resource: "namespaces" });
    expect(state[0]?.objects).toBeGreaterThanOrEqual(7); // 4 of the server's own, 3 of ours
    expect(state[1]?.objects).toBe(3);
    // Cached as check --cluster reads them: no managedFields.
    const cached = context.caches.index.namespace("team-a") as { metadata: object };
    expect(cached.metadata).not.toHaveProperty("managedFields");

    const rows = await webhookRows(CROSS_RESOURCE);
    expect(rows).toEqual(await checkRows("namespaces,networkpolicies"));
    // Not an empty agreement: every outcome is there.
    expect(rows).toContainEqual(
      expect.stringMatching(/^Pod team-a\/api restrict-runtime-class\/sandboxed fail:/),
    );
    expect(rows).toContainEqual(
      expect.stringMatching(/^Pod team-a\/api require-default-deny-network-policy\/ingress pass/),
    );
    expect(rows).toContainEqual(
      expect.stringMatching(
        /^Deployment team-b\/web require-default-deny-network-policy\/egress fail/,
      ),
    );
    expect(rows).toContainEqual(
      expect.stringMatching(
        /^Pod team-c\/worker require-default-deny-network-policy\/ingress pass/,
      ),
    );
    expect(rows).toContainEqual(
      expect.stringMatching(/^Pod team-c\/worker require-default-deny-network-policy\/egress fail/),
    );
    expect(rows).toContainEqual(
      expect.stringMatching(/^Pod no-such-namespace\/lost restrict-runtime-class\/sandboxed skip/),
    );
    expect(rows).toContainEqual(
      expect.stringMatching(/^Pod kube-system\/system restrict-runtime-class\/sandboxed skip/),
    );
  });

  it("follows adds, updates and deletes", async () => {
    kubectl(["delete", "networkpolicy", "default-deny", "-n", "team-a"]);
    kubectl(["label", "namespace", "team-b", "charter.dev/untrusted=true"]);
    apply([networkPolicy("default-deny", "team-b", DENY_ALL)]);
    await eventually("the caches to follow", () => {
      const teamB = context.caches.index.namespace("team-b") as {
        metadata: { labels?: Record<string, string> };
      };
      return (
        context.caches.index.list("networking.k8s.io/v1", "NetworkPolicy", "team-a").length === 0 &&
        context.caches.index.list("networking.k8s.io/v1", "NetworkPolicy", "team-b").length === 1 &&
        teamB.metadata.labels?.["charter.dev/untrusted"] === "true"
      );
    });
    const rows = await webhookRows(CROSS_RESOURCE);
    expect(rows).toEqual(await checkRows("namespaces,networkpolicies"));
    expect(rows).toContainEqual(
      expect.stringMatching(/^Pod team-a\/api require-default-deny-network-policy\/ingress fail/),
    );
    expect(rows).toContainEqual(
      expect.stringMatching(/^Deployment team-b\/web restrict-runtime-class\/sandboxed fail/),
    );
    expect(context.state()[1]?.objects).toBe(3);
  });

  it("serves the last state while the API server is down, says so, and resyncs after the restart", async () => {
    const before = await webhookRows(CROSS_RESOURCE);
    const restart = cluster.restartApiServer();
    await eventually("the caches to see the break", () =>
      context.state().every((s) => !s.connected),
    );
    // Disconnected, still synced, still answering with the last state.
    expect(context.synced()).toBe(true);
    expect(context.state().every((s) => s.synced && s.lastError !== undefined)).toBe(true);
    expect(await webhookRows(CROSS_RESOURCE)).toEqual(before);
    await restart;
    // Changes right after the restart, before or after the caches relist: they must show.
    kubectl(["delete", "networkpolicy", "allow-web", "-n", "team-c"]);
    apply([networkPolicy("default-deny", "team-c", DENY_ALL)]);
    kubectl(["label", "namespace", "team-a", "charter.dev/untrusted-"]);
    await eventually(
      "the caches to reconnect and follow",
      () => {
        const teamA = context.caches.index.namespace("team-a") as {
          metadata: { labels?: Record<string, string> };
        };
        const teamC = context.caches.index
          .list("networking.k8s.io/v1", "NetworkPolicy", "team-c")
          .map((np) => (np.metadata as { name: string }).name);
        return (
          context.state().every((s) => s.connected) &&
          teamA.metadata.labels?.["charter.dev/untrusted"] === undefined &&
          teamC.join() === "default-deny,deny-ingress"
        );
      },
      60_000,
    );
    const state = context.state();
    expect(state.every((s) => s.restarts >= 1 && s.lastError === undefined)).toBe(true);
    expect(state.every((s) => (s.lastEventAgeMs ?? Number.POSITIVE_INFINITY) < 60_000)).toBe(true);
    const rows = await webhookRows(CROSS_RESOURCE);
    expect(rows).toEqual(await checkRows("namespaces,networkpolicies"));
    expect(rows).toContainEqual(
      expect.stringMatching(/^Pod team-a\/api restrict-runtime-class\/sandboxed pass/),
    );
    expect(rows).toContainEqual(
      expect.stringMatching(/^Pod team-c\/worker require-default-deny-network-policy\/egress pass/),
    );
  });

  it("after a network break, the relist drops what was deleted and adds what was created meanwhile", async () => {
    const proxy = await cuttableProxy(Number(new URL(cluster.server).port));
    const kubeconfig = join(scratch, "through-proxy.kubeconfig");
    writeFileSync(
      kubeconfig,
      readFileSync(cluster.kubeconfigs.admin, "utf8").replaceAll(
        cluster.server,
        `https://127.0.0.1:${proxy.port}`,
      ),
    );
    apply([namespace("team-d")]);
    apply([
      networkPolicy("kept", "team-d", DENY_ALL),
      networkPolicy("doomed", "team-d", ALLOW_WEB),
    ]);
    const cut = new ClusterJudgingContext({
      policies: [requireDefaultDenyNetworkPolicy],
      connection: { kubeconfig },
      backoff: { initialMs: 100, maxMs: 500 },
    });
    const namesIn = (ns: string) =>
      cut.caches.index
        .list("networking.k8s.io/v1", "NetworkPolicy", ns)
        .map((np) => (np.metadata as { name: string }).name)
        .join();
    try {
      await cut.caches.whenSynced(30_000);
      expect(namesIn("team-d")).toBe("doomed,kept");
      proxy.cut();
      await eventually("the cache to see the break", () => cut.state()[0]?.connected === false);
      kubectl(["delete", "networkpolicy", "doomed", "-n", "team-d"]);
      apply([networkPolicy("newcomer", "team-d", ALLOW_WEB)]);
      await sleep(1_000);
      // Still the last state, and the state says the cache is not connected.
      expect(namesIn("team-d")).toBe("doomed,kept");
      expect(cut.state()[0]).toMatchObject({ synced: true, connected: false });
      expect(cut.decide([requireDefaultDenyNetworkPolicy])[0]?.action).toBe("judge");
      proxy.restore();
      await eventually("the cache to relist", () => cut.state()[0]?.connected === true);
      expect(namesIn("team-d")).toBe("kept,newcomer");
      expect(cut.state()[0]?.restarts).toBeGreaterThanOrEqual(1);
      // stop() closes the watch; stopped during its first list, a cache opens none. Counted by
      // the API server, whose count lags: it counts a new watch some seconds after it opened,
      // and the watch the break cut off for longer. Read once it has held still for 3 s.
      const watching = await settledCount(networkPolicyWatches);
      await cut.stop();
      await waitFor(async () => (await networkPolicyWatches()) < watching, 60_000);
      const afterStop = await settledCount(networkPolicyWatches);
      const early = new ClusterJudgingContext({
        policies: [requireDefaultDenyNetworkPolicy],
        connection: { kubeconfig },
      });
      await early.stop();
      await sleep(1_500);
      expect(await networkPolicyWatches()).toBe(afterStop);
      expect(early.synced()).toBe(false);
    } finally {
      await cut.stop();
      await proxy.close();
    }
  });

  it("runs in a pod with its service account: refused kinds stay unsynced with the server's reason, and sync once RBAC allows them", async () => {
    apply([namespace("charter-system")]);
    kubectl(["create", "serviceaccount", "charter-webhook", "-n", "charter-system"]);
    const token = kubectl(["create", "token", "charter-webhook", "-n", "charter-system"]).trim();
    const dir = mkdtempSync(join(scratch, "sa-"));
    writeFileSync(join(dir, "token"), token);
    writeFileSync(join(dir, "ca.crt"), readFileSync(cluster.caFile));
    writeFileSync(join(dir, "namespace"), "charter-system");
    const inPod = new ClusterJudgingContext({
      policies: CROSS_RESOURCE,
      connection: {
        env: {
          KUBERNETES_SERVICE_HOST: "127.0.0.1",
          KUBERNETES_SERVICE_PORT: new URL(cluster.server).port,
          HOME: dir,
        },
        serviceAccountDir: dir,
      },
      backoff: { initialMs: 100, maxMs: 500 },
    });
    try {
      await eventually("the first lists to be refused", () =>
        inPod.state().every((s) => s.lastError !== undefined),
      );
      expect(inPod.synced()).toBe(false);
      expect(inPod.state()[0]?.lastError).toMatch(
        /^403 Forbidden: .*system:serviceaccount:charter-system:charter-webhook.* cannot list resource "namespaces"/,
      );
      expect(inPod.decide(CROSS_RESOURCE).map((d) => d.action)).toEqual(["deny", "deny"]);
      // What the webhook's ClusterRole must grant: list and watch of each cached kind.
      apply([
        {
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind: "ClusterRole",
          metadata: { name: "charter-webhook-caches" },
          rules: [
            { apiGroups: [""], resources: ["namespaces"], verbs: ["list", "watch"] },
            {
              apiGroups: ["networking.k8s.io"],
              resources: ["networkpolicies"],
              verbs: ["list", "watch"],
            },
          ],
        },
        {
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind: "ClusterRoleBinding",
          metadata: { name: "charter-webhook-caches" },
          roleRef: {
            apiGroup: "rbac.authorization.k8s.io",
            kind: "ClusterRole",
            name: "charter-webhook-caches",
          },
          subjects: [
            { kind: "ServiceAccount", name: "charter-webhook", namespace: "charter-system" },
          ],
        },
      ]);
      await inPod.caches.whenSynced(30_000);
      await context.caches.whenSynced(30_000);
      expect(inPod.state().map((s) => [s.connected, s.lastError])).toEqual([
        [true, undefined],
        [true, undefined],
      ]);
      expect(await webhookRows(CROSS_RESOURCE, inPod)).toEqual(await webhookRows(CROSS_RESOURCE));
    } finally {
      await inPod.stop();
    }
  });

  it("a kind the cluster does not serve stays unsynced and gets the written decision, until its CRD is installed", async () => {
    const mesh = new ClusterJudgingContext({
      policies: [requireMeshWideMtls],
      connection: { kubeconfig: cluster.kubeconfigs.admin },
      backoff: { initialMs: 100, maxMs: 500 },
    });
    try {
      await eventually("the first attempt to fail", () => mesh.state()[0]?.lastError !== undefined);
      expect(mesh.synced()).toBe(false);
      expect(mesh.state()[0]).toMatchObject({
        kind: "security.istio.io/v1/PeerAuthentication",
        synced: false,
        connected: false,
        objects: 0,
        lastError: expect.stringMatching(
          /does not serve security\.istio\.io\/v1\/PeerAuthentication/,
        ),
      });
      expect(mesh.decide([requireMeshWideMtls])).toEqual([
        {
          policy: "require-mesh-wide-mtls",
          action: "deny",
          message:
            "Charter's cache of security.istio.io/v1/PeerAuthentication is not synced yet; retry (policy require-mesh-wide-mtls needs it)",
          unsynced: ["security.istio.io/v1/PeerAuthentication"],
        },
      ]);
      // A policy reading nothing beyond the object is judged meanwhile; so is one whose
      // caches are synced, by the other context.
      await context.caches.whenSynced(30_000);
      expect(context.decide(CROSS_RESOURCE).map((d) => d.action)).toEqual(["judge", "judge"]);

      apply([PEER_AUTHENTICATION_CRD]);
      kubectl(["wait", "--for=condition=Established", "crd/peerauthentications.security.istio.io"]);
      apply([namespace("istio-system"), namespace("shop", { "istio-injection": "enabled" })]);
      apply([
        {
          apiVersion: "security.istio.io/v1beta1",
          kind: "PeerAuthentication",
          metadata: { name: "default", namespace: "istio-system" },
          spec: { mtls: { mode: "STRICT" } },
        },
      ]);
      await mesh.caches.whenSynced(30_000);
      await eventually("the PeerAuthentication to be cached", () => mesh.state()[0]?.objects === 1);
      // The policy names v1; this cluster serves v1beta1 only: watched there, read as v1.
      expect(mesh.state()[0]?.watched).toEqual({
        apiVersion: "security.istio.io/v1beta1",
        resource: "peerauthentications",
      });
      expect(mesh.decide([requireMeshWideMtls])[0]?.action).toBe("judge");
      const [engine] = createEngines([requireMeshWideMtls], ["ir"]).engines;
      const shop = JSON.parse(kubectl(["get", "namespace", "shop", "-o", "json"])) as Json;
      const findings = (await engine?.evaluate([
        {
          object: shop,
          inventory: mesh.inventoryFor(shop) as NonNullable<ReturnType<typeof mesh.inventoryFor>>,
        },
      ])) as Finding[];
      expect(findings.map((f) => f.result)).toEqual(["pass"]);
    } finally {
      await mesh.stop();
    }
  });
});

/**
 * A TCP proxy to the API server that the test can cut: open connections are destroyed and new
 * ones refused, as a network break would, while the API server itself (and kubectl through
 * the direct kubeconfig) carries on. TLS passes through: the certificate names 127.0.0.1.
 */
async function cuttableProxy(target: number) {
  const sockets = new Set<Socket>();
  let cut = false;
  const server: Server = createServer((client) => {
    if (cut) {
      client.destroy();
      return;
    }
    const upstream = tcpConnect({ host: "127.0.0.1", port: target });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      // A closed side closes the other: pipe() forwards an end, never a destroy.
      socket.on("close", () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
      socket.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    cut() {
      cut = true;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      cut = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const PEER_AUTHENTICATION_CRD = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "peerauthentications.security.istio.io" },
  spec: {
    group: "security.istio.io",
    names: {
      kind: "PeerAuthentication",
      listKind: "PeerAuthenticationList",
      plural: "peerauthentications",
      singular: "peerauthentication",
    },
    scope: "Namespaced",
    // Only the older version, so the caches must find it by discovery (the policy names v1).
    versions: ["v1beta1"].map((name) => ({
      name,
      served: true,
      storage: true,
      schema: {
        openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
      },
    })),
  },
};
