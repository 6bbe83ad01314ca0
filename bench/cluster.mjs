#!/usr/bin/env node
/**
 * The cluster benchmark (issue 14, requirement 8): `charter check --cluster` of N objects
 * (default 10,000) stored in the dev cluster, against the whole library, next to the floor —
 * `kubectl get` of the same kinds as JSON, alone — in the same run.
 *
 * 1. Starts the dev cluster (the pinned etcd, kube-apiserver, kube-controller-manager; the
 *    controller manager with `--controllers=serviceaccount,namespace`, so stored Deployments do
 *    not grow ReplicaSets and Pods while we measure) and records its start-up time and the RSS
 *    of each process (/proc/<pid>/status: VmRSS idle, VmHWM at the end).
 * 2. The kinds: what `charter check --cluster -A` lists for the library (planClusterScan: every
 *    kind the policies match and every kind cross-resource policies read).
 * 3. Stores N objects of those kinds from `bench/generate.mjs` (the todo-app copies) with
 *    `kubectl create`.
 * 4. Runs, each twice in alternation (the faster of the two is reported, both are printed):
 *    `kubectl get <kinds> -A -o json` (the floor: list and print), and `charter check --cluster
 *    -A --format json --output FILE`. Then, for where the time goes: `charter check --cluster`
 *    of an empty namespace (start-up, policies, discovery), and `charter check` of the same
 *    objects as a file (the kubectl output: judging without the cluster).
 * 5. Prints a table; with `--write`, rewrites the `cluster-bench` section of docs/benchmarks.md.
 *
 *   node bench/cluster.mjs [--documents 10000] [--write]     # `pnpm bench` runs it too
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments, stringify } from "yaml";
import { generate } from "./generate.mjs";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CHARTER = path.join(repoRoot, "packages/cli/bin/charter.js");
const REPORT = path.join(repoRoot, "docs/benchmarks.md");
const GNU_TIME = "/usr/bin/time";
/** The goal of issue 14: the cluster scan within 1.5× of `kubectl get` alone. */
export const GOAL_RATIO = 1.5;

function measure(label, command, args, { ok = [0], stdoutFile, env } = {}) {
  const rssFile = path.join(os.tmpdir(), `charter-cluster-bench-rss-${process.pid}`);
  const out = stdoutFile ? fs.openSync(stdoutFile, "w") : "pipe";
  const started = process.hrtime.bigint();
  const child = spawnSync(GNU_TIME, ["-f", "%M", "-o", rssFile, command, ...args], {
    cwd: repoRoot,
    stdio: ["ignore", out, "pipe"],
    maxBuffer: 1 << 30,
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (typeof out === "number") fs.closeSync(out);
  const peakMiB = Number(fs.readFileSync(rssFile, "utf8").trim().split("\n").at(-1)) / 1024;
  fs.rmSync(rssFile, { force: true });
  if (!ok.includes(child.status)) {
    throw new Error(`${label} exited with ${child.status}:\n${child.stderr.slice(-2000)}`);
  }
  console.error(
    `  ${label}: ${(wallMs / 1000).toFixed(2)} s, ${peakMiB.toFixed(0)} MiB (exit ${child.status})`,
  );
  return { wallMs, peakMiB, exitCode: child.status, stderr: child.stderr };
}

/** The cluster's programs (not their Node supervisors): name → pid. */
function clusterPids(dir) {
  const pids = {};
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (!argv.some((arg) => arg.includes(dir)) || argv[0] === process.execPath) continue;
      const name = path.basename(argv[0]);
      pids[name === "server" || name === "etcd" ? "etcd" : name] = Number(entry);
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** VmRSS and VmHWM (peak) of each cluster process, in MiB. */
function clusterMemory(dir) {
  const memory = {};
  for (const [name, pid] of Object.entries(clusterPids(dir))) {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = (field) => Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? 0);
    memory[name] = { rssMiB: kib("VmRSS") / 1024, peakMiB: kib("VmHWM") / 1024 };
  }
  return memory;
}

/** Runs a command, resolving with its exit code; output to the log file. */
function run(command, args, log) {
  return new Promise((resolve) => {
    const fd = fs.openSync(log, "a");
    const child = spawn(command, args, { stdio: ["ignore", fd, fd] });
    child.on("exit", (code) => {
      fs.closeSync(fd);
      resolve(code);
    });
  });
}

/**
 * The generator flips securityContext fields freely; the server refuses a privileged container
 * that also forbids privilege escalation. Such a container keeps `privileged` (what the
 * policies are about) and loses the contradiction. Arguments become strings, as written.
 */
function validForTheServer(object) {
  const spec =
    object.kind === "CronJob"
      ? object.spec?.jobTemplate?.spec?.template?.spec
      : object.kind === "Pod"
        ? object.spec
        : object.spec?.template?.spec;
  for (const container of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
    // YAML 1.1 read `- on` in an args list as a boolean; the server wants strings.
    for (const list of ["args", "command"]) {
      if (Array.isArray(container[list])) container[list] = container[list].map(String);
    }
    const context = container.securityContext;
    if (context?.privileged === true && context.allowPrivilegeEscalation === false) {
      delete context.allowPrivilegeEscalation;
    }
  }
  return object;
}

export async function clusterBench({ documents = 10_000 } = {}) {
  const server = {
    ...(await import("../packages/server/dist/index.js")),
    ...(await import("../packages/server/dist/cluster/index.js")),
  };
  const binaries = server.findKubernetesBinaries();
  if (binaries === undefined) {
    console.error(
      "\n!!! bench: SKIPPING the cluster benchmark: kube-apiserver, kube-controller-manager, etcd or kubectl not in .tools/bin (scripts/install-engines.sh, or CHARTER_KUBE_APISERVER…)\n",
    );
    return undefined;
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "charter-cluster-bench-"));
  console.error(`bench: cluster benchmark in ${work}`);
  const cluster = await server.startDevCluster({
    binaries,
    controllerManagerFlags: ["--controllers=serviceaccount,namespace"],
  });
  try {
    const startupMs = cluster.startupMs;
    const idle = clusterMemory(cluster.dir);
    const kubeconfig = cluster.kubeconfigs.admin;
    const kubectl = (...args) => [binaries.kubectl, ["--kubeconfig", kubeconfig, ...args]];

    // 2. The kinds charter lists: what the library matches and reads, as discovery serves it.
    const { loadConfig } = await import("../packages/cli/dist/config.js");
    const { loadPolicies } = await import("../packages/cli/dist/load-policies.js");
    const policies = await loadPolicies(await loadConfig(repoRoot), repoRoot);
    const client = server.connectCluster({ kubeconfig });
    const plan = await server.planClusterScan(client, policies, { allNamespaces: true });
    const listedKinds = new Set([...plan.judged, ...plan.context].map((k) => k.kind));

    // 3. The objects: generated until `documents` of them are of the listed kinds (the
    // ConfigMaps of the example app and its PeerAuthentication, which this cluster does not
    // serve, are left out: no policy lists them).
    const generated = generate(Math.ceil(documents * 1.4), path.join(work, "input"), {
      json: false,
    });
    const objects = parseAllDocuments(fs.readFileSync(generated.yamlPath, "utf8"), {
      version: "1.1",
    })
      .map((d) => d.toJS())
      .filter((o) => o && listedKinds.has(o.kind))
      .slice(0, documents)
      .map(validForTheServer);
    const namespaces = objects.filter((o) => o.kind === "Namespace");
    const rest = objects.filter((o) => o.kind !== "Namespace");
    // A JSON List: kubectl reads it without YAML 1.1's surprises (an unquoted `yes` is a bool).
    const write = (name, list) => {
      const file = path.join(work, name);
      fs.writeFileSync(file, JSON.stringify({ apiVersion: "v1", kind: "List", items: list }));
      return file;
    };
    const loadLog = path.join(work, "load.log");
    const loadStarted = Date.now();
    await run(...kubectl("create", "-f", write("namespaces.yaml", namespaces)), loadLog);
    // Two kubectl processes, one per core.
    const half = Math.ceil(rest.length / 2);
    const codes = await Promise.all([
      run(...kubectl("create", "-f", write("rest-1.yaml", rest.slice(0, half))), loadLog),
      run(...kubectl("create", "-f", write("rest-2.yaml", rest.slice(half))), loadLog),
    ]);
    const loadMs = Date.now() - loadStarted;
    const refused = fs
      .readFileSync(loadLog, "utf8")
      .split("\n")
      .filter((line) => line.startsWith("Error from server")).length;
    if (codes.some((code) => code !== 0)) {
      console.error(`  kubectl create: some objects refused (see ${loadLog}):`);
      console.error(
        fs
          .readFileSync(loadLog, "utf8")
          .split("\n")
          .filter((l) => /rror/.test(l))
          .slice(0, 5)
          .join("\n"),
      );
    }
    spawnSync(...kubectl("create", "namespace", "bench-empty"));

    const kinds = [...plan.judged, ...plan.context].map((k) =>
      k.group ? `${k.resource}.${k.group}` : k.resource,
    );

    // 4. The runs.
    const listed = path.join(work, "kubectl.json");
    const charterOut = path.join(work, "charter.json");
    const runs = { kubectl: [], charter: [] };
    for (let round = 0; round < 2; round++) {
      runs.kubectl.push(
        measure(
          `kubectl get -o json (round ${round + 1})`,
          ...kubectl("get", kinds.join(","), "-A", "-o", "json"),
          {
            stdoutFile: listed,
          },
        ),
      );
      runs.charter.push(
        measure(
          `charter check --cluster (round ${round + 1})`,
          process.execPath,
          [
            CHARTER,
            "check",
            "--cluster",
            "--kubeconfig",
            kubeconfig,
            "-A",
            "--format",
            "json",
            "--output",
            charterOut,
          ],
          { ok: [0, 1] },
        ),
      );
    }
    const empty = measure("charter check --cluster, an empty namespace", process.execPath, [
      CHARTER,
      "check",
      "--cluster",
      "--kubeconfig",
      kubeconfig,
      "-n",
      "bench-empty",
      "--format",
      "json",
      "--output",
      path.join(work, "empty.json"),
    ]);
    const kubectlEmpty = measure(
      "kubectl get, an empty namespace",
      ...kubectl("get", kinds.join(","), "-n", "bench-empty", "-o", "json"),
      { stdoutFile: path.join(work, "kubectl-empty.json") },
    );
    // The same objects as a multi-document YAML file (kubectl's one JSON List is larger than
    // check's 16 MiB document limit).
    const asYaml = path.join(work, "objects.yaml");
    const listedItems = JSON.parse(fs.readFileSync(listed, "utf8")).items;
    fs.writeFileSync(asYaml, listedItems.map((item) => stringify(item)).join("---\n"));
    const offline = measure(
      "charter check of the same objects as a YAML file",
      process.execPath,
      [CHARTER, "check", asYaml, "--format", "json", "--output", path.join(work, "offline.json")],
      { ok: [0, 1] },
    );
    const end = clusterMemory(cluster.dir);

    const items = listedItems;
    const judgedKinds = new Set(plan.judged.map((k) => k.kind));
    const judgedItems = items.filter((item) => judgedKinds.has(item.kind)).length;
    const report = JSON.parse(fs.readFileSync(charterOut, "utf8")).summary;
    const offlineReport = JSON.parse(
      fs.readFileSync(path.join(work, "offline.json"), "utf8"),
    ).summary;
    const best = (list) => list.reduce((a, b) => (a.wallMs <= b.wallMs ? a : b));
    return {
      documents,
      refused,
      stored: items.length,
      judgedItems,
      kinds,
      judged: report,
      offline: offlineReport,
      startupMs,
      loadMs,
      idle,
      end,
      kubectl: best(runs.kubectl),
      charter: best(runs.charter),
      rounds: runs,
      empty,
      kubectlEmpty,
      offlineRun: offline,
      load: os.loadavg(),
      release: spawnSync(binaries["kube-apiserver"], ["--version"], {
        encoding: "utf8",
      }).stdout.trim(),
    };
  } finally {
    await cluster.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

const s = (ms) => (ms / 1000).toFixed(2);
const mib = (value) => value.toFixed(0);

export function clusterSection(result) {
  const ratio = result.charter.wallMs / result.kubectl.wallMs;
  const memoryRows = ["etcd", "kube-apiserver", "kube-controller-manager"].map(
    (name) =>
      `| ${name} | ${mib(result.idle[name]?.rssMiB ?? 0)} | ${mib(result.end[name]?.peakMiB ?? 0)} |`,
  );
  return `<!-- cluster-bench:begin (written by bench/cluster.mjs; edit the prose outside these markers) -->
Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, one run (each scan twice, alternating; the faster shown, both below), ${os.cpus().length} CPUs, load average ${result.load.map((l) => l.toFixed(1)).join(" / ")} (1/5/15 min) at the end: the cores were shared with other work.

**Cluster:** the dev cluster (${result.release}), started in ${s(result.startupMs)} s (etcd, kube-apiserver ready, kube-controller-manager's first ServiceAccount). ${result.documents} objects of the ${result.kinds.length} kinds the library lists (${result.kinds.join(", ")}) from \`bench/generate.mjs\`, created with \`kubectl create\` in ${s(result.loadMs)} s: ${result.stored} stored, ${result.refused} refused by the server's validation.

| Run | Wall time (s) | Peak RSS (MiB) |
| --- | ---: | ---: |
| \`kubectl get <kinds> -A -o json\` (the floor) | ${s(result.kubectl.wallMs)} | ${mib(result.kubectl.peakMiB)} |
| \`charter check --cluster -A --format json\` | ${s(result.charter.wallMs)} | ${mib(result.charter.peakMiB)} |
| \`kubectl get\`, an empty namespace | ${s(result.kubectlEmpty.wallMs)} | ${mib(result.kubectlEmpty.peakMiB)} |
| \`charter check --cluster\`, an empty namespace (start-up, policies, discovery) | ${s(result.empty.wallMs)} | ${mib(result.empty.peakMiB)} |
| \`charter check\` of the same objects as a YAML file (no cluster) | ${s(result.offlineRun.wallMs)} | ${mib(result.offlineRun.peakMiB)} |

Both rounds: kubectl ${result.rounds.kubectl.map((r) => s(r.wallMs)).join(" / ")} s, charter ${result.rounds.charter.map((r) => s(r.wallMs)).join(" / ")} s. The cluster scan judged ${result.judged.resources} objects (${result.judgedItems} of kubectl's ${result.stored} items are of judged kinds; the rest are read for cross-resource rules only): ${result.judged.fail} failing rows; the offline scan of the same objects, ${result.offline.resources} objects, ${result.offline.fail} failing rows.

| Process | RSS after start-up (MiB) | Peak RSS by the end (MiB) |
| --- | ---: | ---: |
${memoryRows.join("\n")}

| Goal (issue 14) | Measured | Status |
| --- | --- | --- |
| \`charter check --cluster\` within ${GOAL_RATIO}× of \`kubectl get\` alone | ${ratio.toFixed(2)}× | ${ratio <= GOAL_RATIO ? "**met**" : "**not met**"} |
<!-- cluster-bench:end -->`;
}

export function writeClusterSection(section) {
  const previous = fs.readFileSync(REPORT, "utf8");
  const markers = /<!-- cluster-bench:begin[\s\S]*?<!-- cluster-bench:end -->/;
  fs.writeFileSync(
    REPORT,
    markers.test(previous)
      ? previous.replace(markers, () => section)
      : `${previous.trimEnd()}\n\n## \`charter check --cluster\`\n\n${section}\n`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf("--documents");
  const result = await clusterBench({
    documents: at < 0 ? 10_000 : Number(process.argv[at + 1]),
  });
  if (result) {
    const section = clusterSection(result);
    console.log(section);
    if (process.argv.includes("--write")) writeClusterSection(section);
  }
}
