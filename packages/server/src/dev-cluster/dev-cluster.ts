/**
 * A real Kubernetes control plane on 127.0.0.1 for tests and for trying policies locally: etcd,
 * kube-apiserver (token users, RBAC, audit log, ValidatingAdmissionPolicy) and
 * kube-controller-manager (each namespace's `default` ServiceAccount, without which every Pod is
 * refused; the ValidatingAdmissionPolicy type check). Free ports, a temporary folder, and a
 * teardown that leaves no process behind (see supervised-process.ts).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CharterError } from "@charter/ir";
import {
  AUDIT_POLICY,
  type ClusterUser,
  clusterUsers,
  writeKubeconfig,
  writeServiceAccountKeys,
  writeTokenFile,
} from "./cluster-files.js";
import { clusterRequest } from "./cluster-request.js";
import { freePort, waitForPortReleased } from "./free-port.js";
import { type KubernetesBinaries, requireKubernetesBinaries } from "./kubernetes-binaries.js";
import { type SupervisedProcess, superviseProcess } from "./supervised-process.js";

export interface DevClusterOptions {
  /** The programs to run (default: the pinned builds in .tools/bin). */
  readonly binaries?: KubernetesBinaries;
  /** The folder for data, keys, logs and kubeconfigs (default: a new temporary folder). */
  readonly dir?: string;
  /** Keep the folder after stop() (default: removed when it was temporary). */
  readonly keep?: boolean;
  /** How long start-up may take, in milliseconds (default 120 s). */
  readonly startTimeoutMs?: number;
  /** The kubeconfig context name (default `charter-dev`). */
  readonly context?: string;
  /** Extra kube-apiserver flags (`--flag=value`), after the harness's own. */
  readonly apiServerFlags?: readonly string[];
  /**
   * Extra kube-controller-manager flags, after the harness's own: the benchmark runs
   * `--controllers=serviceaccount,namespace` so that stored Deployments stay as stored.
   */
  readonly controllerManagerFlags?: readonly string[];
}

export interface DevCluster {
  /** `https://127.0.0.1:<port>`. */
  readonly server: string;
  readonly dir: string;
  readonly context: string;
  /** The PEM file that verifies the server's certificate. */
  readonly caFile: string;
  readonly users: { readonly admin: ClusterUser; readonly developer: ClusterUser };
  /** One kubeconfig per user. */
  readonly kubeconfigs: { readonly admin: string; readonly developer: string };
  /** The audit log: where `Audit` validation actions are seen. */
  readonly auditLog: string;
  readonly binaries: KubernetesBinaries;
  readonly processes: readonly SupervisedProcess[];
  /** Milliseconds from start to a ready API server and a working controller manager. */
  readonly startupMs: number;
  /** Waits until the namespace's `default` ServiceAccount exists (Pods need it). */
  waitForServiceAccount(namespace: string, timeoutMs?: number): Promise<void>;
  /**
   * Stops kube-apiserver and starts it again on the same port, with the same etcd, flags and
   * serving certificate, then waits for /readyz: what clients see when the API server restarts
   * (watches end, connections are refused for a while). etcd and the controller manager run on.
   */
  restartApiServer(timeoutMs?: number): Promise<void>;
  /** Stops every process, waits for their ports, removes the folder unless kept. */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil(
  what: string,
  timeoutMs: number,
  processes: readonly SupervisedProcess[],
  check: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dead = processes.find((process) => process.hasExited());
    if (dead !== undefined) {
      throw new CharterError(
        `${dead.name} exited while waiting for ${what}; the end of ${dead.logFile}:\n${dead.logTail()}`,
      );
    }
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) {
      throw new CharterError(
        `${what} did not happen within ${timeoutMs} ms; the ends of the logs:\n${processes
          .map((process) => `--- ${process.name} (${process.logFile})\n${process.logTail(10)}`)
          .join("\n")}`,
      );
    }
    await sleep(200);
  }
}

export async function startDevCluster(options: DevClusterOptions = {}): Promise<DevCluster> {
  const startedAt = Date.now();
  const binaries = options.binaries ?? requireKubernetesBinaries();
  const temporary = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "charter-dev-cluster-"));
  const context = options.context ?? "charter-dev";
  const timeoutMs = options.startTimeoutMs ?? 120_000;
  const path = (name: string) => join(dir, name);
  for (const folder of ["etcd", "pki", "logs"])
    mkdirSync(path(folder), { recursive: true, mode: 0o700 });

  const users = clusterUsers();
  writeTokenFile(path("tokens.csv"), [users.admin, users.developer]);
  writeServiceAccountKeys(path("pki/service-account.key"), path("pki/service-account.pub"));
  writeFileSync(path("audit-policy.yaml"), AUDIT_POLICY);
  const auditLog = path("logs/audit.log");
  const caFile = path("pki/apiserver.crt");

  const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
  const server = `https://127.0.0.1:${apiPort}`;
  const kubeconfigs = { admin: path("admin.kubeconfig"), developer: path("developer.kubeconfig") };
  writeKubeconfig(kubeconfigs.admin, { server, caFile, user: users.admin, context });
  writeKubeconfig(kubeconfigs.developer, { server, caFile, user: users.developer, context });

  const processes: SupervisedProcess[] = [];
  const ports = [etcdClient, etcdPeer, apiPort];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    // The supervisors are unref'd, so waiting for them keeps nothing alive: without this timer
    // a process with nothing else to do (a script, `charter dev-cluster`) would end mid-stop.
    const keepAlive = setInterval(() => {}, 1_000);
    try {
      // The reverse of the start order: the controller manager and the API server before etcd.
      for (const process of [...processes].reverse()) await process.stop();
      for (const port of ports) await waitForPortReleased(port);
      if (temporary && options.keep !== true) rmSync(dir, { recursive: true, force: true });
    } finally {
      clearInterval(keepAlive);
    }
  };

  try {
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    const peerUrl = `http://127.0.0.1:${etcdPeer}`;
    processes.push(
      superviseProcess(
        "etcd",
        binaries.etcd,
        [
          "--name=charter-dev",
          `--data-dir=${path("etcd")}`,
          `--listen-client-urls=${etcdUrl}`,
          `--advertise-client-urls=${etcdUrl}`,
          `--listen-peer-urls=${peerUrl}`,
          `--initial-advertise-peer-urls=${peerUrl}`,
          `--initial-cluster=charter-dev=${peerUrl}`,
          // A test cluster's data is thrown away: no fsync, a much faster etcd.
          "--unsafe-no-fsync=true",
          "--log-level=warn",
        ],
        path("logs/etcd.log"),
      ),
    );
    await waitUntil("etcd to answer /health", timeoutMs, processes, async () => {
      const response = await fetch(`${etcdUrl}/health`);
      return response.ok;
    });

    const admin = users.admin.token;
    const apiServerArgs = [
      `--etcd-servers=${etcdUrl}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${apiPort}`,
      `--cert-dir=${path("pki")}`,
      `--token-auth-file=${path("tokens.csv")}`,
      "--authorization-mode=RBAC",
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      `--service-account-key-file=${path("pki/service-account.pub")}`,
      `--service-account-signing-key-file=${path("pki/service-account.key")}`,
      "--service-cluster-ip-range=10.96.0.0/16",
      "--endpoint-reconciler-type=none",
      "--allow-privileged=true",
      `--audit-policy-file=${path("audit-policy.yaml")}`,
      `--audit-log-path=${auditLog}`,
      "--profiling=false",
      ...(options.apiServerFlags ?? []),
    ];
    /** Starts kube-apiserver (in the old one's place on a restart) and waits for /readyz. */
    const startApiServer = async (waitMs: number) => {
      const apiServer = superviseProcess(
        "kube-apiserver",
        binaries["kube-apiserver"],
        apiServerArgs,
        path("logs/kube-apiserver.log"),
      );
      const at = processes.findIndex((process) => process.name === "kube-apiserver");
      if (at === -1) processes.push(apiServer);
      else processes[at] = apiServer;
      await waitUntil("kube-apiserver to be ready (/readyz)", waitMs, processes, async () => {
        // Its serving certificate is generated into pki/ on the first start and kept after.
        const ca = readFileSync(caFile, "utf8");
        return (await clusterRequest(server, ca, admin, "/readyz")).status === 200;
      });
    };
    await startApiServer(timeoutMs);
    const ca = readFileSync(caFile, "utf8");

    processes.push(
      superviseProcess(
        "kube-controller-manager",
        binaries["kube-controller-manager"],
        [
          `--kubeconfig=${kubeconfigs.admin}`,
          "--leader-elect=false",
          "--secure-port=0",
          `--service-account-private-key-file=${path("pki/service-account.key")}`,
          `--root-ca-file=${caFile}`,
          "--use-service-account-credentials=false",
          ...(options.controllerManagerFlags ?? []),
        ],
        path("logs/kube-controller-manager.log"),
      ),
    );
    const waitForServiceAccount = (namespace: string, waitMs = 60_000) =>
      waitUntil(`the ServiceAccount ${namespace}/default`, waitMs, processes, async () => {
        const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/default`;
        return (await clusterRequest(server, ca, admin, path)).status === 200;
      });
    // The controller manager works once it has made the default namespace's ServiceAccount.
    await waitForServiceAccount("default", timeoutMs);

    let restarting: Promise<void> | undefined;
    const restartApiServer = (waitMs = timeoutMs) => {
      restarting ??= (async () => {
        try {
          const old = processes.find((process) => process.name === "kube-apiserver");
          await old?.stop();
          await waitForPortReleased(apiPort);
          await startApiServer(waitMs);
        } finally {
          restarting = undefined;
        }
      })();
      return restarting;
    };

    return {
      server,
      dir,
      context,
      caFile,
      users,
      kubeconfigs,
      auditLog,
      binaries,
      processes,
      startupMs: Date.now() - startedAt,
      waitForServiceAccount,
      restartApiServer,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
