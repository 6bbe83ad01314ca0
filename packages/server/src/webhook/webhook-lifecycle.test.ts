/** The webhook's lifecycle: a graceful close with a review in flight, and certificate reloads. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect as tlsConnect } from "node:tls";
import { DEFAULT_SYSTEM_NAMESPACES } from "@charter/ir";
import { httpsCall, postReview, reviewOf } from "@charter/test-support/webhook-client";
import { PLAIN_POLICIES, webhookPod } from "@charter/test-support/webhook-fixtures";
import { afterEach, describe, expect, it } from "vitest";
import { jsonLogger } from "../bundle-server/log.js";
import { selfSignedCertificates } from "../certificates/self-signed.js";
import { decisionLabels } from "./decision-event.js";
import { createJudge } from "./judge-review.js";
import { staticJudgingContext } from "./judging-context.js";
import { readTlsPair, type TlsPair, watchTlsFiles } from "./tls-files.js";
import { createWebhookServer, type WebhookServer } from "./webhook-server.js";

const running: WebhookServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function start(tls: TlsPair, logs: string[] = [], bodyBudgetBytes?: number) {
  const context = staticJudgingContext([]);
  const server = await createWebhookServer({
    port: 0,
    tls,
    judge: createJudge(
      { policies: PLAIN_POLICIES, exceptions: [], systemNamespaces: DEFAULT_SYSTEM_NAMESPACES },
      context,
    ),
    context,
    labels: decisionLabels("test"),
    logger: jsonLogger((line) => logs.push(line), "debug"),
    ...(bodyBudgetBytes ? { bodyBudgetBytes } : {}),
  });
  running.push(server);
  return server;
}

describe("close()", () => {
  it("stops accepting, lets a review in flight finish and answer, then resolves", async () => {
    const { ca, serving } = selfSignedCertificates({ hosts: ["127.0.0.1"] });
    const server = await start(serving);
    const body = JSON.stringify(
      reviewOf(webhookPod("agent", "team-a", { privileged: true }), { uid: "in-flight" }),
    );
    const socket = tlsConnect({ host: "127.0.0.1", port: server.port, ca: ca.cert });
    await new Promise<void>((resolve, reject) => {
      socket.once("secureConnect", resolve);
      socket.once("error", reject);
    });
    let answer = "";
    socket.setEncoding("utf8").on("data", (chunk: string) => {
      answer += chunk;
    });
    const ended = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    const half = Math.floor(body.length / 2);
    socket.write(
      `POST /validate HTTP/1.1\r\nHost: webhook\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, half)}`,
    );
    await sleep(100);
    let closed = false;
    const closing = server.close().then(() => {
      closed = true;
    });
    await sleep(100);
    // No new connection is accepted…
    await expect(httpsCall(`${server.url}/healthz`, ca.cert)).rejects.toThrow(/ECONNREFUSED/);
    // …and the close waits for the review in flight.
    expect(closed).toBe(false);
    socket.write(body.slice(half));
    await ended;
    await closing;
    const [head = "", json = ""] = answer.split("\r\n\r\n");
    expect(head).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(head).toMatch(/^connection: close$/im);
    const { response } = JSON.parse(json);
    expect(response).toMatchObject({ uid: "in-flight", allowed: false });
  });
});

describe("the body budget", () => {
  it("answers 503 + Retry-After to a review that does not fit beside those being read, then reads it", async () => {
    const { ca, serving } = selfSignedCertificates({ hosts: ["127.0.0.1"] });
    const server = await start(serving, [], 1024 * 1024);
    const padded = (uid: string, bytes: number) =>
      JSON.stringify(reviewOf({ ...webhookPod("w", "team-a"), pad: "x".repeat(bytes) }, { uid }));
    const held = padded("held", 800 * 1024);
    const socket = tlsConnect({ host: "127.0.0.1", port: server.port, ca: ca.cert });
    await new Promise<void>((resolve) => socket.once("secureConnect", resolve));
    let answer = "";
    socket.setEncoding("utf8").on("data", (chunk: string) => {
      answer += chunk;
    });
    const ended = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    socket.write(
      `POST /validate HTTP/1.1\r\nHost: webhook\r\nConnection: close\r\nContent-Length: ${held.length}\r\n\r\n${held.slice(0, 700 * 1024)}`,
    );
    await sleep(300);
    const other = padded("other", 600 * 1024);
    const refused = await postReview(server.url, ca.cert, other);
    expect(refused.status).toBe(503);
    expect(refused.headers["retry-after"]).toBe("2");
    expect(refused.json().error).toMatch(/memory budget/);
    socket.end(held.slice(700 * 1024));
    await ended;
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(answer).toContain('"uid":"held"');
    const retried = await postReview(server.url, ca.cert, other);
    expect(retried.json().response).toEqual({ uid: "other", allowed: true });
  });
});

describe("certificate reload", () => {
  it("serves a changed pair once both files are written, and keeps it when the next pair is bad", async () => {
    const dir = mkdtempSync(join(tmpdir(), "charter-webhook-tls-"));
    const certFile = join(dir, "tls.crt");
    const keyFile = join(dir, "tls.key");
    const first = selfSignedCertificates({ hosts: ["127.0.0.1"] });
    const second = selfSignedCertificates({ hosts: ["127.0.0.1"] });
    writeFileSync(certFile, first.serving.cert);
    writeFileSync(keyFile, first.serving.key);
    const logs: string[] = [];
    const server = await start(readTlsPair(certFile, keyFile), logs);
    const watcher = watchTlsFiles({
      certFile,
      keyFile,
      logger: jsonLogger((line) => logs.push(line)),
      onReload: (pair) => server.setTls(pair),
      intervalMs: 50,
    });
    try {
      const healthy = (ca: string) =>
        httpsCall(`${server.url}/healthz`, ca).then(
          (answer) => answer.status === 200,
          () => false,
        );
      expect(await healthy(first.ca.cert)).toBe(true);
      expect(await healthy(second.ca.cert)).toBe(false);
      writeFileSync(certFile, second.serving.cert);
      writeFileSync(keyFile, second.serving.key);
      const deadline = Date.now() + 10_000;
      while (!(await healthy(second.ca.cert)) && Date.now() < deadline) await sleep(50);
      expect(await healthy(second.ca.cert)).toBe(true);
      expect(await healthy(first.ca.cert)).toBe(false);
      expect(logs.some((line) => line.includes("serving the reloaded certificate"))).toBe(true);
      // A certificate with a key that is not its own: logged, and the second pair stays.
      writeFileSync(certFile, first.serving.cert);
      await sleep(1000);
      expect(logs.some((line) => line.includes("still serving the previous one"))).toBe(true);
      expect(await healthy(second.ca.cert)).toBe(true);
      const review = await postReview(server.url, second.ca.cert, reviewOf(webhookPod("w", "a")));
      expect(review.json().response.allowed).toBe(true);
    } finally {
      watcher.close();
    }
  });
});
