import { input, row } from "@charter/test-support/report-rows";
import { describe, expect, it } from "vitest";
import { NO_SCANS } from "../image-facts/skip-reasons.js";
import { toTable } from "./table.js";

const api = { apiVersion: "apps/v1", kind: "Deployment", namespace: "todo", name: "api" };
const rows = [
  row(),
  row({ rule: "second", severity: "medium", enforcement: "warn", message: "warned" }),
  row({ result: "pass", rule: "ok" }),
  row({ resource: api, source: { file: "k8s/api.yaml", line: 1 }, severity: "low" }),
  row({ resource: api, source: { file: "k8s/api.yaml", line: 1 }, result: "skip", rule: "s" }),
];

describe("the table", () => {
  it("groups rows under their resource and ends with the summary", () => {
    expect(toTable(input(rows))).toMatchInlineSnapshot(`
      "Pod team-a/app  k8s/app.yaml:3
        FAIL  high     deny  disallow-privileged-containers/privileged
              container app is privileged
        FAIL  medium   warn  disallow-privileged-containers/second
              warned
      Deployment todo/api  k8s/api.yaml:1
        FAIL  low      deny  disallow-privileged-containers/privileged
              container app is privileged
        SKIP  high     deny  disallow-privileged-containers/s
              container app is privileged
      2 resources, 5 checks: 1 passed, 3 failed, 1 skipped, 0 errors"
    `);
  });

  it("--verbose adds the passing rules; --quiet keeps only what fails the run", () => {
    expect(toTable(input(rows, { verbose: true }))).toContain(
      "PASS  high     deny  disallow-privileged-containers/ok",
    );
    const quiet = toTable(input(rows, { quiet: true }));
    expect(quiet).not.toMatch(/SKIP|PASS|second/);
    expect(quiet.split("\n").filter((line) => line.includes("FAIL"))).toHaveLength(2);
    expect(quiet).toMatch(/2 resources, 5 checks/);
    // `--fail-on warn` makes the warn failure count.
    expect(toTable(input(rows, { quiet: true, failOn: new Set(["deny", "warn"]) }))).toContain(
      "second",
    );
  });

  it("colours failures by severity", () => {
    const painted = toTable(
      input(rows, { paint: (style, text) => `<${style}>${text}</${style}>` }),
    );
    expect(painted).toContain("<red>FAIL </red> <red>high    </red>");
    expect(painted).toContain("<yellow>FAIL </yellow>");
    expect(painted).toContain("<cyan>FAIL </cyan>");
    expect(painted).toContain("<gray>SKIP </gray>");
    expect(painted).toContain("<bold>Pod team-a/app</bold>");
  });

  it("shows the exception that skipped a row", () => {
    const excused = row({
      result: "skip",
      exception: {
        name: "legacy-app",
        reason: "migrating",
        owner: "team-a",
        expires: "2026-12-31",
      },
    });
    expect(toTable(input([excused]))).toContain(
      "exception legacy-app (owner team-a, expires 2026-12-31): migrating",
    );
  });

  it("folds the skips that only say a flag was not given into one line per flag", () => {
    const unscanned = (name: string, policy: string) =>
      row({
        resource: { ...api, name },
        policy,
        rule: "scan",
        result: "skip",
        message: NO_SCANS,
      });
    const folded = [
      ...rows,
      unscanned("api", "block-vulnerable-images"),
      unscanned("web", "block-vulnerable-images"),
      unscanned("web", "require-recent-vulnerability-scan"),
    ];
    const table = toTable(input(folded));
    expect(table).not.toContain(NO_SCANS);
    expect(table).not.toContain("todo/web");
    expect(table).toContain(
      "3 checks of block-vulnerable-images, require-recent-vulnerability-scan not judged without --vuln-reports (--verbose lists them)",
    );
    expect(table).toMatch(/3 resources, 8 checks: 1 passed, 3 failed, 4 skipped/);
    const verbose = toTable(input(folded, { verbose: true }));
    expect(verbose.split("\n").filter((line) => line.includes(NO_SCANS))).toHaveLength(3);
    expect(verbose).not.toContain("not judged without");
  });
});
