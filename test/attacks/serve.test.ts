/**
 * Attacks on `charter serve` that broke it (issue 11, requirement 3), kept as a standing suite:
 * a flood of gzipped uploads (heap exhaustion), a flood of silent connections (descriptor
 * exhaustion), hostile files in the bundles folder, and a full or read-only decision-log disk.
 * All traffic goes to 127.0.0.1 and every loop is bounded.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { packTarGz } from "@charter/compiler";
import { type BundleServer, type BundleServerOptions, createBundleServer } from "@charter/server";
import { afterAll, afterEach, describe, expect, it, type TestContext } from "vitest";
import { serveUntil } from "../../packages/cli/src/commands/serve.js";
import { repoRoot, runCli } from "../support/run-cli.js";

const TOKEN = "s3cret-token";
const auth = { Authorization: `Bearer ${TOKEN}` };
const scratch = () => mkdtempSync(join(tmpdir(), "charter-attack-serve-"));
const bundle = (revision: string) =>
  packTarGz(new Map([["/.manifest", Buffer.from(JSON.stringify({ revision, roots: ["x"] }))]]));

const servers: BundleServer[] = [];
const children: ChildProcess[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(options: Partial<BundleServerOptions> & { root?: string } = {}) {
  const root = options.root ?? scratch();
  const bundlesDir = join(root, "bundles");
  mkdirSync(bundlesDir, { recursive: true });
  writeFileSync(join(bundlesDir, "charter.tar.gz"), bundle("r1"));
  const server = await createBundleServer({
    port: 0,
    bundlesDir,
    logsDir: join(root, "logs"),
    token: TOKEN,
    ...options,
  });
  servers.push(server);
  return { server, bundlesDir, url: server.url };
}

/** An OPA-like decision event of about 1 KiB. */
const decision = (id: string) => ({
  decision_id: id,
  path: "charter/violations",
  input: {
    kind: "Pod",
    metadata: { name: "api", namespace: "prod", labels: { app: "api", tier: "backend" } },
    spec: { containers: [{ name: "api", image: "registry.example.com/api:1.4" }] },
    note: "x".repeat(700),
  },
  result: [],
  timestamp: "2026-08-01T00:00:00Z",
});

const postLogs = (url: string, body: Buffer, headers: Record<string, string> = {}) =>
  fetch(`${url}/logs`, {
    method: "POST",
    body,
    headers: { ...auth, "Content-Encoding": "gzip", ...headers },
  });

describe("serve: a flood of gzipped decision-log uploads", () => {
  /**
   * The server runs in a child Node process with a 96 MiB old space (from the TypeScript
   * sources, through jiti, so no build is needed). 96 concurrent uploads of ~30 MiB unpacked
   * each once crashed it with a V8 heap out of memory.
   */
  it("stays up under a 96 MiB heap: every upload gets 204 or 503 + Retry-After", async () => {
    const events = Array.from({ length: 30_000 }, (_, i) => decision(`flood-${i}`));
    const body = gzipSync(JSON.stringify(events));
    const unpacked = Buffer.byteLength(JSON.stringify(events));
    expect(unpacked).toBeGreaterThan(28 * 1024 * 1024);
    expect(unpacked).toBeLessThan(32 * 1024 * 1024);
    const root = scratch();
    mkdirSync(join(root, "bundles"));
    const child = spawn(
      process.execPath,
      ["--max-old-space-size=96", "--input-type=module", "-e", CHILD_SERVER],
      {
        cwd: repoRoot,
        stdio: ["ignore", "pipe", "pipe"],
        env: {
          ...process.env,
          CHARTER_CLI_PACKAGE: join(repoRoot, "packages/cli/package.json"),
          CHARTER_SERVER_MODULE: join(
            repoRoot,
            "packages/server/src/bundle-server/bundle-server.ts",
          ),
          CHARTER_SERVER_OPTIONS: JSON.stringify({
            port: 0,
            bundlesDir: join(root, "bundles"),
            logsDir: join(root, "logs"),
            token: TOKEN,
          }),
        },
      },
    );
    children.push(child);
    let stderr = "";
    child.stderr?.setEncoding("utf8").on("data", (text: string) => {
      stderr += text;
    });
    const reports: Record<string, number | string>[] = [];
    const exited = new Promise<number | null>((done) => child.on("exit", done));
    const started = new Promise<{ url: string; rss: number }>((done, fail) => {
      let buffered = "";
      child.stdout?.setEncoding("utf8").on("data", (text: string) => {
        buffered += text;
        const lines = buffered.split("\n");
        buffered = lines.pop() ?? "";
        for (const line of lines) reports.push(JSON.parse(line));
        const first = reports[0];
        if (first) done({ url: String(first.url), rss: Number(first.rss) });
      });
      void exited.then((code) => fail(new Error(`the server exited (${code}): ${stderr}`)));
    });
    const { url, rss: rssAtStart } = await started;

    const flood = (count: number, upload: Buffer) =>
      Promise.all(
        Array.from({ length: count }, () =>
          postLogs(url, upload).then(
            async (r) => ({
              status: r.status,
              retryAfter: r.headers.get("retry-after"),
              text: await r.text(),
            }),
            (error: Error) => ({ status: 0, retryAfter: null, text: String(error.cause ?? error) }),
          ),
        ),
      );
    const responses = await flood(96, body);
    // The worst case per event: the largest one allowed (a sixteenth of the 64 MiB budget), all
    // of it one string of two-byte UTF-8 characters, which V8 holds as UTF-16.
    const largest = gzipSync(JSON.stringify([{ decision_id: "big", note: "é".repeat(2_000_000) }]));
    const largestResponses = await flood(24, largest);
    expect(stderr).not.toMatch(/heap out of memory|FATAL/i);
    for (const response of [...responses, ...largestResponses]) {
      expect([204, 503], response.text).toContain(response.status);
      if (response.status === 503) expect(Number(response.retryAfter)).toBeGreaterThan(0);
    }
    const accepted = responses.filter((r) => r.status === 204).length;
    expect(accepted).toBeGreaterThan(0);
    const largestAccepted = largestResponses.filter((r) => r.status === 204).length;
    expect(largestAccepted).toBeGreaterThan(0);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    // Every acknowledged upload is on disk, whole.
    const lines = readdirSync(join(root, "logs"))
      .filter((file) => file.startsWith("decisions-"))
      .map((file) => readFileSync(join(root, "logs", file), "utf8"))
      .join("")
      .split("\n")
      .filter(Boolean).length;
    expect(lines).toBe(accepted * events.length + largestAccepted);

    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    const peak = Number(reports.find((r) => r.maxRss !== undefined)?.maxRss);
    console.info(
      `serve flood: ${accepted}/96 and ${largestAccepted}/24 accepted, RSS ${Math.round(rssAtStart / 2 ** 20)} MiB at start, peak ${Math.round(peak / 2 ** 20)} MiB`,
    );
    // The ceiling docs/cli.md states: uploads add at most 3 × the 64 MiB decode budget to the
    // idle process (the budget in buffers, the heap one event takes to parse, the allocator's
    // slack). Measured: 140–150 MiB.
    expect(peak - rssAtStart).toBeLessThan(3 * 64 * 2 ** 20);
  }, 110_000);
});

/** The child: createBundleServer from source, its URL and RSS on stdout, peak RSS at SIGTERM. */
const CHILD_SERVER = `
import { createRequire } from "node:module";
const require = createRequire(process.env.CHARTER_CLI_PACKAGE);
const { createJiti } = require("jiti");
const jiti = createJiti(process.env.CHARTER_CLI_PACKAGE);
const { createBundleServer } = await jiti.import(process.env.CHARTER_SERVER_MODULE);
const server = await createBundleServer(JSON.parse(process.env.CHARTER_SERVER_OPTIONS));
globalThis.gc?.();
console.log(JSON.stringify({ url: server.url, rss: process.memoryUsage().rss }));
process.once("SIGTERM", async () => {
  await server.close();
  console.log(JSON.stringify({ maxRss: process.resourceUsage().maxRSS * 1024 }));
  process.exit(0);
});
`;

/** Opens a TCP connection to the server from `localAddress` (any 127.x.y.z reaches it). */
function silentConnection(url: string, localAddress: string): Promise<Socket> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ port: Number(port), host: "127.0.0.1", localAddress });
    sockets.push(socket);
    // Reads (and drops) whatever comes, so the server's FIN is seen.
    socket.resume();
    socket.on("error", () => {});
    socket.once("connect", () => resolve(socket));
    socket.once("close", () => resolve(socket));
  });
}

/** Whether `check` holds within `ms` (checked every 20 ms). */
async function settles(check: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) return false;
    await new Promise((done) => setTimeout(done, 20));
  }
  return true;
}

const openCount = (all: readonly Socket[]) => all.filter((s) => !s.destroyed && !s.closed).length;

describe("serve: a flood of silent connections", () => {
  it("keeps the unauthenticated ones under their cap and serves /health and token holders", async () => {
    const { url } = await start({
      maxConnections: 20,
      maxConnectionsPerClient: 5,
      headerTimeoutMs: 5_000,
      idleTimeoutMs: 5_000,
    });
    // A token holder's long poll, proven before the flood, must survive it.
    const first = await fetch(`${url}/bundles/charter`, { headers: auth });
    const held = fetch(`${url}/bundles/charter`, {
      headers: { ...auth, "If-None-Match": first.headers.get("etag") ?? "", Prefer: "wait=2" },
    });
    const flood: Socket[] = [];
    for (let i = 0; i < 200; i++) {
      flood.push(await silentConnection(url, `127.0.0.${2 + (i % 10)}`));
    }
    await new Promise((done) => setTimeout(done, 100));
    // 20 connections, a tenth kept: at most 18 silent ones stay open, at most 5 per address.
    expect(openCount(flood)).toBeLessThanOrEqual(18);
    for (let a = 0; a < 10; a++) {
      expect(openCount(flood.filter((_, i) => i % 10 === a))).toBeLessThanOrEqual(5);
    }
    for (let round = 0; round < 5; round++) {
      const more = await Promise.all(
        Array.from({ length: 20 }, (_, i) => silentConnection(url, `127.0.1.${1 + i}`)),
      );
      flood.push(...more);
      const started = Date.now();
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);
      const fetched = await fetch(`${url}/bundles/charter`, { headers: auth });
      expect(fetched.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(2_000);
    }
    expect(await settles(() => openCount(flood) <= 18, 2_000)).toBe(true);
    expect((await held).status).toBe(304);
    const metrics = await (await fetch(`${url}/metrics`, { headers: auth })).text();
    expect(
      Number(/charter_serve_connections\{state="unproven"\} (\d+)/.exec(metrics)?.[1]),
    ).toBeLessThanOrEqual(18);
    expect(Number(/closed_total\{reason="displaced"\} (\d+)/.exec(metrics)?.[1])).toBeGreaterThan(
      0,
    );
  });

  it("does not let kept-alive /health connections take the reserve", async () => {
    const { url } = await start({
      maxConnections: 20,
      maxConnectionsPerClient: 20,
      headerTimeoutMs: 5_000,
      idleTimeoutMs: 5_000,
    });
    const flood: Socket[] = [];
    for (let i = 0; i < 60; i++) {
      const socket = await silentConnection(url, `127.0.0.${2 + (i % 6)}`);
      socket.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
      flood.push(socket);
    }
    expect(await settles(() => openCount(flood) <= 18, 2_000)).toBe(true);
    for (let i = 0; i < 5; i++) {
      expect((await fetch(`${url}/bundles/charter`, { headers: auth })).status).toBe(200);
    }
  });

  it("closes a connection that sends no request within --header-timeout", async () => {
    const { url } = await start({ headerTimeoutMs: 300, idleTimeoutMs: 300 });
    const silent = await Promise.all(
      Array.from({ length: 5 }, () => silentConnection(url, "127.0.0.1")),
    );
    const partial = await silentConnection(url, "127.0.0.1");
    partial.write("GET /health HTTP/1.1\r\nHost: x\r\n");
    expect(await settles(() => openCount([...silent, partial]) === 0, 3_000)).toBe(true);
    // A long poll is answered, not timed out, though it is silent for longer than both.
    const first = await fetch(`${url}/bundles/charter`, { headers: auth });
    const held = await fetch(`${url}/bundles/charter`, {
      headers: { ...auth, "If-None-Match": first.headers.get("etag") ?? "", Prefer: "wait=1" },
    });
    expect(held.status).toBe(304);
  });
});

describe("serve: hostile files in the bundles folder", () => {
  it("does not serve a symlink (to /etc/passwd or /dev/zero), a folder or an oversized file", async () => {
    const root = scratch();
    const bundlesDir = join(root, "bundles");
    mkdirSync(bundlesDir);
    symlinkSync("/etc/passwd", join(bundlesDir, "passwd.tar.gz"));
    symlinkSync("/dev/zero", join(bundlesDir, "zero.tar.gz"));
    mkdirSync(join(bundlesDir, "folder.tar.gz"));
    writeFileSync(join(bundlesDir, "big.tar.gz"), Buffer.alloc(2 * 1024 * 1024));
    const { server, url } = await start({ root, maxBundleBytes: 1024 * 1024 });
    await server.store.rescan();
    for (const name of ["passwd", "zero", "folder", "big"]) {
      expect((await fetch(`${url}/bundles/${name}.tar.gz`, { headers: auth })).status, name).toBe(
        404,
      );
    }
    expect((await fetch(`${url}/bundles/charter.tar.gz`, { headers: auth })).status).toBe(200);
    expect(server.store.all().map((b) => b.name)).toEqual(["charter"]);
  });

  it("neither blocks start-up nor shutdown on a FIFO", async () => {
    const root = scratch();
    mkdirSync(join(root, "bundles"));
    execFileSync("mkfifo", [join(root, "bundles", "fifo.tar.gz")]);
    const startedAt = Date.now();
    const { server, url } = await withTimeout(start({ root }), 5_000, "start-up blocked");
    expect((await fetch(`${url}/bundles/fifo.tar.gz`, { headers: auth })).status).toBe(404);
    await withTimeout(server.close(), 5_000, "shutdown blocked");
    expect(Date.now() - startedAt).toBeLessThan(5_000);
  });
});

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    work,
    new Promise<never>((_, fail) => setTimeout(() => fail(new Error(what)), ms).unref()),
  ]);
}

/** Mounts a tmpfs of `size` at a new folder; undefined (said loudly) where that is impossible. */
function mountTmpfs(ctx: TestContext, options: string): string | undefined {
  const dir = scratch();
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", options, "tmpfs", dir], { stdio: "pipe" });
    mounts.push(dir);
    return dir;
  } catch (error) {
    // CI runs as root on this machine, where mounting works: there it must not be skipped.
    if (process.env.CI === "true") expect.fail(`cannot mount a tmpfs under CI=true: ${error}`);
    console.warn(`\n*** cannot mount a tmpfs (${error}): SKIPPING this test ***\n`);
    ctx.skip();
    return undefined;
  }
}
const mounts: string[] = [];
afterAll(() => {
  for (const dir of mounts.splice(0)) {
    execFileSync("umount", ["-l", dir]);
    rmSync(dir, { recursive: true, force: true });
  }
});

describe("serve: the decision-log disk fills up or cannot be written", () => {
  it("acknowledges only what is on disk, leaves no half line, and reports itself unhealthy", async (ctx) => {
    const logsDir = mountTmpfs(ctx, "size=256k");
    if (logsDir === undefined) return;
    // Another file takes half the disk; deleting it later is how space comes back.
    writeFileSync(join(logsDir, "other-data"), Buffer.alloc(128 * 1024));
    const { server, url } = await start({ logsDir });
    const batch = (n: number) =>
      Array.from({ length: 6 }, (_, i) => ({ ...decision(`b${n}-e${i}`), batch: n }));
    const acknowledged: number[] = [];
    const refused: number[] = [];
    let n = 0;
    // Uploads in small concurrent groups until the disk is full and a few more were refused.
    while (refused.length < 6 && n < 400) {
      const group = Array.from({ length: 4 }, () => n++);
      const statuses = await Promise.all(
        group.map(async (b) => {
          const response = await postLogs(url, gzipSync(JSON.stringify(batch(b))));
          if (response.status === 503) {
            expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
          }
          return response.status;
        }),
      );
      statuses.forEach((status, i) => {
        expect([204, 503]).toContain(status);
        (status === 204 ? acknowledged : refused).push(group[i] as number);
      });
    }
    expect(refused.length).toBeGreaterThan(0);
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(503);
    expect(((await health.json()) as { reason: string }).reason).toMatch(/ENOSPC|no space/i);

    const stored = () =>
      readdirSync(logsDir)
        .filter((file) => file.startsWith("decisions-"))
        .sort()
        .flatMap((file) => {
          const text = readFileSync(join(logsDir, file), "utf8");
          expect(text === "" || text.endsWith("\n"), `${file} ends in a half line`).toBe(true);
          return text
            .split("\n")
            .filter(Boolean)
            .map((line) => JSON.parse(line));
        });
    const ids = stored().map((event) => event.decision_id);
    const expected = acknowledged.flatMap((b) => batch(b).map((e) => e.decision_id));
    expect(ids.sort()).toEqual(expected.sort());

    // Room again: the next upload is stored and health is back.
    rmSync(join(logsDir, "other-data"));
    const after = await postLogs(url, gzipSync(JSON.stringify(batch(9999))));
    expect(after.status).toBe(204);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect(stored().filter((event) => event.batch === 9999)).toHaveLength(6);
    await server.close();
  });

  it("reports a read-only log folder through /health and 503, not 500", async (ctx) => {
    const logsDir = mountTmpfs(ctx, "size=64k,ro");
    if (logsDir === undefined) return;
    const { url } = await start({ logsDir });
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(503);
    expect(((await health.json()) as { reason: string }).reason).toMatch(/EROFS|read-only/i);
    const upload = await postLogs(url, gzipSync(JSON.stringify([decision("ro")])));
    expect(upload.status).toBe(503);
    expect(Number(upload.headers.get("retry-after"))).toBeGreaterThan(0);
    // Bundles are still served.
    expect((await fetch(`${url}/bundles/charter`, { headers: auth })).status).toBe(200);
  });
});

describe("charter serve: the limits are options", () => {
  it("lists them in --help and refuses nonsense with exit 2", async () => {
    const help = await runCli(["serve", "--help"]);
    for (const option of [
      "--max-connections <n>",
      "--max-connections-per-client <n>",
      "--header-timeout <duration>",
      "--idle-timeout <duration>",
      "--max-log-decoders <n>",
      "--log-memory-budget <size>",
      "--max-bundle-size <size>",
    ]) {
      expect(help.stdout).toContain(option);
    }
    for (const args of [
      ["--max-connections", "0"],
      ["--max-connections-per-client", "-1"],
      ["--header-timeout", "soon"],
      ["--idle-timeout", "0s"],
      ["--log-memory-budget", "lots"],
    ]) {
      const run = await runCli(["serve", ...args]);
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr).toMatch(/is invalid/);
    }
  });

  it("passes them to the server", async () => {
    const root = scratch();
    mkdirSync(join(root, "bundles"));
    writeFileSync(join(root, "bundles/big.tar.gz"), Buffer.alloc(4096));
    let stderr = "";
    let stop: (signal: string) => void = () => {};
    const stopped = new Promise<string>((resolve) => {
      stop = resolve;
    });
    const ctx = {
      cwd: root,
      stdin: process.stdin,
      output: {
        out: () => {},
        err: (line = "") => {
          stderr += `${line}\n`;
        },
        paint: (_style: unknown, text: string) => text,
      },
    };
    const running = serveUntil(
      ctx as unknown as Parameters<typeof serveUntil>[0],
      {
        host: "127.0.0.1",
        port: 0,
        bundles: "bundles",
        logs: "logs",
        name: "charter",
        logLevel: "info",
        maxConnections: 10,
        maxConnectionsPerClient: 2,
        headerTimeout: 60_000,
        idleTimeout: 60_000,
        maxBundleSize: 1024,
      },
      stopped,
    );
    expect(await settles(() => stderr.includes('"listening"'), 5_000)).toBe(true);
    const listening = stderr
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { msg: string; url?: string })
      .find((line) => line.msg === "listening");
    const url = String(listening?.url);
    const silent = await Promise.all(
      Array.from({ length: 5 }, () => silentConnection(url, "127.0.0.1")),
    );
    expect(await settles(() => openCount(silent) <= 2, 2_000)).toBe(true);
    expect((await fetch(`${url}/bundles/big`)).status).toBe(404);
    expect(stderr).toMatch(/bundle file refused.*--max-bundle-size/);
    stop("SIGTERM");
    expect(await running).toBe(0);
  });
});
