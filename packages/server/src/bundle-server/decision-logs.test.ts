/** POST /logs and /status: gzip or plain JSON in, one line per event on disk, rotation. */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
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

describe("upload limits", () => {
  const metric = async (url: string, name: string) =>
    Number(
      new RegExp(`^${name} (\\d+)$`, "m").exec(await (await fetch(`${url}/metrics`)).text())?.[1],
    );

  it("refuses with 503 + Retry-After what does not fit --log-memory-budget, then frees it", async () => {
    const { logsDir, url } = await start({ logMemoryBudget: 1024 * 1024 });
    const events = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => event(from + i));
    // One upload is held half-sent, holding ~700 KiB of the 1 MiB budget.
    const first = JSON.stringify(events(0, 6000));
    const { port } = new URL(url);
    const held = connect(Number(port), "127.0.0.1");
    held.on("error", () => {});
    held.write(
      `POST /logs HTTP/1.1\r\nHost: x\r\nContent-Length: ${Buffer.byteLength(first)}\r\n\r\n`,
    );
    held.write(first.slice(0, 700 * 1024));
    await expect
      .poll(() => metric(url, "charter_serve_log_decode_bytes"))
      .toBeGreaterThan(600 * 1024);
    // A second one that would fit alone does not fit beside it: 503, nothing stored.
    const refused = await postLogs(url, gzipSync(JSON.stringify(events(10_000, 2000))), {
      "Content-Encoding": "gzip",
    });
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await errorOf(refused)).toMatch(/memory budget/);
    held.destroy();
    await expect.poll(() => metric(url, "charter_serve_log_decode_bytes")).toBe(0);
    expect(await metric(url, "charter_serve_log_decoders_busy")).toBe(0);
    expect(readdirSync(logsDir)).toEqual([]);
    // Once the budget is free the same upload is stored.
    const stored = await postLogs(url, gzipSync(JSON.stringify(events(10_000, 2000))), {
      "Content-Encoding": "gzip",
    });
    expect(stored.status).toBe(204);
    expect(linesOf(join(logsDir, "decisions-000001.jsonl"))).toHaveLength(2000);
    // One that needs more than the whole budget can never fit: 413, not a retry forever.
    const tooBig = await postLogs(url, gzipSync(JSON.stringify(events(0, 12_000))), {
      "Content-Encoding": "gzip",
    });
    expect(tooBig.status).toBe(413);
    expect(await errorOf(tooBig)).toMatch(/--log-memory-budget/);
  });

  it("refuses one event larger than a sixteenth of the budget with 413", async () => {
    const { url } = await start({ logMemoryBudget: 1024 * 1024 });
    const big = [{ ...event(1), input: "x".repeat(100 * 1024) }];
    const response = await postLogs(url, JSON.stringify(big));
    expect(response.status).toBe(413);
    expect(await errorOf(response)).toMatch(/one event is larger/);
    const status = await fetch(`${url}/status`, { method: "POST", body: JSON.stringify(big[0]) });
    expect(status.status).toBe(413);
  });

  it("queues uploads beyond --max-log-decoders and stores every one", async () => {
    const { logsDir, url } = await start({ maxLogDecoders: 1 });
    const uploads = Array.from({ length: 6 }, (_, u) =>
      postLogs(url, gzipSync(JSON.stringify([event(u)])), { "Content-Encoding": "gzip" }),
    );
    expect((await Promise.all(uploads)).map((r) => r.status)).toEqual(Array(6).fill(204));
    expect(linesOf(join(logsDir, "decisions-000001.jsonl"))).toHaveLength(6);
  });

  it("cuts off an upload that stalls for --idle-timeout with 408", async () => {
    const { url } = await start({ idleTimeoutMs: 300 });
    const { port } = new URL(url);
    const started = Date.now();
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(Number(port), "127.0.0.1", () =>
        socket.write("POST /logs HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n[{"),
      );
      let text = "";
      socket.setEncoding("utf8").on("data", (chunk) => {
        text += chunk;
      });
      socket.on("close", () => resolve(text));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
