/**
 * The dev cluster harness against the real programs it runs: the pinned release answers, tokens
 * and RBAC tell the two users apart, the controller manager makes ServiceAccounts, requests are
 * audited, and nothing is left behind — not after stop(), not after SIGINT, not after the
 * process that started it is killed.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import type { DevCluster } from "@charter/server";
import {
  devClusterForTests,
  kubernetesBinariesForTests,
} from "@charter/test-support/dev-cluster-for-tests";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const binaries = kubernetesBinariesForTests("the dev cluster tests");
const CLI = resolve("packages/cli/bin/charter.js");

/** Pids whose command line mentions `text` (the cluster's folder is in every flag list). */
function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (cmdline.includes(text)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

async function eventually(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return true;
}

/** Starts `charter dev-cluster --json` and resolves with the child and its first line. */
function startCommand(
  args: string[],
): Promise<{ child: ChildProcess; info: Record<string, unknown> }> {
  const child = spawn(process.execPath, [CLI, "dev-cluster", "--json", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolvePromise, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.once("line", (line) => resolvePromise({ child, info: JSON.parse(line) }));
    child.once("exit", (code) => reject(new Error(`dev-cluster exited ${code}: ${stderr}`)));
  });
}

describe.skipIf(binaries === undefined)("the dev cluster", () => {
  let cluster: DevCluster;
  const kubectl = (user: "admin" | "developer", args: string[]) =>
    execFileSync(cluster.binaries.kubectl, ["--kubeconfig", cluster.kubeconfigs[user], ...args], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });

  beforeAll(async () => {
    cluster = (await devClusterForTests()) as DevCluster;
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("runs the pinned release, client and server", () => {
    const version = JSON.parse(kubectl("admin", ["version", "-o", "json"]));
    expect(version.serverVersion.gitVersion).toBe("v1.35.8");
    expect(version.clientVersion.gitVersion).toBe("v1.35.8");
    console.log(`dev cluster ready in ${cluster.startupMs} ms`);
  });

  it("authenticates two token users and authorizes them with RBAC", () => {
    expect(kubectl("admin", ["auth", "can-i", "create", "pods", "-n", "default"]).trim()).toBe(
      "yes",
    );
    expect(kubectl("admin", ["auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"])).toBe(
      "charter-admin",
    );
    expect(() => kubectl("developer", ["get", "pods", "-n", "default"])).toThrow(
      /Forbidden|forbidden/,
    );
  });

  it("has a controller manager: a new namespace gets its ServiceAccount and admits a Pod", async () => {
    kubectl("admin", ["create", "namespace", "harness-pods"]);
    await cluster.waitForServiceAccount("harness-pods");
    const created = kubectl("admin", [
      "run",
      "probe",
      "-n",
      "harness-pods",
      "--image=registry.k8s.io/pause:3.10",
      "--dry-run=server",
      "-o",
      "jsonpath={.spec.serviceAccountName}",
    ]);
    expect(created).toBe("default");
  });

  it("audits every request with its user", () => {
    const events = readFileSync(cluster.auditLog, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(events.some((event) => event.user?.username === "charter-admin")).toBe(true);
    expect(events.some((event) => event.user?.username === "charter-developer")).toBe(true);
  });

  it("restarts the API server on the same port with the same etcd: data, certificate and controller manager carry on", async () => {
    kubectl("admin", ["create", "configmap", "before-restart", "-n", "default"]);
    const old = cluster.processes.find((process) => process.name === "kube-apiserver");
    const others = cluster.processes.filter((process) => process.name !== "kube-apiserver");
    const apiServers = () =>
      processesMentioning(cluster.dir).filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("kube-apiserver");
        } catch {
          return false; // ended while we looked
        }
      });
    const before = apiServers();
    await cluster.restartApiServer();
    expect(old?.hasExited()).toBe(true);
    const current = cluster.processes.find((process) => process.name === "kube-apiserver");
    expect(current).not.toBe(old);
    expect(current?.hasExited()).toBe(false);
    expect(others.every((process) => !process.hasExited())).toBe(true);
    // A supervisor and its program, both new: the old pair is gone, not left running beside it.
    const after = apiServers();
    expect(after).toHaveLength(before.length);
    expect(after.some((pid) => before.includes(pid))).toBe(false);
    // The same kubeconfig (server URL, CA file, token) works, and etcd kept the data.
    expect(kubectl("admin", ["get", "configmap", "before-restart", "-o", "name"]).trim()).toBe(
      "configmap/before-restart",
    );
    kubectl("admin", ["create", "namespace", "after-restart"]);
    await cluster.waitForServiceAccount("after-restart");
  });

  it("stops every process, releases the ports and removes its folder", async () => {
    const dir = cluster.dir;
    expect(processesMentioning(dir).length).toBeGreaterThanOrEqual(3);
    await cluster.stop();
    expect(cluster.processes.every((process) => process.hasExited())).toBe(true);
    expect(processesMentioning(dir)).toEqual([]);
    expect(existsSync(dir)).toBe(false);
  });
});

describe.skipIf(binaries === undefined)("charter dev-cluster", () => {
  it("leaves no process behind when the process that started it is killed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "charter-killed-"));
    try {
      const { child, info } = await startCommand(["--dir", dir]);
      expect(info.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(processesMentioning(dir).length).toBeGreaterThanOrEqual(3);
      child.kill("SIGKILL");
      expect(await eventually(() => processesMentioning(dir).length === 0, 20_000)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("stops cleanly on SIGINT and exits 0", async () => {
    const { child, info } = await startCommand([]);
    const dir = String(info.dir);
    const exited = new Promise<number | null>((resolvePromise) =>
      child.once("exit", resolvePromise),
    );
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(processesMentioning(dir)).toEqual([]);
    expect(existsSync(dir)).toBe(false);
  });
});
