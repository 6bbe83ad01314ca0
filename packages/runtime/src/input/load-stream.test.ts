import { appendFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LoadEvent, loadResources, streamResources } from "./load.js";
import { MAX_NESTING_DEPTH } from "./yaml-documents.js";

let root: string;

async function write(name: string, contents: string | Uint8Array): Promise<string> {
  const path = join(root, name);
  await mkdir(join(path, ".."), { recursive: true });
  await writeFile(path, contents);
  return path;
}

async function events(...args: Parameters<typeof streamResources>): Promise<LoadEvent[]> {
  const out: LoadEvent[] = [];
  for await (const event of streamResources(...args)) out.push(event);
  return out;
}

/** One line per event: what it is, where, and its name or message. */
function summary(list: readonly LoadEvent[]): string[] {
  return list.map((event) => {
    if (event.kind === "resource") {
      const { object, source } = event.resource;
      const name = (object as { metadata: { name: string } }).metadata.name;
      const helm = event.helmSource ? ` (${event.helmSource})` : "";
      return `resource ${source?.file.slice(root.length + 1)}:${source?.line} ${name}${helm}`;
    }
    if (event.kind === "skipped") {
      const { source, reason } = event.skipped;
      return `skipped ${source.file.slice(root.length + 1)}:${source.line} ${reason}`;
    }
    const { file, line, column, message } = event.problem;
    return `problem ${file.slice(root.length + 1)}:${line}:${column} ${message}`;
  });
}

const pod = (name: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n`;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "charter-stream-"));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("streamResources: inputs", () => {
  it("reads Helm output with each document's line and the template it came from", async () => {
    const file = await write(
      "helm.yaml",
      [
        "---",
        "# Source: web/templates/service.yaml",
        "apiVersion: v1",
        "kind: Service",
        "metadata:",
        "  name: web",
        "---",
        "# Source: web/templates/deployment.yaml",
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata:",
        "  name: web",
        "---",
        "# Source: web/templates/empty.yaml",
        "---",
        "# Source: web/templates/notes.yaml",
        "notes: not an object",
        "",
      ].join("\n"),
    );
    expect(summary(await events([file]))).toEqual([
      "resource helm.yaml:3 web (web/templates/service.yaml)",
      "resource helm.yaml:9 web (web/templates/deployment.yaml)",
      "skipped helm.yaml:13 empty document",
      "skipped helm.yaml:17 not a Kubernetes object: it has neither apiVersion nor kind",
    ]);
    const skipped = (await events([file])).filter((e) => e.kind === "skipped");
    expect(skipped.map((e) => e.kind === "skipped" && e.skipped.helmSource)).toEqual([
      "web/templates/empty.yaml",
      "web/templates/notes.yaml",
    ]);
  });

  it("reads Kustomize output (plain multi-document YAML) and List items on their own lines", async () => {
    const kustomized = await write("kustomize.yaml", `${pod("a")}---\n${pod("b")}`);
    const list = await write(
      "list.json",
      JSON.stringify(
        {
          apiVersion: "v1",
          kind: "List",
          items: [
            { apiVersion: "v1", kind: "Pod", metadata: { name: "c" } },
            { apiVersion: "v1", kind: "Pod", metadata: { name: "d" } },
          ],
        },
        null,
        2,
      ),
    );
    expect(summary(await events([kustomized, list]))).toEqual([
      "resource kustomize.yaml:1 a",
      "resource kustomize.yaml:6 b",
      "resource list.json:5 c",
      "resource list.json:12 d",
    ]);
  });

  it("walks folders with include and exclude globs relative to each folder", async () => {
    await write("globs/app/deploy.yaml", pod("deploy"));
    await write("globs/app/values.yaml", "replicas: 1\n");
    await write("globs/app/tests/fixture.yaml", pod("fixture"));
    await write("globs/app/manifest.yml", pod("yml"));
    await write("globs/app/README.md", "# readme\n");
    await write("globs/other/x.YAML", pod("upper"));
    const folder = join(root, "globs");
    expect(summary(await events([folder]))).toEqual([
      "resource globs/app/deploy.yaml:1 deploy",
      "resource globs/app/manifest.yml:1 yml",
      "resource globs/app/tests/fixture.yaml:1 fixture",
      "skipped globs/app/values.yaml:1 not a Kubernetes object: it has neither apiVersion nor kind",
      "resource globs/other/x.YAML:1 upper",
    ]);
    expect(
      summary(
        await events([folder], {
          include: ["app/**/*.yaml"],
          exclude: ["**/tests", "**/values.*"],
        }),
      ),
    ).toEqual(["resource globs/app/deploy.yaml:1 deploy"]);
    // Relative to each folder argument: `*.yaml` is the folder's own files only.
    expect(
      summary(await events([join(folder, "app"), join(folder, "other")], { include: ["*.yaml"] })),
    ).toEqual([
      "resource globs/app/deploy.yaml:1 deploy",
      "skipped globs/app/values.yaml:1 not a Kubernetes object: it has neither apiVersion nor kind",
    ]);
  });

  it("streams stdin split into arbitrary chunks", async () => {
    const text = `${pod("one")}---\n${pod("two")}---\n${pod("three")}`;
    const stdin = Readable.from(text.match(/[\s\S]{1,3}/g) ?? []);
    const list = await events(["-"], { stdin });
    expect(list.map((e) => e.kind === "resource" && e.resource.source)).toEqual([
      { file: "<stdin>", line: 1 },
      { file: "<stdin>", line: 6 },
      { file: "<stdin>", line: 11 },
    ]);
  });

  it("stops reading when the consumer stops", async () => {
    const file = await write(
      "many.yaml",
      Array.from({ length: 50 }, (_, i) => pod(`p${i}`)).join("---\n"),
    );
    let seen = 0;
    for await (const event of streamResources([file])) {
      if (event.kind === "resource") seen++;
      if (seen === 3) break;
    }
    expect(seen).toBe(3);
  });
});

describe("streamResources: bad input at scale", () => {
  it("reports 10,000 levels of nesting as one problem per document and reads on", async () => {
    const n = 10_000;
    const file = await write(
      "nesting.yaml",
      [
        `deep: ${"[".repeat(n)}${"]".repeat(n)}`,
        `deep: ${"{a: ".repeat(n)}1${"}".repeat(n)}`,
        `${"- ".repeat(n)}x`,
        pod("after").trimEnd(),
      ].join("\n---\n"),
    );
    const tooDeep = `YAML is nested more than ${MAX_NESTING_DEPTH} levels deep; the document was not read`;
    expect(summary(await events([file]))).toEqual([
      `problem nesting.yaml:1:${7 + MAX_NESTING_DEPTH - 1} ${tooDeep}`,
      `problem nesting.yaml:3:${7 + 4 * (MAX_NESTING_DEPTH - 1)} ${tooDeep}`,
      `problem nesting.yaml:5:${1 + 2 * MAX_NESTING_DEPTH} ${tooDeep}`,
      "resource nesting.yaml:7 after",
    ]);
  });

  it("reads nesting right at the limit", async () => {
    const depth = MAX_NESTING_DEPTH - 1; // the object itself is one level
    const flow = `${pod("flow")}spec: ${"[".repeat(depth)}${"]".repeat(depth)}\n`;
    const block = `${pod("block")}spec:\n${Array.from({ length: depth - 1 }, (_, i) => `${" ".repeat(i + 1)}a:`).join("\n")} 1\n`;
    const file = await write("at-limit.yaml", `${flow}---\n${block}`);
    const { resources, problems } = await loadResources([file]);
    expect(problems).toEqual([]);
    expect(resources).toHaveLength(2);
  });

  it("reports invalid UTF-8 in one document and reads the documents around it", async () => {
    const bytes = Buffer.concat([
      Buffer.from(`${pod("before")}---\n${pod("bad")}  labels: { x: "`),
      Buffer.from([0xff]),
      Buffer.from(`" }\n---\n${pod("after")}`),
    ]);
    const file = await write("mixed-utf8.yaml", bytes);
    expect(summary(await events([file]))).toEqual([
      "resource mixed-utf8.yaml:1 before",
      `problem mixed-utf8.yaml:10:17 is not valid UTF-8 (first bad byte at byte ${bytes.indexOf(0xff)}); save it as UTF-8 text`,
      "resource mixed-utf8.yaml:12 after",
    ]);
  });

  it("reports a binary file in a scanned folder once and scans the rest", async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
    await write("binary/a.yaml", pod("a"));
    await write("binary/b-image.yaml", Buffer.concat([png, Buffer.alloc(200_000, 0x41)]));
    await write("binary/logo.png", png); // not a manifest name: never read
    await write("binary/c.yaml", pod("c"));
    expect(summary(await events([join(root, "binary")]))).toEqual([
      "resource binary/a.yaml:1 a",
      "problem binary/b-image.yaml:3:1 contains a NUL byte at byte 8: binary data, not YAML or JSON text",
      "resource binary/c.yaml:1 c",
    ]);
  });

  it("reports a document over the size limit across many read chunks and reads on", async () => {
    const big = `${pod("big")}data:\n${Array.from({ length: 5_000 }, (_, i) => `  k${i}: "${"v".repeat(60)}"`).join("\n")}\n`;
    const file = await write("chunks.yaml", `${pod("a")}---\n${big}---\n${pod("b")}`);
    const size = Buffer.byteLength(`---\n${big}`);
    expect(summary(await events([file], { maxDocumentSize: 100_000 }))).toEqual([
      "resource chunks.yaml:1 a",
      `problem chunks.yaml:6:1 document is ${size} bytes, over the 100000-byte limit; split it or raise --max-document-size`,
      `resource chunks.yaml:${5 + 1 + 4 + 1 + 5_000 + 1} b`,
    ]);
  });
});

describe("streamResources: memory", () => {
  it("streams 100,000 documents from one file without holding them", {
    timeout: 120_000,
  }, async () => {
    const file = join(root, "hundred-thousand.yaml");
    const count = 100_000;
    const batch = 10_000;
    for (let start = 0; start < count; start += batch) {
      let text = "";
      for (let i = start; i < start + batch; i++) {
        text += `---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\n  namespace: ns-${i % 7}\ndata:\n  key: "value ${i}"\n`;
      }
      await appendFile(file, text);
    }
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    let resources = 0;
    let lastLine = 0;
    for await (const event of streamResources([file])) {
      if (event.kind !== "resource") throw new Error(`unexpected ${JSON.stringify(event)}`);
      resources++;
      lastLine = event.resource.source?.line ?? 0;
      if (resources % 1_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
    const growth = (peak - before) / 2 ** 20;
    console.log(
      `streamed ${resources} documents; heap grew at most ${growth.toFixed(1)} MiB (from ${(before / 2 ** 20).toFixed(1)} MiB)`,
    );
    expect(resources).toBe(count);
    expect(lastLine).toBe((count - 1) * 8 + 2);
    expect(growth).toBeLessThan(200);
  });
});
