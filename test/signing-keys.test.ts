/**
 * A policy whose signing keys are a parameter (`keysFrom`, packages/ir README item 18) and are
 * not set is not configured: `charter build` leaves it out, `charter check` and
 * `charter webhook` do not judge it, and each says which parameter to set. Set, it is built and
 * judged; set to something that is not a PEM public key, it is an error (exit 2).
 * Project: test/fixtures/signing-keys-project (the library's require-signed-images and
 * disallow-privileged-containers).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { repoRoot, runCli } from "./support/run-cli.js";
import { stderrLines } from "./support/scan-only-notes.js";
import { killWebhooks, startWebhookCli } from "./support/webhook-process.js";

const PROJECT = join(repoRoot, "test", "fixtures", "signing-keys-project");
const NOT_CONFIGURED =
  'not configured: it verifies signatures with the public keys of the parameter publicKeys, which lists none; set it, e.g. params: { "require-signed-images": { publicKeys: [readFileSync("cosign.pub", "utf8")] } } in charter.config.ts';

const work = mkdtempSync(join(tmpdir(), "charter-signing-keys-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
afterEach(() => killWebhooks());

const POD = join(work, "pod.yaml");
writeFileSync(
  POD,
  [
    "apiVersion: v1",
    "kind: Pod",
    "metadata: {name: api, namespace: team-a}",
    "spec: {containers: [{name: api, image: docker.io/library/nginx:1.27}]}",
    "",
  ].join("\n"),
);

interface Row {
  readonly policy: string;
  readonly rule: string;
  readonly result: string;
  readonly message?: string;
}
const rowsOf = (stdout: string) => (JSON.parse(stdout) as { results: Row[] }).results;

describe("a policy whose keys parameter lists none", () => {
  it("charter build leaves it out, says which parameter to set, and builds the rest", async () => {
    const out = join(work, "unset");
    const run = await runCli(["build", "--target", "kyverno", "--out", out], { cwd: PROJECT });
    expect(run.code).toBe(0);
    expect(stderrLines(run.stderr)).toEqual([
      `note: require-signed-images is not built: ${NOT_CONFIGURED}`,
    ]);
    expect(run.stdout).toMatch(/^compiled 1 policy to kyverno/);
    expect(existsSync(join(out, "kyverno", "disallow-privileged-containers.yaml"))).toBe(true);
    expect(existsSync(join(out, "kyverno", "require-signed-images.yaml"))).toBe(false);
  });

  it("charter check judges none of its rules and says so; the other policies are judged", async () => {
    const run = await runCli(["check", POD, "--format", "json"], { cwd: PROJECT });
    expect(run.code).toBe(0);
    expect(stderrLines(run.stderr)).toEqual([
      `note: require-signed-images is not judged: ${NOT_CONFIGURED}`,
    ]);
    const rows = rowsOf(run.stdout);
    expect(rows.map((row) => row.policy)).not.toContain("require-signed-images");
    expect(rows.some((row) => row.policy === "disallow-privileged-containers")).toBe(true);
  });

  it("charter webhook does not judge it, and warns at start", async () => {
    const webhook = await startWebhookCli(["--self-signed"], PROJECT);
    expect(webhook.logs()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          level: "warn",
          msg: "a policy that is not configured is not judged at admission",
          policy: "require-signed-images",
          reason: NOT_CONFIGURED,
        }),
      ]),
    );
  });
});

describe("the same policy with its keys set", () => {
  it("is built for Kyverno with the key, one attestor per key", async () => {
    const out = join(work, "set");
    const run = await runCli(
      ["build", "--config", "charter.keys.config.ts", "--target", "kyverno", "--out", out],
      { cwd: PROJECT },
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    expect(run.stdout).toMatch(/^compiled 2 policies to kyverno/);
    const [ivp] = parseAllDocuments(
      readFileSync(join(out, "kyverno", "require-signed-images.yaml"), "utf8"),
    ).map((document) => document.toJS());
    const key = readFileSync(
      join(repoRoot, "../shared/conformance/supply-chain/local-cosign-rig/cosign.pub"),
      "utf8",
    );
    expect(ivp.kind).toBe("ImageValidatingPolicy");
    expect(ivp.spec.attestors).toEqual([
      {
        name: "signer-0",
        cosign: {
          key: { data: key.trim() },
          ctlog: { insecureIgnoreTlog: true, insecureIgnoreSCT: true },
        },
      },
    ]);
  });

  it("is judged by charter check: the registry rule now, the signature with --verify-images", async () => {
    const run = await runCli(
      ["check", POD, "--config", "charter.keys.config.ts", "--format", "json"],
      {
        cwd: PROJECT,
      },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("");
    const mine = rowsOf(run.stdout).filter((row) => row.policy === "require-signed-images");
    expect(mine.map((row) => [row.rule, row.result])).toEqual([
      ["registry", "fail"],
      ["signed", "skip"],
    ]);
  });

  it("a key that is not PEM is an error naming the parameter, exit 2, nothing written", async () => {
    const out = join(work, "bad");
    for (const args of [
      ["build", "--config", "charter.bad-key.config.ts", "--out", out],
      ["check", POD, "--config", "charter.bad-key.config.ts"],
    ]) {
      const run = await runCli(args, { cwd: PROJECT });
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr).toMatch(
        /charter\.bad-key\.config\.ts:\d+: error: params\.require-signed-images\.publicKeys\.0 is not a PEM public key\n {2}hint: give the contents of cosign\.pub/,
      );
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
    expect(existsSync(out)).toBe(false);
  });

  it("a blank key (an unset environment variable) is an error too, never an unbuilt policy", async () => {
    const out = join(work, "blank");
    for (const args of [
      ["build", "--config", "charter.blank-key.config.ts", "--out", out],
      ["check", POD, "--config", "charter.blank-key.config.ts"],
      ["webhook", "--self-signed", "--port", "0", "--config", "charter.blank-key.config.ts"],
    ]) {
      const run = await runCli(args, { cwd: PROJECT });
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr).toMatch(
        /charter\.blank-key\.config\.ts:\d+: error: params\.require-signed-images\.publicKeys\.0 is empty, not a PEM public key/,
      );
      expect(run.stderr).not.toMatch(/not configured/);
    }
    expect(existsSync(out)).toBe(false);
  });
});
