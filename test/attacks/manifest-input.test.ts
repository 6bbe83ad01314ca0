/**
 * Attacks on what `charter check` reads (issue 11, requirement 1 and two items of 6), kept as
 * a standing suite. Each one failed open or hung before the fix: a privileged Pod kubectl
 * would read was skipped (exit 0), half an object was skipped, a 20,000-key mapping took 21 s,
 * a FIFO in a scanned folder blocked the scan forever.
 */
import { execFileSync } from "node:child_process";
import { createWriteStream, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadResources } from "@charter/runtime";
import { describe, expect, it } from "vitest";
import { readDocuments } from "../../packages/runtime/src/input/yaml-documents.js";
import { runCli } from "../support/run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "charter-attack-input-"));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const privilegedPod = (name: string, indent = "") =>
  [
    "apiVersion: v1",
    "kind: Pod",
    `metadata: {name: ${name}, namespace: attack}`,
    "spec:",
    "  containers:",
    "  - {name: c, image: registry.example.com/app:1, securityContext: {privileged: yes}}",
  ]
    .map((line) => indent + line)
    .join("\n");

/** The privileged-container rows of a JSON report, by resource name. */
function privilegedFailures(stdout: string): string[] {
  const report = JSON.parse(stdout) as {
    results: { policy: string; result: string; resource: { name: string } }[];
  };
  return report.results
    .filter((row) => row.policy === "disallow-privileged-containers" && row.result === "fail")
    .map((row) => row.resource.name);
}

const check = (...paths: string[]) =>
  runCli(["check", "--format", "json", "--select", "pss:baseline:privileged", ...paths]);

describe("attack: check reads what kubectl reads", () => {
  it("a byte-order mark after `---` does not hide a privileged Pod", async () => {
    const path = file("bom.yaml", `---\n\uFEFF${privilegedPod("bom")}\n`);
    const run = await check(path);
    expect(privilegedFailures(run.stdout)).toEqual(["bom"]);
    expect(run.code).toBe(1);
  });

  it("a byte-order mark after comments and after `...` and `---` is dropped too", async () => {
    const stream = `# leading\n\uFEFF${privilegedPod("first")}\n...\n---\n\uFEFF${privilegedPod("second")}\n`;
    const run = await check(file("bom-later.yaml", stream));
    expect(privilegedFailures(run.stdout)).toEqual(["first", "second"]);
    expect(run.code).toBe(1);
  });

  it("a List nested in a List is flattened, in kubectl's order", async () => {
    const pod = (name: string) =>
      `{apiVersion: v1, kind: Pod, metadata: {name: ${name}}, spec: {containers: [{name: c, image: x, securityContext: {privileged: on}}]}}`;
    const stream = [
      "apiVersion: v1",
      "kind: List",
      "items:",
      "- apiVersion: v1",
      "  kind: List",
      "  items:",
      "  - apiVersion: v1",
      "    kind: List",
      `    items: [${pod("deepest")}]`,
      `- ${pod("top")}`,
      "",
    ].join("\n");
    const run = await check(file("nested-list.yaml", stream));
    expect(run.stderr).not.toMatch(/skipped/);
    expect(privilegedFailures(run.stdout)).toEqual(["top", "deepest"]);
    expect(run.code).toBe(1);
  });

  it("the items of a PodList without apiVersion and kind are Pods, as kubectl reads them", async () => {
    const stream = [
      "apiVersion: v1",
      "kind: PodList",
      "items:",
      "- metadata: {name: untyped, namespace: attack}",
      "  spec: {containers: [{name: c, image: x, securityContext: {privileged: true}}]}",
      "",
    ].join("\n");
    const run = await check(file("podlist.yaml", stream));
    expect(privilegedFailures(run.stdout)).toEqual(["untyped"]);
    expect(run.code).toBe(1);
  });

  it("a kind: Pod without a name is judged, not skipped", async () => {
    const stream = privilegedPod("x").replace(/metadata: .*/, "metadata: {namespace: attack}");
    const run = await check(file("nameless.yaml", stream));
    expect(privilegedFailures(run.stdout)).toEqual([""]);
    expect(run.code).toBe(1);
  });

  it("half an object (a kind without an apiVersion, items that are not a list) is an error", async () => {
    const stream = [
      privilegedPod("kept"),
      "---",
      privilegedPod("half").replace("apiVersion: v1\n", ""),
      "---",
      "apiVersion: v1\nkind: List\nitems: {not: a list}",
      "---",
      "apiVersion: v1\nkind: Pod\nmetadata: {name: typed, labels: {privileged: 1}}",
      "",
    ].join("\n");
    const path = file("half.yaml", stream);
    const run = await check(path);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `half.yaml:8:1: error: cannot be read as a Kubernetes object: apiVersion is missing`,
    );
    expect(run.stderr).toContain(
      `half.yaml:14:1: error: cannot be read as a Kubernetes object: a List`,
    );
    expect(run.stderr).toContain(
      `half.yaml:18:1: error: cannot be read as a Kubernetes object: metadata.labels`,
    );
    expect(run.stderr).not.toMatch(/skipped/);
    expect(privilegedFailures(run.stdout)).toEqual(["kept"]);
  });

  it("a document with neither apiVersion nor kind (Chart.yaml, values) is still a skip", async () => {
    const chart = file("Chart.yaml", "name: app\nversion: 1.0.0\n");
    const pod = file("pod.yaml", privilegedPod("beside-chart"));
    const run = await check(chart, pod);
    expect(run.stderr).toMatch(
      /Chart\.yaml.*skipped: not a Kubernetes object: it has neither apiVersion nor kind/,
    );
    expect(run.code).toBe(1);
  });
});

describe("attack: scalars and merges read as Kubernetes reads them (go-yaml v2)", () => {
  it("runAsUser: 0o0 and 0b0 are root, as the API server reads them; 1e309 is a string", async () => {
    const path = file(
      "octal.yaml",
      "apiVersion: v1\nkind: Pod\nmetadata: {name: root}\nspec:\n  securityContext: {runAsUser: 0o0, runAsGroup: 0b0, fsGroup: 1_000}\n  x: 1e309\n",
    );
    const { resources, problems } = await loadResources([path]);
    expect(problems).toEqual([]);
    const object = resources[0]?.object as { spec: Record<string, unknown> } | undefined;
    expect(object?.spec.securityContext).toEqual({ runAsUser: 0, runAsGroup: 0, fsGroup: 1000 });
    expect(object?.spec.x).toBe("1e309");
  });

  it("a merge key after the key it overrides is an error (kubectl takes the merge, YAML the key)", async () => {
    const path = file(
      "merge.yaml",
      "x: &x {privileged: true}\napiVersion: v1\nkind: Pod\nmetadata: {name: merged}\nspec:\n  containers:\n  - name: c\n    securityContext:\n      privileged: false\n      <<: *x\n",
    );
    const { resources, problems } = await loadResources([path]);
    expect(resources).toEqual([]);
    expect(problems.map((p) => [p.line, p.message])).toEqual([
      [10, expect.stringContaining('the merge key << comes after "privileged"')],
    ]);
  });

  it(".inf, .nan and a null key are errors (kubectl cannot turn them into JSON)", async () => {
    const path = file(
      "inf.yaml",
      [
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {x: .inf}",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: b}\nspec: {~: 1}",
      ].join("\n---\n"),
    );
    const { resources, problems } = await loadResources([path]);
    expect(resources).toEqual([]);
    expect(problems.map((p) => p.message)).toEqual([
      "a value is .inf or .nan, which JSON (and so Kubernetes) cannot carry",
      "a mapping key is null, which Kubernetes cannot turn into JSON",
    ]);
  });
});

describe("attack: check does not hang or crawl", () => {
  it("a mapping of 40,000 keys reads in time linear in its size (the check was quadratic)", () => {
    const mapping = (keys: number) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: wide}\ndata:\n${Array.from(
        { length: keys },
        (_, i) => `  k${i}: v\n`,
      ).join("")}`;
    const time = (keys: number) => {
      const text = mapping(keys);
      let best = Number.POSITIVE_INFINITY;
      for (let run = 0; run < 3; run++) {
        const start = performance.now();
        expect(readDocuments(text)[0]?.kind).toBe("value");
        best = Math.min(best, performance.now() - start);
      }
      return best;
    };
    time(2_500); // warm the JIT
    const small = time(5_000);
    const large = time(40_000);
    // 8× the keys: linear is about 8×, quadratic 64× (this took 21 s for 20,000 keys).
    console.log(`5,000 keys: ${small.toFixed(0)} ms; 40,000 keys: ${large.toFixed(0)} ms`);
    expect(large / small).toBeLessThan(24);
  }, 300_000);

  it("a FIFO named *.yaml in a scanned folder is reported, not opened; named explicitly it is read", async () => {
    const folder = join(dir, "with-fifo");
    mkdirSync(folder);
    writeFileSync(join(folder, "pod.yaml"), privilegedPod("regular"));
    const fifo = join(folder, "pipe.yaml");
    execFileSync("mkfifo", [fifo]);
    const run = await check(folder);
    expect(run.stderr).toMatch(
      /pipe\.yaml.*skipped: not read: a FIFO, and a folder scan reads regular files only/,
    );
    expect(privilegedFailures(run.stdout)).toEqual(["regular"]);
    expect(run.code).toBe(1);

    // `charter check <(helm template …)`: an explicit pipe is read.
    const writer = createWriteStream(fifo);
    writer.end(privilegedPod("piped"));
    const piped = await check(fifo);
    expect(privilegedFailures(piped.stdout)).toEqual(["piped"]);
  }, 60_000);
});
