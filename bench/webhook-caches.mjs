#!/usr/bin/env node
/**
 * Memory of the webhook's watch caches (packages/server/src/webhook/caches) holding N objects
 * (default 100,000 NetworkPolicies in 1,000 namespaces).
 *
 * Which feed: a FAKE API server, not the dev cluster — storing 100,000 objects in the real one
 * takes far longer than the measurement on a shared 2-core machine. The fake is a plain HTTP
 * server in this process that answers what the caches ask: the discovery document of
 * networking.k8s.io/v1, the list in pages of 500 (`limit`/`continue`, items without apiVersion
 * and kind, each with a realistic `metadata.managedFields` entry, as the server sends them)
 * and a watch that stays open. The caches under test are the real code (built dist: the
 * ClusterClient list, ListWatch, the index) in a child process of their own, so the server's
 * memory is not counted.
 *
 * Each child reports, after two forced GCs: RSS and V8 heap used before starting (modules
 * loaded) and once synced, peak RSS (VmHWM), and the sync time. Two children, same objects:
 * - `caches`: InventoryCaches for a policy reading NetworkPolicies;
 * - `raw`: the floor a naive cache sets — every list item kept as JSON.parse gives it,
 *   managedFields included (what client-node's ListWatch keeps when fed the raw list).
 *
 *   node bench/webhook-caches.mjs [--objects 100000] [--no-write]   # `pnpm bench` runs it too
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CACHES = path.join(repoRoot, "packages/server/dist/webhook/caches/index.js");
const REPORT = path.join(repoRoot, "docs/benchmarks.md");
const PAGE = 500;
const PER_NAMESPACE = 100;

/** The i-th NetworkPolicy as a list item (no apiVersion/kind, as in a List). */
function item(i) {
  const namespace = `ns-${String(Math.floor(i / PER_NAMESPACE)).padStart(4, "0")}`;
  const app = `app-${i % 50}`;
  return {
    metadata: {
      name: `np-${String(i).padStart(6, "0")}`,
      namespace,
      uid: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
      resourceVersion: String(1000 + i),
      generation: 1,
      creationTimestamp: "2026-12-01T10:00:00Z",
      labels: { app, team: `team-${i % 7}` },
      managedFields: [
        {
          manager: "kubectl",
          operation: "Apply",
          apiVersion: "networking.k8s.io/v1",
          time: "2026-12-01T10:00:00Z",
          fieldsType: "FieldsV1",
          fieldsV1: {
            "f:metadata": { "f:labels": { "f:app": {}, "f:team": {} } },
            "f:spec": { "f:ingress": {}, "f:podSelector": {}, "f:policyTypes": {} },
          },
        },
      ],
    },
    spec: {
      podSelector: { matchLabels: { app } },
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [{ podSelector: { matchLabels: { app: "web" } } }],
          ports: [{ protocol: "TCP", port: 8080 }],
        },
      ],
    },
  };
}

const DISCOVERY = {
  kind: "APIResourceList",
  apiVersion: "v1",
  groupVersion: "networking.k8s.io/v1",
  resources: [
    {
      name: "networkpolicies",
      singularName: "networkpolicy",
      namespaced: true,
      kind: "NetworkPolicy",
      verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
    },
  ],
};

/** The fake API server; resolves with its port and a close function. */
function fakeApiServer(objects) {
  const watches = new Set();
  const server = http.createServer((request, response) => {
    const url = new URL(request.url, "http://localhost");
    const json = (body) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    };
    if (url.pathname === "/apis/networking.k8s.io/v1") return json(DISCOVERY);
    if (url.pathname === "/apis/networking.k8s.io/v1/networkpolicies") {
      if (url.searchParams.get("watch") === "true") {
        response.writeHead(200, { "content-type": "application/json" });
        response.flushHeaders();
        watches.add(response);
        request.on("close", () => watches.delete(response));
        return;
      }
      const limit = Number(url.searchParams.get("limit") ?? objects);
      const from = Number(url.searchParams.get("continue") ?? 0);
      const to = Math.min(objects, from + limit);
      const items = [];
      for (let i = from; i < to; i++) items.push(item(i));
      return json({
        kind: "NetworkPolicyList",
        apiVersion: "networking.k8s.io/v1",
        metadata: {
          resourceVersion: String(1000 + objects),
          ...(to < objects ? { continue: String(to) } : {}),
        },
        items,
      });
    }
    response.writeHead(404, { "content-type": "application/json" });
    response.end(
      JSON.stringify({ kind: "Status", status: "Failure", message: "not found", code: 404 }),
    );
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        port: server.address().port,
        close: () =>
          new Promise((done) => {
            for (const watch of watches) watch.end();
            server.closeAllConnections?.();
            server.close(done);
          }),
      }),
    ),
  );
}

function peakRssMiB() {
  const status = fs.readFileSync("/proc/self/status", "utf8");
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) / 1024;
}

function settled() {
  globalThis.gc();
  globalThis.gc();
  const { rss, heapUsed } = process.memoryUsage();
  return { rssMiB: rss / 2 ** 20, heapMiB: heapUsed / 2 ** 20 };
}

/** A policy reading every NetworkPolicy of the reviewed object's namespace (the library's shape). */
const POLICY = {
  name: "bench-network-policies",
  title: "bench",
  description: "",
  severity: "low",
  category: "bench",
  controls: [],
  enforcement: "deny",
  match: { subject: "pod", controllers: true },
  parameters: { schema: { type: "object" }, values: {} },
  rules: [
    {
      name: "some",
      condition: {
        kind: "quantifier",
        quantifier: "none",
        variable: "np",
        collection: {
          kind: "inventory",
          apiVersion: "networking.k8s.io/v1",
          resource: "NetworkPolicy",
          namespace: { kind: "ref", root: { kind: "object" }, path: ["metadata", "namespace"] },
        },
        body: { kind: "literal", value: true },
      },
      message: { parts: [{ kind: "text", text: "none" }] },
    },
  ],
  cases: [],
};

async function child(mode, port, objects) {
  const kubeconfig = path.join(os.tmpdir(), `charter-bench-caches-${process.pid}.kubeconfig`);
  fs.writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        {
          name: "fake",
          cluster: { server: `http://127.0.0.1:${port}`, "insecure-skip-tls-verify": true },
        },
      ],
      users: [{ name: "bench", user: { token: "bench" } }],
      contexts: [{ name: "fake", context: { cluster: "fake", user: "bench" } }],
      "current-context": "fake",
    }),
  );
  const { InventoryCaches } = await import(pathToFileURL(CACHES).href);
  const before = settled();
  const started = performance.now();
  let held;
  let stop = async () => {};
  if (mode === "caches") {
    const caches = InventoryCaches.start({ policies: [POLICY], connection: { kubeconfig } });
    await caches.whenSynced(180_000);
    const [state] = caches.state();
    if (state.objects !== objects) throw new Error(`cached ${state.objects} of ${objects} objects`);
    held = caches;
    stop = () => caches.stop();
  } else {
    held = [];
    let next = "";
    do {
      const url = `http://127.0.0.1:${port}/apis/networking.k8s.io/v1/networkpolicies?limit=${PAGE}${next ? `&continue=${next}` : ""}`;
      const page = JSON.parse(await (await fetch(url)).text());
      held.push(...page.items);
      next = page.metadata.continue ?? "";
    } while (next);
    if (held.length !== objects) throw new Error(`kept ${held.length} of ${objects} objects`);
  }
  const syncMs = performance.now() - started;
  const after = settled();
  const result = {
    mode,
    objects,
    syncMs,
    before,
    after,
    peakRssMiB: peakRssMiB(),
    held: held !== undefined,
  };
  await stop();
  fs.rmSync(kubeconfig, { force: true });
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

export async function webhookCachesBench({ objects = 100_000 } = {}) {
  if (!fs.existsSync(CACHES)) throw new Error(`${CACHES} is missing: run \`pnpm build\``);
  const server = await fakeApiServer(objects);
  const runs = [];
  try {
    for (const mode of ["caches", "raw"]) {
      console.error(`webhook caches bench: ${mode}, ${objects} objects…`);
      // Not spawnSync: it would block the fake server, which lives in this process.
      const output = await new Promise((resolve, reject) => {
        const run = spawn(
          process.execPath,
          [
            "--expose-gc",
            fileURLToPath(import.meta.url),
            "--child",
            mode,
            String(server.port),
            String(objects),
          ],
          { stdio: ["ignore", "pipe", "inherit"] },
        );
        let stdout = "";
        run.stdout.on("data", (chunk) => {
          stdout += chunk;
        });
        run.on("exit", (code) =>
          code === 0 ? resolve(stdout) : reject(new Error(`${mode} exited ${code}`)),
        );
      });
      runs.push(JSON.parse(output.trim().split("\n").at(-1)));
    }
  } finally {
    await server.close();
  }
  return runs;
}

export function webhookCachesSection(runs) {
  const [caches, raw] = runs;
  const grown = (run) => run.after.rssMiB - run.before.rssMiB;
  const heap = (run) => run.after.heapMiB - run.before.heapMiB;
  const row = (label, run) =>
    `| ${label} | ${run.objects} | ${(run.syncMs / 1000).toFixed(1)} | ${run.before.rssMiB.toFixed(0)} → ${run.after.rssMiB.toFixed(0)} (+${grown(run).toFixed(0)}) | ${run.peakRssMiB.toFixed(0)} | +${heap(run).toFixed(0)} | ${Math.round((heap(run) * 2 ** 20) / run.objects)} |`;
  const when = new Date().toISOString().slice(0, 16).replace("T", " ");
  return [
    "<!-- webhook-caches-bench:begin (written by bench/webhook-caches.mjs; edit the prose outside these markers) -->",
    `Measured ${when} UTC, one run; Node ${process.version}, ${os.cpus().length} CPUs. Feed: the fake API server of bench/webhook-caches.mjs (NetworkPolicies in pages of ${PAGE}, each with one managedFields entry).`,
    "",
    "| Held | Objects | Sync (s) | RSS after GC (MiB) | Peak RSS (MiB) | V8 heap (MiB) | Heap bytes / object |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    row("Charter's caches (InventoryCaches)", caches),
    row("Raw list items, managedFields kept", raw),
    "",
    `Heap of the caches : raw items = ${(heap(caches) / heap(raw)).toFixed(2)}.`,
    "<!-- webhook-caches-bench:end -->",
  ].join("\n");
}

export function writeWebhookCachesSection(section) {
  const previous = fs.readFileSync(REPORT, "utf8");
  const markers = /<!-- webhook-caches-bench:begin[\s\S]*?<!-- webhook-caches-bench:end -->/;
  const next = markers.test(previous)
    ? previous.replace(markers, () => section)
    : `${previous.trimEnd()}\n\n## The webhook's watch caches\n\n${section}\n`;
  fs.writeFileSync(REPORT, next);
  console.log(`wrote ${path.relative(repoRoot, REPORT)} (webhook caches)`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf("--child");
  if (at >= 0) {
    const [mode, port, objects] = process.argv.slice(at + 1);
    await child(mode, Number(port), Number(objects));
  } else {
    const objectsAt = process.argv.indexOf("--objects");
    const objects = objectsAt >= 0 ? Number(process.argv[objectsAt + 1]) : 100_000;
    const section = webhookCachesSection(await webhookCachesBench({ objects }));
    console.log(`\n${section}\n`);
    if (!process.argv.includes("--no-write")) writeWebhookCachesSection(section);
  }
}
