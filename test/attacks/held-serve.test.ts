/**
 * Attacks on `charter serve` that held when the attack test ran (issue 11), kept as a standing
 * suite: path traversal, token tricks, request smuggling and a gzip bomb in one request. Each
 * sends raw bytes where a client library would have normalised the attack away, and each ends
 * with a well-formed request still served, so a server that merely hung up would not pass.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { packTarGz } from "@charter/compiler";
import { type BundleServer, createBundleServer } from "@charter/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const TOKEN = "s3cret-token";
let server: BundleServer;
let root: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "charter-attack-serve-"));
  const bundlesDir = join(root, "bundles");
  mkdirSync(bundlesDir);
  writeFileSync(join(root, "secret.tar.gz"), "secret");
  writeFileSync(
    join(bundlesDir, "charter.tar.gz"),
    packTarGz(new Map([["/.manifest", Buffer.from('{"revision":"r1","roots":["charter"]}')]])),
  );
  server = await createBundleServer({
    port: 0,
    bundlesDir,
    logsDir: join(root, "logs"),
    token: TOKEN,
    maxBodyBytes: 1024 * 1024,
  });
  await server.store.rescan();
});
afterAll(() => server.close());

/**
 * Writes raw bytes on one connection and returns the status of the first response. The client
 * does not half-close: Node's server aborts a request still in progress when its client sends
 * FIN, and every request here says `Connection: close` instead.
 */
function raw(request: string | Buffer): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(request));
    let text = "";
    socket.setEncoding("latin1").on("data", (chunk) => {
      text += chunk;
    });
    socket.on("close", () =>
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text }),
    );
    socket.on("error", reject);
  });
}

const get = (target: string, authorization = `Bearer ${TOKEN}`) =>
  raw(
    `GET ${target} HTTP/1.1\r\nHost: x\r\nAuthorization: ${authorization}\r\nConnection: close\r\n\r\n`,
  );

describe("serve: attacks that held", () => {
  it("path traversal never leaves the bundles folder", async () => {
    for (const target of [
      "/bundles/../secret.tar.gz",
      "/bundles/..%2fsecret.tar.gz",
      "/bundles/%2e%2e/secret.tar.gz",
      "/bundles/%252e%252e%252fsecret.tar.gz",
      "/bundles/..%5csecret.tar.gz",
      "/bundles/charter.tar.gz%00.txt",
      "/bundles/%c0%ae%c0%ae/secret.tar.gz",
      `/bundles/${"../".repeat(40)}etc/passwd`,
    ]) {
      const { status, text } = await get(target);
      expect([400, 404], target).toContain(status);
      expect(text).not.toContain("secret\n");
    }
    expect((await get("/bundles/charter.tar.gz")).status).toBe(200);
  });

  it("only the exact bearer token opens a bundle", async () => {
    for (const authorization of [
      "",
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Bearer ${TOKEN}x`,
      `Basic ${Buffer.from(`x:${TOKEN}`).toString("base64")}`,
      `Bearer ${TOKEN.toUpperCase()}`,
      `Bearer ${TOKEN} ${TOKEN}`,
      "Bearer",
    ]) {
      expect((await get("/bundles/charter.tar.gz", authorization)).status, authorization).toBe(401);
    }
    const inQuery = await raw(
      `GET /bundles/charter.tar.gz?token=${TOKEN} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    );
    expect(inQuery.status).toBe(401);
    expect((await get("/bundles/charter.tar.gz")).status).toBe(200);
  });

  it("a smuggled second request is refused, not served", async () => {
    const smuggled = `GET /bundles/charter.tar.gz HTTP/1.1\r\nHost: x\r\n\r\n`;
    for (const request of [
      // Content-Length and Transfer-Encoding together (CL.TE / TE.CL desync).
      `POST /logs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${smuggled}`,
      // Two Content-Length headers that disagree.
      `POST /logs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Length: 2\r\nContent-Length: 40\r\n\r\n[]${smuggled}`,
      // An obfuscated Transfer-Encoding.
      `POST /logs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nTransfer-Encoding: xchunked\r\n\r\n2\r\n[]\r\n0\r\n\r\n${smuggled}`,
    ]) {
      const { status, text } = await raw(request);
      expect(status, request).toBe(400);
      expect(text.match(/HTTP\/1\.1 /g)?.length ?? 0, request).toBe(1);
    }
  });

  it("a gzip bomb in one request is refused once the cap is unpacked", async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, " "));
    const head = `POST /logs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Encoding: gzip\r\nContent-Type: application/json\r\nContent-Length: ${bomb.length}\r\nConnection: close\r\n\r\n`;
    const { status, text } = await raw(Buffer.concat([Buffer.from(head), bomb]));
    expect(status, text).toBe(413);
    expect((await get("/health")).status).toBe(200);
  });
});
