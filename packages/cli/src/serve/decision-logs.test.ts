/** POST /logs and /status: gzip or plain JSON in, one line per event on disk, rotation. */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import {
  type BundleServer,
  type BundleServerOptions,
  createBundleServer,
} from "./bundle-server.js";
import { openJsonlLog } from "./jsonl-log.js";

const scratch = () => mkdtempSync(join(tmpdir(), "charter-logs-"));
const servers: BundleServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(options: Partial<BundleServerOptions> = {}) {
  const root = scratch();
  const logsDir = join(root, "logs");
  const server = await createBundleServer({
    port: 0,
    bundlesDir: join(root, "bundles"),
    logsDir,
    ...options,
  });
  servers.push(server);
  return { server, logsDir, url: server.url };
}

const event = (i: number) => ({
  decision_id: `id-${i}`,
  path: "charter/violations",
  input: { kind: "Pod", metadata: { name: `p${i}` } },
  result: [],
  timestamp: "2026-08-01T00:00:00Z",
});

const postLogs = (url: string, body: Buffer | string, headers: Record<string, string> = {}) =>
  fetch(`${url}/logs`, {
    method: "POST",
    body,
    headers: { "Content-Type": "application/json", ...headers },
  });

const errorOf = async (response: Response) => ((await response.json()) as { error: string }).error;

const linesOf = (file: string) =>
  readFileSync(file, "utf8")
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line));

describe("POST /logs", () => {
  it("appends each gzipped event as one line with received_at", async () => {
    const { logsDir, url } = await start();
    const events = [event(1), event(2), event(3)];
    const response = await postLogs(url, gzipSync(JSON.stringify(events)), {
      "Content-Encoding": "gzip",
    });
    expect(response.status).toBe(204);
    // Plain JSON is tolerated, and a partition path lands in the same log.
    const plain = await fetch(`${url}/logs/east`, {
      method: "POST",
      body: JSON.stringify([event(4)]),
    });
    expect(plain.status).toBe(204);
    expect(readdirSync(logsDir)).toEqual(["decisions-000001.jsonl"]);
    const lines = linesOf(join(logsDir, "decisions-000001.jsonl"));
    expect(lines.map((l) => l.decision_id)).toEqual(["id-1", "id-2", "id-3", "id-4"]);
    for (const [i, line] of lines.entries()) {
      const { received_at, ...rest } = line;
      expect(rest).toEqual(event(i + 1));
      expect(received_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    }
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^charter_serve_decision_logs_received_total 4$/m);
  });

  it("refuses bad gzip, bad JSON, a non-array and a gzip bomb with a clear message", async () => {
    const { logsDir, url } = await start({ maxBodyBytes: 1024 * 1024 });
    const bad = await postLogs(url, Buffer.from("not gzip at all"), { "Content-Encoding": "gzip" });
    expect(bad.status).toBe(400);
    expect(await errorOf(bad)).toMatch(/not valid gzip/);
    const json = await postLogs(url, gzipSync("[{"), { "Content-Encoding": "gzip" });
    expect(json.status).toBe(400);
    expect(await errorOf(json)).toMatch(/not valid JSON/);
    const notArray = await postLogs(url, JSON.stringify({ decision_id: "x" }));
    expect(notArray.status).toBe(400);
    expect(await errorOf(notArray)).toMatch(/JSON array/);
    // 64 MiB of spaces gzip to ~64 KiB: refused once 1 MiB has been unpacked.
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, " "));
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const bombed = await postLogs(url, bomb, { "Content-Encoding": "gzip" });
    expect(bombed.status).toBe(413);
    expect(await errorOf(bombed)).toMatch(/decompressed/);
    const big = await postLogs(url, Buffer.alloc(2 * 1024 * 1024, " "));
    expect(big.status).toBe(413);
    expect(readdirSync(logsDir)).toEqual([]);
  });

  it("starts a new file at each start and when the current one reaches --log-max-bytes", async () => {
    const root = scratch();
    writeFileSync(join(root, "decisions-000007.jsonl"), "{}\n");
    const { url } = await start({ logsDir: root, logMaxBytes: 600 });
    for (let batch = 0; batch < 4; batch++) {
      const body = gzipSync(JSON.stringify([event(batch * 2), event(batch * 2 + 1)]));
      expect((await postLogs(url, body, { "Content-Encoding": "gzip" })).status).toBe(204);
    }
    const files = readdirSync(root).sort();
    expect(files[0]).toBe("decisions-000007.jsonl");
    expect(files.length).toBeGreaterThan(2);
    expect(files.slice(1)).toEqual(
      files.slice(1).map((_, i) => `decisions-${String(8 + i).padStart(6, "0")}.jsonl`),
    );
    const all = files.slice(1).flatMap((file) => linesOf(join(root, file)));
    expect(all.map((l) => l.decision_id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => `id-${i}`));
    for (const file of files.slice(1, -1)) {
      const size = readFileSync(join(root, file)).length;
      // Past the limit by at most the one line that crossed it.
      expect(size).toBeGreaterThanOrEqual(600);
      expect(size).toBeLessThan(600 + 300);
    }
  });

  it("serialises concurrent uploads: every line whole, none lost", async () => {
    const { logsDir, url } = await start();
    const uploads = Array.from({ length: 20 }, (_, u) =>
      postLogs(
        url,
        gzipSync(JSON.stringify(Array.from({ length: 50 }, (_, i) => event(u * 1000 + i)))),
        { "Content-Encoding": "gzip" },
      ),
    );
    expect((await Promise.all(uploads)).map((r) => r.status)).toEqual(Array(20).fill(204));
    const lines = linesOf(join(logsDir, "decisions-000001.jsonl"));
    expect(lines).toHaveLength(1000);
    // Each upload's events stay together and in order.
    for (let u = 0; u < 20; u++) {
      const at = lines.findIndex((l) => l.decision_id === `id-${u * 1000}`);
      expect(lines.slice(at, at + 50).map((l) => l.decision_id)).toEqual(
        Array.from({ length: 50 }, (_, i) => `id-${u * 1000 + i}`),
      );
    }
  });
});

describe("POST /status", () => {
  it("appends {received_at, status} to status-NNNNNN.jsonl", async () => {
    const { logsDir, url } = await start();
    const status = { labels: { id: "opa-1" }, bundles: { charter: { active_revision: "r1" } } };
    for (const path of ["/status", "/status/east"]) {
      const response = await fetch(`${url}${path}`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(status),
      });
      expect(response.status).toBe(204);
    }
    const lines = linesOf(join(logsDir, "status-000001.jsonl"));
    expect(lines).toHaveLength(2);
    expect(lines[0].status).toEqual(status);
    expect(Object.keys(lines[0])).toEqual(["received_at", "status"]);
    const wrong = await fetch(`${url}/status`, { method: "POST", body: "[1]" });
    expect(wrong.status).toBe(400);
    expect((await fetch(`${url}/status`)).status).toBe(405);
  });
});

describe("openJsonlLog", () => {
  it("opens nothing until the first line and closes cleanly", async () => {
    const dir = scratch();
    const log = await openJsonlLog({ dir, prefix: "decisions" });
    expect(readdirSync(dir)).toEqual([]);
    await log.append(['{"a":1}']);
    await log.close();
    expect(readFileSync(join(dir, "decisions-000001.jsonl"), "utf8")).toBe('{"a":1}\n');
  });
});
