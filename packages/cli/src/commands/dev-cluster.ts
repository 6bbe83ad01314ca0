/**
 * `charter dev-cluster`: a real Kubernetes control plane on 127.0.0.1 (etcd, kube-apiserver,
 * kube-controller-manager at the pinned release) to apply dist/vap/ into and scan with
 * `charter check --cluster`. Runs until SIGTERM or SIGINT, then removes every process and,
 * unless --dir was given, its folder.
 */
import { resolve } from "node:path";
import { type DevCluster, startDevCluster } from "@charter/server";
import type { Context } from "../context.js";
import { EXIT_OK } from "../exit.js";
import { shutdownSignal } from "../shutdown-signal.js";

export interface DevClusterCommandOptions {
  readonly dir?: string;
  readonly json?: boolean;
}

function describe(cluster: DevCluster): string {
  return [
    `API server ${cluster.server} ready in ${(cluster.startupMs / 1000).toFixed(1)} s`,
    `  admin (system:masters):   KUBECONFIG=${cluster.kubeconfigs.admin}`,
    `  developer (no role):      KUBECONFIG=${cluster.kubeconfigs.developer}`,
    `  audit log:                ${cluster.auditLog}`,
    `  process logs:             ${resolve(cluster.dir, "logs")}`,
    "Press Ctrl-C to stop.",
  ].join("\n");
}

export async function devCluster(ctx: Context, options: DevClusterCommandOptions): Promise<number> {
  const stop = shutdownSignal();
  const cluster = await startDevCluster({
    dir: options.dir === undefined ? undefined : resolve(ctx.cwd, options.dir),
  });
  if (options.json === true) {
    const { server, dir, context, caFile, kubeconfigs, auditLog, startupMs } = cluster;
    ctx.output.out(
      JSON.stringify({ server, dir, context, caFile, kubeconfigs, auditLog, startupMs }),
    );
  } else {
    ctx.output.out(describe(cluster));
  }
  // The supervisors' pipes are unref'd (they must not keep a test process alive), and signal
  // handlers keep nothing alive either: without this timer Node would exit here, closing the
  // pipes and so stopping the cluster it just printed.
  const keepAlive = setInterval(() => {}, 1 << 30);
  await stop;
  clearInterval(keepAlive);
  await cluster.stop();
  return EXIT_OK;
}
