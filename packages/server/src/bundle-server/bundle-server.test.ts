/** createBundleServer over real HTTP on port 0: bundles, ETag/304, long polling, auth, TLS. */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, renameSync, writeFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { bundleRevision } from "./bundle-manifest.js";
import {
  type BundleServer,
  type BundleServerOptions,
  createBundleServer,
} from "./bundle-server.js";
import { LONG_POLL_CONTENT_TYPE } from "./routes.js";

const scratch = () => mkdtempSync(join(tmpdir(), "charter-serve-"));

/** A gzipped ustar archive holding `.manifest` with this revision and one policy file. */
function makeBundle(revision: string): Buffer {
  const entry = (name: string, text: string) => {
    const body = Buffer.from(text);
    const header = Buffer.alloc(512);
    header.write(name, 0);
    header.write("0000644\0", 100);
    header.write("0000000\0", 108);
    header.write("0000000\0", 116);
    header.write(`${body.length.toString(8).padStart(11, "0")}\0`, 124);
    header.write("00000000000\0", 136);
    header.write("0", 156);
    header.write("ustar\0", 257);
    header.write("00", 263);
    header.write("        ", 148);
    const sum = header.reduce((a, b) => a + b, 0);
    header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
    const padded = Buffer.alloc(Math.ceil(body.length / 512) * 512);
    body.copy(padded);
    return Buffer.concat([header, padded]);
  };
  return gzipSync(
    Buffer.concat([
      entry("/.manifest", JSON.stringify({ revision, roots: ["charter"] })),
      entry("/charter/lib.rego", "package charter.lib\n"),
      Buffer.alloc(1024),
    ]),
  );
}

/** Publishes like `charter bundle` does: a temp file in the same folder, renamed into place. */
function publish(dir: string, name: string, bytes: Buffer): void {
  const temp = join(dir, `.${name}.tar.gz.tmp-${process.pid}`);
  writeFileSync(temp, bytes);
  renameSync(temp, join(dir, `${name}.tar.gz`));
}

const etagOf = (bytes: Buffer) => `"${createHash("sha256").update(bytes).digest("hex")}"`;

const servers: BundleServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(options: Partial<BundleServerOptions> = {}) {
  const root = scratch();
  const bundlesDir = join(root, "bundles");
  mkdirSync(bundlesDir);
  const server = await createBundleServer({
    port: 0,
    bundlesDir,
    logsDir: join(root, "logs"),
    ...options,
  });
  servers.push(server);
  return { server, root, bundlesDir, url: server.url };
}

/** Sends a raw request target (fetch would normalise `..` away) and returns the status. */
function rawStatus(url: string, target: string): Promise<number> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    });
    let text = "";
    socket.setEncoding("utf8").on("data", (chunk) => {
      text += chunk;
    });
    socket.on("end", () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0)));
    socket.on("error", reject);
  });
}

describe("bundle manifest", () => {
  it("reads the revision from the gzipped tarball", () => {
    expect(bundleRevision(makeBundle("rev-7"))).toBe("rev-7");
    expect(bundleRevision(Buffer.from("not gzip"))).toBeUndefined();
  });
});

describe("GET /bundles", () => {
  it("serves the bytes with a strong ETag and answers If-None-Match with 304", async () => {
    const { server, bundlesDir, url } = await start();
    const bytes = makeBundle("one");
    publish(bundlesDir, "charter", bytes);
    await server.store.rescan();

    for (const path of ["/bundles/charter.tar.gz", "/bundles/charter"]) {
      const response = await fetch(`${url}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("application/gzip");
      expect(response.headers.get("etag")).toBe(etagOf(bytes));
      expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);
    }
    const cached = await fetch(`${url}/bundles/charter`, {
      headers: { "If-None-Match": etagOf(bytes) },
    });
    expect(cached.status).toBe(304);
    expect(cached.headers.get("etag")).toBe(etagOf(bytes));
    expect(await cached.text()).toBe("");

    const stale = await fetch(`${url}/bundles/charter`, { headers: { "If-None-Match": '"old"' } });
    expect(stale.status).toBe(200);
    expect((await fetch(`${url}/bundles/nope.tar.gz`)).status).toBe(404);
  });

  it("ignores temporary and hidden files and picks up a renamed-in bundle", async () => {
    const { server, bundlesDir, url } = await start();
    writeFileSync(join(bundlesDir, ".half.tar.gz"), "partial");
    writeFileSync(join(bundlesDir, "half.tar.gz.tmp-1"), "partial");
    await server.store.rescan();
    expect(server.store.all()).toEqual([]);
    const bytes = makeBundle("renamed");
    publish(bundlesDir, "app", bytes);
    // No explicit rescan: fs.watch (or the stat check) must notice.
    await expect
      .poll(async () => (await fetch(`${url}/bundles/app`)).headers.get("etag"), { timeout: 5000 })
      .toBe(etagOf(bytes));
    const health = await (await fetch(`${url}/health`)).json();
    expect(health).toEqual({
      status: "ok",
      bundles: { app: { revision: "renamed", etag: etagOf(bytes) } },
    });
  });
});

describe("long polling", () => {
  it("holds a request until the bundle changes, then answers 200 with the new bytes", async () => {
    const { server, bundlesDir, url } = await start();
    const first = makeBundle("first");
    publish(bundlesDir, "charter", first);
    await server.store.rescan();

    const started = Date.now();
    const held = fetch(`${url}/bundles/charter`, {
      headers: { "If-None-Match": etagOf(first), Prefer: "wait=30" },
    });
    await expect
      .poll(() => server.metrics.render({ bundles: [], heldLongPolls: 0 }) && heldNow(url))
      .toBe(1);
    const second = makeBundle("second");
    publish(bundlesDir, "charter", second);
    const response = await held;
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe(LONG_POLL_CONTENT_TYPE);
    expect(response.headers.get("etag")).toBe(etagOf(second));
    expect(Buffer.from(await response.arrayBuffer()).equals(second)).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("answers 304 with the vendor content type when the wait runs out", async () => {
    const { server, bundlesDir, url } = await start();
    const bytes = makeBundle("same");
    publish(bundlesDir, "charter", bytes);
    await server.store.rescan();
    const started = Date.now();
    const response = await fetch(`${url}/bundles/charter`, {
      headers: { "If-None-Match": etagOf(bytes), Prefer: "wait=1" },
    });
    expect(response.status).toBe(304);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(response.headers.get("content-type")).toBe(LONG_POLL_CONTENT_TYPE);
    expect(response.headers.get("etag")).toBe(etagOf(bytes));
    // A first request (no matching ETag) is answered at once, also with the vendor type.
    const fresh = await fetch(`${url}/bundles/charter`, { headers: { Prefer: "wait=30" } });
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get("content-type")).toBe(LONG_POLL_CONTENT_TYPE);
  });

  it("releases held requests on close", async () => {
    const { server, bundlesDir, url } = await start();
    const bytes = makeBundle("held");
    publish(bundlesDir, "charter", bytes);
    await server.store.rescan();
    const held = fetch(`${url}/bundles/charter`, {
      headers: { "If-None-Match": etagOf(bytes), Prefer: "wait=60" },
    });
    await expect.poll(() => heldNow(url)).toBe(1);
    const started = Date.now();
    await server.close();
    expect((await held).status).toBe(304);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

/** charter_serve_long_polls_held, read through /metrics. */
async function heldNow(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^charter_serve_long_polls_held (\d+)$/m.exec(text)?.[1]);
}

describe("paths", () => {
  it("refuses traversal and odd names without touching the disk outside the folder", async () => {
    const { server, root, bundlesDir, url } = await start();
    writeFileSync(join(root, "secret.tar.gz"), "secret");
    publish(bundlesDir, "charter", makeBundle("x"));
    await server.store.rescan();
    const targets = [
      "/bundles/../secret.tar.gz",
      "/bundles/..%2fsecret.tar.gz",
      "/bundles/%2e%2e/secret.tar.gz",
      "/bundles/%2e%2e%2fsecret.tar.gz",
      "/bundles/..\\secret.tar.gz",
      "/bundles//etc/passwd",
      "/bundles/charter.tar.gz/../../secret.tar.gz",
      "/bundles/.hidden",
      "/bundles/a%00b",
      `http://x${"/bundles/charter"}`,
      "/bundles/",
      "/../secret.tar.gz",
    ];
    for (const target of targets) {
      const status = await rawStatus(url, target);
      expect([400, 404], target).toContain(status);
    }
    expect(await rawStatus(url, "/bundles/charter.tar.gz")).toBe(200);
  });
});

describe("auth", () => {
  it("requires the bearer token everywhere but /health", async () => {
    const { server, bundlesDir, url } = await start({ token: "s3cret" });
    publish(bundlesDir, "charter", makeBundle("a"));
    await server.store.rescan();
    expect((await fetch(`${url}/health`)).status).toBe(200);
    for (const path of ["/bundles/charter", "/metrics", "/nope"]) {
      const response = await fetch(`${url}${path}`);
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
    }
    const wrong = await fetch(`${url}/bundles/charter`, {
      headers: { Authorization: "Bearer s3cre" },
    });
    expect(wrong.status).toBe(401);
    const logs = await fetch(`${url}/logs`, { method: "POST", body: "[]" });
    expect(logs.status).toBe(401);
    const right = await fetch(`${url}/bundles/charter`, {
      headers: { Authorization: "Bearer s3cret" },
    });
    expect(right.status).toBe(200);
  });
});

describe("TLS", () => {
  it("serves HTTPS with a self-signed certificate", async () => {
    const dir = scratch();
    const key = join(dir, "tls.key");
    const cert = join(dir, "tls.crt");
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        key,
        "-out",
        cert,
        "-days",
        "1",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=IP:127.0.0.1,DNS:localhost",
      ],
      { stdio: "ignore" },
    );
    const { readFileSync } = await import("node:fs");
    const ca = readFileSync(cert);
    const { server, url } = await start({ tls: { cert: ca, key: readFileSync(key) } });
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const body = await new Promise<string>((resolve, reject) => {
      httpsRequest(`${url}/health`, { ca }, (response) => {
        let text = "";
        response.setEncoding("utf8").on("data", (c) => {
          text += c;
        });
        response.on("end", () => resolve(`${response.statusCode} ${text}`));
      })
        .on("error", reject)
        .end();
    });
    expect(body).toMatch(/^200 \{"status":"ok"/);
    // Plain HTTP to the TLS port is not answered as HTTP.
    await expect(fetch(`${server.url.replace("https", "http")}/health`)).rejects.toThrow();
  });
});

describe("GET /metrics", () => {
  it("is Prometheus text exposition that counts requests", async () => {
    const { server, bundlesDir, url } = await start();
    publish(bundlesDir, "charter", makeBundle("m1"));
    await server.store.rescan();
    await fetch(`${url}/bundles/charter`);
    await fetch(`${url}/bundles/missing`);
    const response = await fetch(`${url}/metrics`);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    const sample =
      /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\.)*",?)*\})? -?[0-9.e+]+$/;
    for (const line of text.trimEnd().split("\n")) {
      if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) continue;
      expect(line).toMatch(sample);
    }
    expect(text).toContain('charter_serve_requests_total{route="bundles",code="200"} 1');
    expect(text).toContain('charter_serve_requests_total{route="bundles",code="404"} 1');
    expect(text).toMatch(
      /^charter_serve_bundle_info\{bundle="charter",revision="m1",etag="[0-9a-f]{64}"\} 1$/m,
    );
    expect(text).toMatch(/^charter_serve_response_bytes_total\{route="bundles"\} [1-9]\d*$/m);
    expect(text).toMatch(/^process_resident_memory_bytes [1-9]\d*$/m);
  });
});
