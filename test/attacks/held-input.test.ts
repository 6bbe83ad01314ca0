/**
 * Attacks on `charter check`'s input that held when the attack test ran (issue 11), kept as a
 * standing suite: each hostile document sits between two privileged Pods in one stream. The
 * hostile one must be an error with its file and line (exit 2, which wins over the Pods' exit 1),
 * the scan must go on, and both Pods must still fail — nothing fails open, nothing hangs.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";

const privilegedPod = (name: string) =>
  [
    "apiVersion: v1",
    "kind: Pod",
    `metadata: {name: ${name}, namespace: attack}`,
    "spec:",
    "  containers:",
    "  - {name: c, image: registry.example.com/app:1, securityContext: {privileged: true}}",
  ].join("\n");

const configMap = (data: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: hostile, namespace: attack}\ndata:\n${data}`;

function billionLaughs(): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let level = 1; level < 9; level++) {
    const previous = String.fromCharCode(96 + level);
    const next = String.fromCharCode(97 + level);
    lines.push(`${next}: &${next} [${Array(9).fill(`*${previous}`).join(",")}]`);
  }
  return configMap(lines.map((line) => `  ${line}`).join("\n"));
}

const deepNesting = () => configMap(`  deep: ${"[".repeat(10_000)}${"]".repeat(10_000)}`);

const duplicateKey = () =>
  "apiVersion: v1\nkind: Pod\nmetadata: {name: twice, namespace: attack}\nspec: {containers: []}\nspec:\n  containers:\n  - {name: c, image: x, securityContext: {privileged: true}}";

interface Attack {
  readonly name: string;
  readonly document: () => string | Buffer;
  readonly error: RegExp;
}

const attacks: readonly Attack[] = [
  {
    name: "a billion-laughs alias bomb",
    document: billionLaughs,
    error: /aliases expand too much/,
  },
  { name: "10,000 levels of nesting", document: deepNesting, error: /nested more than 512 levels/ },
  {
    name: "invalid UTF-8",
    document: () =>
      Buffer.concat([
        Buffer.from(configMap("  bad: '")),
        Buffer.from([0xc3, 0x28]),
        Buffer.from("'"),
      ]),
    error: /is not valid UTF-8/,
  },
  // A duplicate key is read by one YAML library as the first value and by another as the last:
  // a reader that picked the harmless one would pass what the API server sees as privileged.
  { name: "a duplicate key", document: duplicateKey, error: /duplicate key "spec"/ },
];

describe("attacks on check's input that held", () => {
  it.each(attacks)("$name: an error with file and line, the scan goes on", async (attack) => {
    const folder = mkdtempSync(join(tmpdir(), "charter-attack-input-"));
    const file = join(folder, "stream.yaml");
    const hostile = attack.document();
    writeFileSync(
      file,
      Buffer.concat([
        Buffer.from(`${privilegedPod("before")}\n---\n`),
        Buffer.isBuffer(hostile) ? hostile : Buffer.from(hostile),
        Buffer.from(`\n---\n${privilegedPod("after")}\n`),
      ]),
    );
    const run = await runCli(["check", file, "--format", "json"]);
    expect(run.code).toBe(2);
    // The error points into the hostile document (lines 8 to its last), not at a neighbour.
    const error = /stream\.yaml:(\d+)(?::\d+)?: error: (.*)/.exec(run.stderr);
    expect(error?.[2]).toMatch(attack.error);
    const lastLine = 8 + hostile.toString().split("\n").length - 1;
    expect(Number(error?.[1])).toBeGreaterThanOrEqual(8);
    expect(Number(error?.[1])).toBeLessThanOrEqual(lastLine);
    const report = JSON.parse(run.stdout) as {
      summary: { error: number };
      results: { policy: string; result: string; resource: { name: string } }[];
    };
    const privileged = report.results.filter(
      (row) => row.policy === "disallow-privileged-containers" && row.result === "fail",
    );
    expect(privileged.map((row) => row.resource.name).sort()).toEqual(["after", "before"]);
    expect(report.results.some((row) => row.resource.name === "hostile")).toBe(false);
  });
});

// Objects Kubernetes cannot read are errors, never a silent pass (tried in the review of issue
// 11/12). Known gaps, in the closing note: `apps/v1/x` and an unknown kind in a built-in group
// (`kind: pod`) still pass silently — Kubernetes refuses both, so nothing reaches a cluster.
describe("objects Kubernetes cannot read", () => {
  it.each([
    ['apiVersion: "v1 "\nkind: Pod\nmetadata: {name: p}', /no such API version/],
    ["apiVersion: [v1]\nkind: Pod\nmetadata: {name: p}", /apiVersion is a sequence/],
    ["apiVersion: v1\nkind: Pod\nmetadata: {name: [x]}", /metadata\.name is a sequence/],
    ["apiVersion: extensions/v1beta1\nkind: DaemonSet\nmetadata: {name: d}", /stopped serving/],
  ])("%s is an error (exit 2)", async (document, error) => {
    const folder = mkdtempSync(join(tmpdir(), "charter-attack-input-"));
    const file = join(folder, "object.yaml");
    writeFileSync(file, `${document}\n`);
    const run = await runCli(["check", file, "--format", "json"]);
    expect(run.code).toBe(2);
    expect(`${run.stderr}${run.stdout}`).toMatch(error);
  });
});
