/**
 * Policy exceptions through `charter check`: loaded from the config, applied on every engine
 * (excused rows are skips naming the exception), no longer applied once expired (`--now` sets
 * the clock), and warnings for expired, soon-expiring and unused exceptions.
 * The project is test/fixtures/exceptions-project.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot, runCli } from "./support/run-cli.js";

const project = join(repoRoot, "test", "fixtures", "exceptions-project");

interface Row {
  policy: string;
  rule: string;
  result: string;
  message: string;
  resource: { name: string };
  exception?: { name: string; owner: string; expires: string; reason: string };
}

async function check(now: string, ...more: string[]) {
  const run = await runCli(["check", "manifests", "--format", "json", "--now", now, ...more], {
    cwd: project,
  });
  const rows = (JSON.parse(run.stdout) as { results: Row[] }).results;
  const of = (name: string, policy: string) =>
    rows.filter((r) => r.resource.name === name && r.policy === policy);
  return { run, rows, of };
}

describe("policy exceptions in charter check", () => {
  it("excuses exactly what they cover, with the exception on the row", async () => {
    const { of } = await check("2027-01-20");
    const [hostPath] = of("node-agent-7x2k", "disallow-host-path");
    expect(hostPath?.result).toBe("skip");
    expect(hostPath?.exception).toEqual({
      name: "node-agent-host-path",
      reason: "the node agent reads /var/log of the host until it ships its sidecar mode",
      owner: "team-observability",
      expires: "2027-01-31",
    });
    expect(hostPath?.message).toMatch(/^excused by exception node-agent-host-path/);
    // The same policy on a pod the exception does not name still fails.
    expect(of("other-host-path", "disallow-host-path")[0]?.result).toBe("fail");
    // Only the listed rule is excused.
    const latest = of("report", "disallow-latest-tag");
    expect(latest.find((r) => r.rule === "latestTag")?.exception?.name).toBe("legacy-latest-tag");
    expect(latest.filter((r) => r.rule !== "latestTag").every((r) => !r.exception)).toBe(true);
    // Kinds and labels: the debug pod's extra label keeps the exception off it.
    expect(
      of("report", "require-requests-limits").every((r) => r.exception?.name === "batch-limits"),
    ).toBe(true);
    expect(of("report-debug", "require-requests-limits").some((r) => r.result === "fail")).toBe(
      true,
    );
    expect(of("report-debug", "require-requests-limits").every((r) => !r.exception)).toBe(true);
  });

  it("no longer applies an expired exception", async () => {
    const { of, run } = await check("2027-01-20");
    expect(of("node-agent-7x2k", "disallow-privileged-containers")[0]?.result).toBe("fail");
    expect(run.stderr).toMatch(
      /exceptions\/index\.ts:\d+: warning: exception expired-privileged \(owner team-observability\) expired on 2026-12-31/,
    );
    const later = await check("2027-02-01");
    expect(later.of("node-agent-7x2k", "disallow-host-path")[0]?.result).toBe("fail");
    expect(later.run.stderr).toMatch(/exception node-agent-host-path .* expired on 2027-01-31/);
  });

  it("warns about exceptions expiring within 14 days and those that matched nothing", async () => {
    const { run } = await check("2027-01-20");
    expect(run.stderr).toMatch(
      /warning: exception legacy-latest-tag \(owner team-legacy\) expires on 2027-01-25, in 6 days/,
    );
    expect(run.stderr).toMatch(
      /warning: exception node-agent-host-path .* expires on 2027-01-31, in 12 days/,
    );
    expect(run.stderr).toMatch(/warning: exception nothing-matches matched nothing in this scan/);
    const early = await check("2026-06-01");
    expect(early.run.stderr).not.toMatch(/expires on/);
  });

  it.each(["opa", "gatekeeper", "wasm", "kyverno-cel", "vap-cel", "cel-judge"])(
    "gives the IR engine's rows on --engine %s",
    async (engine) => {
      const ir = await check("2027-01-20");
      const other = await check("2027-01-20", "--engine", engine);
      // Policies the engine's target cannot express are skip rows saying so (capabilities.md).
      const cannot = `the ${engine} engine cannot judge this policy`;
      const unjudged = new Set(
        other.rows.filter((r) => r.message.startsWith(cannot)).map((r) => r.policy),
      );
      const judged = (rows: Row[]) => rows.filter((r) => !unjudged.has(r.policy));
      expect(judged(other.rows)).toEqual(judged(ir.rows));
      expect(judged(other.rows).some((r) => r.exception)).toBe(true);
      expect(other.run.stderr).toBe(ir.run.stderr);
    },
  );

  it("refuses a --now that is not a date", async () => {
    const run = await runCli(["check", "manifests", "--now", "tomorrow"], { cwd: project });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--now "tomorrow" is not a date/);
  });
});

describe("policy exceptions in charter build", () => {
  it("Kyverno's PolicyExceptions go to the namespace --kyverno-exception-namespace names", async () => {
    const { mkdtempSync, readdirSync, readFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { parse } = await import("yaml");
    const out = mkdtempSync(join(tmpdir(), "charter-exceptions-build-"));
    const namespaces = (dir: string) =>
      readdirSync(join(dir, "kyverno", "exceptions")).map(
        (file) =>
          parse(readFileSync(join(dir, "kyverno", "exceptions", file), "utf8")).metadata.namespace,
      );
    const build = (...more: string[]) =>
      runCli(["build", "--target", "kyverno", "--now", "2027-01-20", ...more], { cwd: project });
    expect((await build("--out", join(out, "default"))).code).toBe(0);
    const byDefault = namespaces(join(out, "default"));
    expect(byDefault.length).toBeGreaterThan(0);
    expect(new Set(byDefault)).toEqual(new Set(["kyverno"]));
    const chosen = await build(
      "--out",
      join(out, "chosen"),
      "--kyverno-exception-namespace",
      "policy-exceptions",
    );
    expect(chosen.code).toBe(0);
    expect(new Set(namespaces(join(out, "chosen")))).toEqual(new Set(["policy-exceptions"]));
    const bad = await build(
      "--out",
      join(out, "bad"),
      "--kyverno-exception-namespace",
      "Not/A/Namespace",
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not a namespace name/);
  });

  it("--now sets the clock build drops expired exceptions by", async () => {
    const { existsSync, mkdtempSync, readdirSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const out = mkdtempSync(join(tmpdir(), "charter-exceptions-now-"));
    const shipped = async (now: string) => {
      const dir = join(out, now);
      const run = await runCli(["build", "--target", "kyverno", "--out", dir, "--now", now], {
        cwd: project,
      });
      expect(run.code).toBe(0);
      const exceptions = join(dir, "kyverno", "exceptions");
      return existsSync(exceptions) ? readdirSync(exceptions).length : 0;
    };
    const before = await shipped("2027-01-20");
    expect(before).toBeGreaterThan(0);
    expect(await shipped("2031-01-01")).toBeLessThan(before);
    expect((await runCli(["build", "--now", "someday"], { cwd: project })).code).toBe(2);
  });
});
