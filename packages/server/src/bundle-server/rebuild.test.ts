/**
 * --watch: a change to a policy source rebuilds (debounced, never overlapping) and the server
 * publishes the result; a failed rebuild keeps the last good bundle.
 */
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type BundleServer, createBundleServer } from "./bundle-server.js";
import { jsonLogger } from "./log.js";
import { type SourceWatcher, watchSources } from "./rebuild.js";

const scratch = () => mkdtempSync(join(tmpdir(), "charter-watch-"));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const etagOf = (bytes: Buffer) => `"${createHash("sha256").update(bytes).digest("hex")}"`;

/**
 * Sets up a policies folder, a server and a watcher whose rebuild "compiles" the policy file
 * into the bundle bytes (and fails on a file saying `broken`), publishing by rename.
 */
async function setup() {
  const root = scratch();
  const policies = join(root, "policies");
  const bundlesDir = join(root, "bundles");
  mkdirSync(policies);
  writeFileSync(join(policies, "a.ts"), "v1");
  const logs: Record<string, unknown>[] = [];
  const logger = jsonLogger((line) => logs.push(JSON.parse(line)), "debug");
  const server: BundleServer = await createBundleServer({
    port: 0,
    bundlesDir,
    logsDir: join(root, "logs"),
    logger,
    pollIntervalMs: 0,
  });
  cleanups.push(() => server.close());
  let builds = 0;
  let running = 0;
  let overlapped = false;
  const watcher: SourceWatcher = watchSources({
    sources: [policies],
    logger,
    debounceMs: 100,
    rebuild: async () => {
      builds += 1;
      running += 1;
      if (running > 1) overlapped = true;
      await new Promise((resolve) => setTimeout(resolve, 50));
      running -= 1;
      const source = readFileSync(join(policies, "a.ts"), "utf8");
      if (source.includes("broken")) return { ok: false, stderr: "a.ts:1:1 syntax error" };
      writeFileSync(join(bundlesDir, ".charter.tar.gz.tmp"), `bundle of ${source}`);
      renameSync(join(bundlesDir, ".charter.tar.gz.tmp"), join(bundlesDir, "charter.tar.gz"));
      return { ok: true, stderr: "" };
    },
    onRebuilt: () => server.store.rescan(),
    onResult: (ok) => server.metrics.rebuild(ok ? "ok" : "error"),
  });
  cleanups.push(() => watcher.close());
  await watcher.rebuild();
  return {
    root,
    policies,
    server,
    watcher,
    logs,
    url: server.url,
    builds: () => builds,
    overlapped: () => overlapped,
  };
}

describe("watchSources", () => {
  it("rebuilds on a change and releases a held long poll with the new bundle", async () => {
    const { policies, server, url, builds } = await setup();
    expect(server.store.get("charter")?.bytes.toString()).toBe("bundle of v1");
    const first = server.store.get("charter")?.etag ?? "";
    const held = fetch(`${url}/bundles/charter`, {
      headers: { "If-None-Match": first, Prefer: "wait=30" },
    });
    writeFileSync(join(policies, "a.ts"), "v2");
    const response = await held;
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("bundle of v2");
    expect(response.headers.get("etag")).toBe(etagOf(Buffer.from("bundle of v2")));
    expect(builds()).toBe(2);
  });

  it("debounces a burst of saves into one rebuild and never overlaps rebuilds", async () => {
    const { policies, server, watcher, builds, overlapped } = await setup();
    for (let i = 0; i < 5; i++) writeFileSync(join(policies, "a.ts"), `burst ${i}`);
    await expect
      .poll(() => server.store.get("charter")?.bytes.toString(), { timeout: 5000 })
      .toBe("bundle of burst 4");
    expect(builds()).toBe(2);
    // Requests while one rebuild runs queue exactly one more.
    await Promise.all([watcher.rebuild(), watcher.rebuild(), watcher.rebuild()]);
    expect(builds()).toBe(4);
    expect(overlapped()).toBe(false);
  });

  it("keeps serving the last good bundle when a rebuild fails, and logs the error", async () => {
    const { policies, server, url, logs } = await setup();
    const good = server.store.get("charter")?.etag;
    writeFileSync(join(policies, "a.ts"), "broken");
    await expect
      .poll(
        () => logs.find((l) => l.msg === "rebuild failed; still serving the last good bundle"),
        {
          timeout: 5000,
        },
      )
      .toMatchObject({ level: "error", error: "a.ts:1:1 syntax error" });
    const response = await fetch(`${url}/bundles/charter`);
    expect(response.headers.get("etag")).toBe(good);
    expect(await response.text()).toBe("bundle of v1");
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('charter_serve_rebuilds_total{result="ok"} 1');
    expect(metrics).toContain('charter_serve_rebuilds_total{result="error"} 1');
  });

  it("ignores editor scratch files", async () => {
    const { policies, builds } = await setup();
    writeFileSync(join(policies, ".a.ts.swp"), "x");
    writeFileSync(join(policies, "a.ts~"), "x");
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(builds()).toBe(1);
  });
});
