/**
 * A scan whose policies read beyond the resource reads its input twice: a first pass indexes
 * the kinds they read (documents that cannot hold one are not parsed), then every document is
 * judged whole as it is read, its cross-resource rows kept on disk until the end. The rows
 * must be exactly those of a one-pass scan that kept every workload until the end — with
 * Namespaces written after their workloads, twice, inside Lists, behind YAML escapes and
 * aliases, in documents the first pass skips, and in documents that do not parse.
 */
import { spawnSync } from "node:child_process";
import { createWriteStream, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Finding,
  firstPassFilter,
  inventoryKindsOf,
  scanResources,
  streamResources,
} from "@charter/runtime/scan";
import { describe, expect, it } from "vitest";
import wholeLibrary from "../policies/index.js";
import { runCli } from "./support/run-cli.js";

const policies = wholeLibrary.filter((policy) => policy.images === undefined);

const namespace = (name: string, untrusted: string) =>
  `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n  labels:\n    charter.dev/untrusted: ${untrusted}\n`;
const pod = (name: string, ns: string, runtimeClass = "") =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nspec:\n  ${runtimeClass ? `runtimeClassName: ${runtimeClass}\n  ` : ""}containers:\n  - name: c\n    image: registry.example.com/app:1\n`;

const STREAM = [
  pod("before-its-namespace", "late"),
  pod("sandboxed", "late", "gvisor"),
  pod("no-namespace-object", "nowhere"),
  namespace("late", '"true"'),
  // An escape spells the kind: the first pass must parse it.
  `apiVersion: v1\nkind: "Name\\x73pace"\nmetadata:\n  name: escaped\n  labels:\n    charter.dev/untrusted: "true"\n`,
  pod("in-escaped", "escaped"),
  // The kind through an alias, and a List whose items take their kind from it.
  `apiVersion: v1\nkind: &k Namespace\nmetadata:\n  name: aliased\n  labels: {charter.dev/untrusted: "true", k: *k}\n`,
  `apiVersion: v1\nkind: NamespaceList\nitems:\n- metadata:\n    name: listed\n    labels:\n      charter.dev/untrusted: "true"\n`,
  pod("in-aliased", "aliased"),
  pod("in-listed", "listed"),
  // A later twin replaces the earlier Namespace, for rows judged before and after it.
  pod("before-twin", "twin"),
  namespace("twin", '"true"'),
  namespace("twin", '"false"'),
  pod("after-twin", "twin"),
  "apiVersion: v1\nkind: Namespace\nmetadata: [broken",
  `apiVersion: extensions/v1beta1\nkind: Namespace\nmetadata:\n  name: unserved\n  labels:\n    charter.dev/untrusted: "true"\n`,
  pod("in-unserved", "unserved"),
].join("---\n");

async function scan(file: string, twoPass: boolean): Promise<Finding[]> {
  const rows: Finding[] = [];
  const kinds = inventoryKindsOf(policies);
  await scanResources(
    streamResources([file]),
    {
      policies,
      exceptions: [],
      engine: "ir",
      now: Date.parse("2026-12-01T00:00:00Z"),
      createEngine: () => {
        throw new Error("the IR engine streams");
      },
      ...(twoPass
        ? { firstPass: () => streamResources([file], { documentFilter: firstPassFilter(kinds) }) }
        : {}),
    },
    {
      problem: () => {},
      skipped: () => {},
      read: () => {},
      finding: (finding) => rows.push(finding),
      unserved: () => {},
    },
  );
  return rows;
}

describe("a scan's first pass over its input", () => {
  it("gives exactly the rows of a one-pass scan, in the same order", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "charter-first-pass-")), "stream.yaml");
    writeFileSync(file, STREAM);
    const [onePass, twoPass] = [await scan(file, false), await scan(file, true)];
    expect(twoPass).toEqual(onePass);
    const sandbox = (name: string) =>
      onePass.find((f) => f.policy === "restrict-runtime-class" && f.resource.name === name)
        ?.result;
    // The fixture means what it says: each Namespace was found, however it was written.
    expect(sandbox("before-its-namespace")).toBe("fail");
    expect(sandbox("sandboxed")).toBe("pass");
    expect(sandbox("no-namespace-object")).toBe("skip");
    expect(sandbox("in-escaped")).toBe("fail");
    expect(sandbox("in-aliased")).toBe("fail");
    expect(sandbox("in-listed")).toBe("fail");
    expect(sandbox("before-twin")).toBe("pass");
    expect(sandbox("after-twin")).toBe("pass");
    expect(sandbox("in-unserved")).toBe("skip");
  });

  it("leaves unparsed the documents that cannot hold a kind the policies read", () => {
    const filter = firstPassFilter(inventoryKindsOf(policies));
    expect(filter(Buffer.from(pod("p", "ns")))).toBe(false);
    expect(filter(Buffer.from(namespace("n", "x")))).toBe(true);
    expect(filter(Buffer.from('kind: "Name\\x73pace"'))).toBe(true);
  });
});

describe("charter check on input it can read only once", () => {
  const rowsOf = (stdout: string) =>
    (JSON.parse(stdout) as { results: { source?: { file: string } }[] }).results.map((row) =>
      JSON.stringify({ ...row, source: { ...row.source, file: "input" } }),
    );

  it("spools stdin and gives the rows it gives for the same file", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "charter-first-pass-")), "stream.yaml");
    writeFileSync(file, STREAM);
    const fromFile = await runCli(["check", file, "--format", "json"]);
    const fromStdin = await runCli(["check", "-", "--format", "json"], { stdin: STREAM });
    expect(fromStdin.code).toBe(fromFile.code);
    expect(rowsOf(fromStdin.stdout)).toEqual(rowsOf(fromFile.stdout));
    expect(rowsOf(fromFile.stdout).some((row) => row.includes('"restrict-runtime-class"'))).toBe(
      true,
    );
  });

  it("reads a named pipe once, and gives the same rows", async () => {
    const folder = mkdtempSync(join(tmpdir(), "charter-first-pass-"));
    const file = join(folder, "stream.yaml");
    writeFileSync(file, STREAM);
    const fifo = join(folder, "pipe");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    const writer = createWriteStream(fifo);
    writer.end(STREAM);
    const fromPipe = await runCli(["check", fifo, "--format", "json"]);
    const fromFile = await runCli(["check", file, "--format", "json"]);
    expect(fromPipe.stderr).not.toMatch(/no Kubernetes object/);
    expect(rowsOf(fromPipe.stdout)).toEqual(rowsOf(fromFile.stdout));
  });
});
