/**
 * Which cluster `charter check --cluster` talks to, found the way kubectl finds it:
 * `--kubeconfig FILE`, else the files of `KUBECONFIG` (merged, first wins), else
 * `~/.kube/config`, else the pod's service account when running in a cluster
 * (KUBERNETES_SERVICE_HOST and the token under /var/run/secrets/kubernetes.io/serviceaccount).
 * `--context` picks a context other than the current one.
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { type ClusterClient, ClusterUnusable, clusterClient } from "./cluster-client.js";

const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/** The context name reports give a cluster reached through the pod's service account. */
export const IN_CLUSTER_CONTEXT = "in-cluster";

export interface ClusterConnectionOptions {
  /** `--kubeconfig`. */
  readonly kubeconfig?: string;
  /** `--context`. */
  readonly context?: string;
  /** The environment (default `process.env`): KUBECONFIG, HOME, KUBERNETES_SERVICE_HOST/PORT. */
  readonly env?: NodeJS.ProcessEnv;
  /** Where the service account's files are (default the path every pod has); for tests. */
  readonly serviceAccountDir?: string;
}

function loadFile(kc: KubeConfig, file: string, from: string): void {
  if (!existsSync(file)) {
    throw new ClusterUnusable(
      `the kubeconfig ${file} (${from}) does not exist`,
      "pass --kubeconfig FILE, or set KUBECONFIG",
    );
  }
  try {
    kc.loadFromFile(file);
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new ClusterUnusable(
      `the kubeconfig ${file} (${from}) cannot be read: ${message}`,
      "fix the file, or pass another with --kubeconfig",
    );
  }
}

function loadKubeConfig(options: ClusterConnectionOptions): { kc: KubeConfig; inCluster: boolean } {
  const env = options.env ?? process.env;
  const kc = new KubeConfig();
  if (options.kubeconfig !== undefined) {
    loadFile(kc, options.kubeconfig, "--kubeconfig");
    return { kc, inCluster: false };
  }
  const fromEnv = (env.KUBECONFIG ?? "").split(":").filter(Boolean);
  if (fromEnv.length > 0) {
    const [first, ...rest] = fromEnv as [string, ...string[]];
    loadFile(kc, first, "KUBECONFIG");
    for (const file of rest) {
      if (!existsSync(file)) continue; // kubectl skips a missing file of KUBECONFIG too
      const more = new KubeConfig();
      loadFile(more, file, "KUBECONFIG");
      kc.mergeConfig(more);
    }
    return { kc, inCluster: false };
  }
  const home = join(env.HOME ?? homedir(), ".kube", "config");
  if (existsSync(home)) {
    loadFile(kc, home, "~/.kube/config");
    return { kc, inCluster: false };
  }
  const dir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  if (env.KUBERNETES_SERVICE_HOST && existsSync(join(dir, "token"))) {
    const host = env.KUBERNETES_SERVICE_HOST;
    const namespaceFile = join(dir, "namespace");
    kc.loadFromOptions({
      clusters: [
        {
          name: IN_CLUSTER_CONTEXT,
          server: `https://${host.includes(":") ? `[${host}]` : host}:${env.KUBERNETES_SERVICE_PORT ?? "443"}`,
          caFile: join(dir, "ca.crt"),
          skipTLSVerify: false,
        },
      ],
      users: [
        {
          name: IN_CLUSTER_CONTEXT,
          // Read again on every request: the kubelet rotates the projected token.
          authProvider: { name: "tokenFile", config: { tokenFile: join(dir, "token") } },
        },
      ],
      contexts: [
        {
          name: IN_CLUSTER_CONTEXT,
          cluster: IN_CLUSTER_CONTEXT,
          user: IN_CLUSTER_CONTEXT,
          ...(existsSync(namespaceFile)
            ? { namespace: readFileSync(namespaceFile, "utf8").trim() }
            : {}),
        },
      ],
      currentContext: IN_CLUSTER_CONTEXT,
    });
    return { kc, inCluster: true };
  }
  throw new ClusterUnusable(
    "no kubeconfig: --kubeconfig is not given, KUBECONFIG is not set, ~/.kube/config does not exist and this is not a pod with a service account",
    "pass --kubeconfig FILE or set KUBECONFIG",
  );
}

/** The client of the chosen context, or a ClusterUnusable error saying what is missing. */
export function connectCluster(options: ClusterConnectionOptions = {}): ClusterClient {
  return clusterClient(chosenKubeConfig(options));
}

/**
 * The kubeconfig with the chosen context current, as connectCluster reads it: for code that
 * needs @kubernetes/client-node's own machinery (a watch) beside the ClusterClient.
 */
export function chosenKubeConfig(options: ClusterConnectionOptions = {}): KubeConfig {
  const { kc } = loadKubeConfig(options);
  if (options.context !== undefined) {
    const names = kc.getContexts().map((context) => context.name);
    if (!names.includes(options.context)) {
      throw new ClusterUnusable(
        `the kubeconfig has no context ${JSON.stringify(options.context)}`,
        names.length > 0
          ? `its contexts: ${names.join(", ")}`
          : "the kubeconfig has no context at all",
      );
    }
    kc.setCurrentContext(options.context);
  } else if (!kc.getCurrentContext()) {
    throw new ClusterUnusable(
      "the kubeconfig has no current context",
      "pass --context NAME, or run kubectl config use-context NAME",
    );
  }
  return kc;
}
