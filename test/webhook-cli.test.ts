/**
 * `charter webhook` from the command line: usage errors are one clear line and exit 2;
 * `--self-signed` prints the CA (PEM and caBundle) and writes it to --ca-out; the server judges
 * a review with the project's policies and exceptions; SIGTERM and SIGINT stop it with exit 0.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { postReview, reviewOf } from "@charter/test-support/webhook-client";
import { configMap, service, webhookPod } from "@charter/test-support/webhook-fixtures";
import { afterEach, describe, expect, it } from "vitest";
import { repoRoot, runCli } from "./support/run-cli.js";
import { caBundleOf, killWebhooks, startWebhookCli } from "./support/webhook-process.js";

const PROJECT = join(repoRoot, "test", "fixtures", "webhook-project");
const scratch = () => mkdtempSync(join(tmpdir(), "charter-webhook-cli-"));

afterEach(killWebhooks);

describe("charter webhook: usage errors", () => {
  it.each([
    [[], /charter webhook serves HTTPS only: it needs a certificate/],
    [["--tls-cert", "a.crt"], /--tls-cert and --tls-key go together/],
    [
      ["--self-signed", "--tls-key", "a.key"],
      /--self-signed and --tls-cert\/--tls-key exclude each other/,
    ],
    [
      ["--tls-cert", "a.crt", "--tls-key", "a.key", "--ca-out", "ca.pem"],
      /--ca-out and --dns-name go with --self-signed/,
    ],
    [
      ["--tls-cert", "nope.crt", "--tls-key", "nope.key"],
      /cannot serve with --tls-cert nope.crt and --tls-key nope.key: cannot read/,
    ],
    [
      ["--self-signed", "--decision-log-url", "ftp://x/logs"],
      /--decision-log-url ftp:\/\/x\/logs is not an http\(s\) URL/,
    ],
    [["--self-signed", "--port", "70000"], /a port 0–65535/],
  ])("charter webhook %j exits 2 with a clear message", async (args, message) => {
    const run = await runCli(["webhook", ...args], { cwd: PROJECT });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("says which address it cannot listen on, exit 2", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const run = await runCli(
        ["webhook", "--self-signed", "--host", "127.0.0.1", "--port", String(port)],
        { cwd: PROJECT },
      );
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`cannot listen on 127.0.0.1:${port} (EADDRINUSE)`);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    } finally {
      taken.close();
    }
  });

  it("refuses a certificate with another key", async () => {
    const dir = scratch();
    const { selfSignedCertificates } = await import("@charter/server");
    const one = selfSignedCertificates({ hosts: ["127.0.0.1"] });
    const two = selfSignedCertificates({ hosts: ["127.0.0.1"] });
    writeFileSync(join(dir, "tls.crt"), one.serving.cert);
    writeFileSync(join(dir, "tls.key"), two.serving.key);
    const run = await runCli(
      ["webhook", "--tls-cert", join(dir, "tls.crt"), "--tls-key", join(dir, "tls.key")],
      { cwd: PROJECT },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/cannot serve TLS: .*key values mismatch/);
  });
});

describe("charter webhook: serving", () => {
  it("--self-signed prints the CA and its caBundle, writes --ca-out, serves the --dns-name, judges, and stops on SIGTERM with 0", async () => {
    const dir = scratch();
    const webhook = await startWebhookCli(
      [
        "--self-signed",
        "--ca-out",
        join(dir, "pki", "ca.pem"),
        "--dns-name",
        "charter-webhook.charter.svc",
      ],
      PROJECT,
    );
    const ca = readFileSync(join(dir, "pki", "ca.pem"), "utf8");
    expect(ca).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n$/);
    expect(webhook.stdout()).toContain(ca.trimEnd());
    expect(Buffer.from(caBundleOf(webhook.stdout()), "base64").toString("utf8")).toBe(ca);
    const denied = await postReview(
      webhook.base,
      ca,
      reviewOf(webhookPod("agent", "team-a", { privileged: true }), { uid: "cli" }),
    );
    expect(denied.json().response).toMatchObject({ uid: "cli", allowed: false });
    // The project's exception applies.
    const excused = await postReview(
      webhook.base,
      ca,
      reviewOf(webhookPod("agent", "legacy", { privileged: true })),
    );
    expect(excused.json().response.allowed).toBe(true);
    // The certificate verifies against the CA for the --dns-name.
    const { X509Certificate } = await import("node:crypto");
    const served = await new Promise<string>((resolve, reject) => {
      import("node:tls").then(({ connect }) => {
        const socket = connect(
          { host: "127.0.0.1", port: webhook.port, servername: "charter-webhook.charter.svc", ca },
          () => {
            resolve(
              new X509Certificate(socket.getPeerX509Certificate()?.raw ?? Buffer.alloc(0))
                .subjectAltName ?? "",
            );
            socket.end();
          },
        );
        socket.on("error", reject);
      });
    });
    expect(served).toContain("DNS:charter-webhook.charter.svc");
    webhook.child.kill("SIGTERM");
    expect(await webhook.exited).toBe(0);
    expect(webhook.logs().map((line) => line.msg)).toEqual(
      expect.arrayContaining([
        "listening",
        "shutting down: finishing the reviews in flight",
        "stopped",
      ]),
    );
  });

  it("charter audit over --decision-log-dir reports per policy the violations the webhook answered", async () => {
    const dir = scratch();
    const webhook = await startWebhookCli(
      ["--self-signed", "--ca-out", join(dir, "ca.pem"), "--decision-log-dir", join(dir, "logs")],
      PROJECT,
    );
    const ca = readFileSync(join(dir, "ca.pem"), "utf8");
    const helm = { "app.kubernetes.io/managed-by": "helm" };
    const objects = [
      webhookPod("agent", "team-a", { privileged: true, hostPath: true }),
      webhookPod("agent", "legacy", { privileged: true }),
      webhookPod("web", "team-a"),
      configMap("settings", "team-a", helm),
      service("db", "team-a", "ExternalName"),
    ];
    const answered: Record<string, number> = {};
    for (const object of objects) {
      const { response } = (await postReview(webhook.base, ca, reviewOf(object))).json();
      const entries = [
        ...(response.status?.message ?? "").matchAll(/\[([a-z-]+)\/\w+\]/g),
        ...(response.warnings ?? []).map((w: string) => /^\[([a-z-]+)\//.exec(w) ?? []),
      ].map((m) => m[1] as string);
      entries.push(...Object.keys(response.auditAnnotations ?? {}));
      for (const policy of entries) answered[policy] = (answered[policy] ?? 0) + 1;
    }
    webhook.child.kill("SIGTERM");
    expect(await webhook.exited).toBe(0);
    const audit = await runCli(["audit", "--logs", join(dir, "logs"), "--format", "json"], {
      cwd: PROJECT,
    });
    expect(audit.code).toBe(0);
    const report = JSON.parse(audit.stdout);
    expect(report.totals.decisions).toBe(objects.length);
    // The report lists every loaded policy; those the webhook never failed count 0.
    const audited = Object.fromEntries(
      report.policies
        .filter((p: { violations: number }) => p.violations > 0)
        .map((p: { policy: string; violations: number }) => [p.policy, p.violations]),
    );
    expect(audited).toEqual(answered);
    expect(answered).toEqual({
      "disallow-privileged-containers": 1,
      "disallow-host-path": 1,
      "warn-team-label": 1,
      "audit-service-type": 1,
    });
  });

  it("stops on SIGINT with 0", async () => {
    const webhook = await startWebhookCli(["--self-signed"], PROJECT);
    webhook.child.kill("SIGINT");
    expect(await webhook.exited).toBe(0);
  });
});
