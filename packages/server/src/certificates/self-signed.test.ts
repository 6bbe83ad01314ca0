/** The self-signed CA and serving certificate: what Node's X.509 parser, OpenSSL and a TLS handshake make of them. */
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, request } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { selfSignedCertificates } from "./self-signed.js";

const hosts = ["127.0.0.1", "localhost", "charter-webhook.charter.svc", "::1"];

describe("selfSignedCertificates", () => {
  it("makes a CA and a serving certificate it signed, for the given hosts", () => {
    const now = new Date("2026-12-07T10:00:00Z");
    const { ca, serving } = selfSignedCertificates({ hosts, days: 30, now });
    const caCert = new X509Certificate(ca.cert);
    const servingCert = new X509Certificate(serving.cert);
    expect(caCert.ca).toBe(true);
    expect(servingCert.ca).toBe(false);
    expect(servingCert.checkIssued(caCert)).toBe(true);
    expect(servingCert.verify(caCert.publicKey)).toBe(true);
    expect(servingCert.subjectAltName).toBe(
      "IP Address:127.0.0.1, DNS:localhost, DNS:charter-webhook.charter.svc, IP Address:0:0:0:0:0:0:0:1",
    );
    expect(servingCert.keyUsage).toEqual(["1.3.6.1.5.5.7.3.1"]);
    expect(new Date(servingCert.validTo).getTime()).toBe(
      Math.floor((now.getTime() + 30 * 86_400_000) / 1000) * 1000,
    );
    expect(servingCert.checkHost("charter-webhook.charter.svc")).toBe(
      "charter-webhook.charter.svc",
    );
    expect(servingCert.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(servingCert.checkHost("example.com")).toBeUndefined();
  });

  it("OpenSSL verifies the chain for serverAuth", () => {
    const dir = mkdtempSync(join(tmpdir(), "charter-certs-"));
    const { ca, serving } = selfSignedCertificates({ hosts });
    writeFileSync(join(dir, "ca.pem"), ca.cert);
    writeFileSync(join(dir, "serving.pem"), serving.cert);
    let out: string;
    try {
      out = execFileSync(
        "openssl",
        [
          "verify",
          "-purpose",
          "sslserver",
          "-CAfile",
          join(dir, "ca.pem"),
          join(dir, "serving.pem"),
        ],
        { encoding: "utf8" },
      );
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") {
        console.warn("openssl is not installed: the OpenSSL check is skipped");
        return;
      }
      throw error;
    }
    expect(out.trim()).toMatch(/: OK$/);
  });

  it("a TLS client trusting only the CA completes a handshake with 127.0.0.1 and localhost", async () => {
    const { ca, serving } = selfSignedCertificates({ hosts });
    const server = createServer({ cert: serving.cert, key: serving.key }, (_req, res) =>
      res.end("ok"),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const get = (host: string) =>
      new Promise<string>((resolve, reject) => {
        const req = request(
          {
            host: "127.0.0.1",
            servername: host === "127.0.0.1" ? undefined : host,
            port,
            ca: ca.cert,
          },
          (res) => {
            let body = "";
            res.on("data", (c) => (body += c)).on("end", () => resolve(body));
          },
        );
        req.on("error", reject).end();
      });
    try {
      expect(await get("127.0.0.1")).toBe("ok");
      expect(await get("localhost")).toBe("ok");
      await expect(get("example.com")).rejects.toThrow(/altnames|Hostname/);
    } finally {
      server.close();
    }
  });
});
