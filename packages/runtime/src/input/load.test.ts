import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Resource } from "../types.js";
import { loadResources } from "./load.js";

let root: string;

async function write(name: string, contents: string | Uint8Array): Promise<string> {
  const path = join(root, name);
  await mkdir(join(path, ".."), { recursive: true });
  await writeFile(path, contents);
  return path;
}

/** Reads a loaded object loosely: tests know its shape. */
// biome-ignore lint/suspicious/noExplicitAny: test data of a known shape
type Loose = any;
const loose = (r: Resource | undefined): Loose => r?.object ?? {};
const nameOf = (r: Resource | undefined): string => loose(r).metadata?.name;

const pod = (name: string, extra = "") =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n${extra}`;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "charter-load-"));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("loadResources: documents", () => {
  it("reads multi-document YAML with the line each document starts on", async () => {
    const file = await write(
      "multi.yaml",
      `# leading comment\n${pod("a")}---\n${pod("b")}---\n\n# comment\n${pod("c")}`,
    );
    const { resources, problems, skipped } = await loadResources([file]);
    expect(problems).toEqual([]);
    expect(skipped).toEqual([]);
    expect(resources.map((r) => [nameOf(r), r.source])).toEqual([
      ["a", { file, line: 2 }],
      ["b", { file, line: 7 }],
      ["c", { file, line: 14 }],
    ]);
  });

  it("reads an EncryptionConfiguration file, which has no metadata", async () => {
    const file = await write(
      "encryption.yaml",
      "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n- resources: [secrets]\n  providers: [{identity: {}}]\n",
    );
    const { resources, skipped } = await loadResources([file]);
    expect(skipped).toEqual([]);
    expect(resources.map((r) => (r.object as { kind: string }).kind)).toEqual([
      "EncryptionConfiguration",
    ]);
  });

  it("reads JSON (JSON is YAML) and strips a byte-order mark", async () => {
    const object = { apiVersion: "v1", kind: "Service", metadata: { name: "s", namespace: "n" } };
    const file = await write("svc.json", `\uFEFF${JSON.stringify(object, null, 2)}`);
    const { resources, problems } = await loadResources([file]);
    expect(problems).toEqual([]);
    expect(resources).toEqual([{ object, source: { file, line: 1 } }]);
  });

  it("reads YAML the way Kubernetes does (YAML 1.1 booleans and octal, timestamps as strings)", async () => {
    const file = await write(
      "k8s-flavour.yaml",
      pod(
        "flavour",
        [
          "  creationTimestamp: 2024-01-02T03:04:05Z",
          "spec:",
          "  containers:",
          "  - name: c",
          "    securityContext: { privileged: yes, readOnlyRootFilesystem: off }",
          "    ports: [ { containerPort: 0x50 } ]",
          "  volumes:",
          "  - secret: { defaultMode: 0644 }",
          "    name: '1:20'",
          "  hostname: 1:20",
          "  subdomain: 2024-01-02",
          "",
        ].join("\n"),
      ),
    );
    const { resources, problems } = await loadResources([file]);
    expect(problems).toEqual([]);
    const object = loose(resources[0]);
    expect(object.metadata.creationTimestamp).toBe("2024-01-02T03:04:05Z");
    expect(object.spec.containers[0].securityContext).toEqual({
      privileged: true,
      readOnlyRootFilesystem: false,
    });
    expect(object.spec.containers[0].ports[0].containerPort).toBe(80);
    expect(object.spec.volumes[0].secret.defaultMode).toBe(0o644);
    expect(object.spec.hostname).toBe("1:20");
    expect(object.spec.subdomain).toBe("2024-01-02");
  });

  it("expands List kinds to their items, each with its own line", async () => {
    const file = await write(
      "list.yaml",
      [
        "apiVersion: v1",
        "kind: List",
        "items:",
        "- apiVersion: v1",
        "  kind: Pod",
        "  metadata: { name: one }",
        "- apiVersion: v1",
        "  kind: Pod",
        "  metadata: { name: two }",
        "- just a string",
        "---",
        "apiVersion: v1",
        "kind: PodList",
        "metadata: {}",
        "items: [ { apiVersion: v1, kind: Pod, metadata: { name: three } } ]",
        "---",
        "apiVersion: example.com/v1",
        "kind: WatchList",
        "metadata: { name: not-a-list-wrapper }",
        "",
      ].join("\n"),
    );
    const { resources, skipped, problems } = await loadResources([file]);
    // An item of a List was meant for Kubernetes: one that is not an object is an error.
    expect(problems).toEqual([
      {
        file,
        line: 10,
        column: 1,
        message:
          "List item 2: cannot be read as a Kubernetes object: it is a string, not a mapping",
      },
    ]);
    expect(resources.map((r) => [nameOf(r), r.source?.line])).toEqual([
      ["one", 4],
      ["two", 7],
      ["three", 15],
      ["not-a-list-wrapper", 17],
    ]);
    expect(skipped).toEqual([]);
  });

  it("skips what has neither apiVersion nor kind, and empty files and documents, with the reason", async () => {
    const file = await write(
      "odd.yaml",
      [
        "just: data",
        "---",
        "apiVersion: v1",
        "kind: ConfigMap",
        "metadata: { labels: {} }",
        "---",
        "kind: Pod",
        "metadata: { name: x }",
        "---",
        "apiVersion: v1",
        "metadata: { name: x }",
        "---",
        "# only a comment",
        "---",
        "- a list",
        "---",
        "apiVersion: batch/v1",
        "kind: Job",
        "metadata: { generateName: job- }",
        "---",
        "",
      ].join("\n"),
    );
    const empty = await write("empty.yaml", "");
    const blank = await write("blank.yaml", "\n\n# nothing here\n");
    const { resources, skipped, problems } = await loadResources([file, empty, blank]);
    // Half an object (a kind without an apiVersion, or the reverse) is an error, never a skip;
    // an object without a name is read, as kubectl reads it.
    expect(problems.map((p) => [p.line, p.message])).toEqual([
      [7, "cannot be read as a Kubernetes object: apiVersion is missing, not a non-empty string"],
      [10, "cannot be read as a Kubernetes object: kind is missing, not a non-empty string"],
    ]);
    expect(resources.map((r) => r.source?.line)).toEqual([3, 17]);
    expect(
      skipped.map((s) => [
        s.source.file === file ? "odd" : s.source.file === empty ? "empty" : "blank",
        s.source.line,
        s.reason,
      ]),
    ).toEqual([
      ["odd", 1, "not a Kubernetes object: it has neither apiVersion nor kind"],
      ["odd", 12, "empty document"],
      ["odd", 15, "not a Kubernetes object: the document is a sequence"],
      ["odd", 20, "empty document"],
      ["empty", 1, "empty file: no YAML document"],
      ["blank", 1, "empty file: no YAML document"],
    ]);
  });
});

describe("loadResources: bad input", () => {
  it("reports YAML that does not parse with its line, and reads the other documents", async () => {
    const file = await write(
      "broken.yaml",
      `${pod("ok1")}---\nkey: [unclosed\nother: 1\n---\n${pod("ok2")}`,
    );
    const { resources, problems } = await loadResources([file]);
    expect(resources.map((r) => r.source?.line)).toEqual([1, 9]);
    // yaml notices on line 7 where the `[` should have ended; the user must close it on line 6.
    expect(problems).toEqual([
      {
        file,
        line: 6,
        column: 6,
        message: "the [ opened on line 6 (column 6) is never closed: add ] at the end of its list",
        detail: "Flow sequence in block collection must be sufficiently indented and end with a ]",
      },
    ]);
  });

  it("reports duplicate keys, naming the key and where it first appears", async () => {
    const file = await write(
      "dup.yaml",
      `${pod("a")}metadata:\n  name: b\n---\n${pod("c", "  labels: { app: x, 'app': y }\n")}---\n${pod("after")}`,
    );
    const { resources, problems } = await loadResources([file]);
    expect(resources.map(nameOf)).toEqual(["after"]);
    expect(problems).toEqual([
      {
        file,
        line: 5,
        column: 1,
        message: 'duplicate key "metadata" (first on line 3); keep one of them',
      },
      {
        file,
        line: 12,
        column: 21,
        message: 'duplicate key "app" (first on line 12); keep one of them',
      },
    ]);
  });

  it("stops a billion-laughs alias bomb quickly, and reads the next document", {
    timeout: 5_000,
  }, async () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      lines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(",")}]`);
    }
    const file = await write(
      "bomb.yaml",
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\ndata:\n${lines.map((l) => `  ${l}`).join("\n")}\n---\n${pod("after")}`,
    );
    const { resources, problems } = await loadResources([file]);
    expect(problems).toEqual([
      {
        file,
        line: 8,
        column: expect.any(Number),
        message:
          'YAML aliases expand too much (kubectl\'s limit: most of a document may not come from aliases; a "billion laughs" bomb?); the document was not read',
      },
    ]);
    expect(resources.map((r) => nameOf(r))).toEqual(["after"]);
  });

  it("allows ordinary anchors and merge keys", async () => {
    const file = await write(
      "anchors.yaml",
      `${pod("m")}  labels: &l { app: web }\n  annotations:\n    <<: *l\n    extra: "1"\n`,
    );
    const { resources, problems } = await loadResources([file]);
    expect(problems).toEqual([]);
    expect(loose(resources[0]).metadata.annotations).toEqual({ app: "web", extra: "1" });
  });

  it("reports invalid UTF-8 with the line of the first bad byte", async () => {
    const bytes = Buffer.concat([
      Buffer.from(`${pod("a")}spec:\n  x: "`),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"\n'),
    ]);
    const file = await write("latin.yaml", bytes);
    const { resources, problems } = await loadResources([file]);
    expect(resources).toEqual([]);
    expect(problems).toEqual([
      {
        file,
        line: 6,
        column: 7,
        message: `is not valid UTF-8 (first bad byte at byte ${bytes.indexOf(0xc3)}); save it as UTF-8 text`,
      },
    ]);
  });

  it.each([
    { note: "overlong", bytes: [0xc0, 0xaf] },
    { note: "surrogate", bytes: [0xed, 0xa0, 0x80] },
    { note: "above U+10FFFF", bytes: [0xf4, 0x90, 0x80, 0x80] },
    { note: "truncated", bytes: [0xe2, 0x82] },
  ])("rejects $note UTF-8", async ({ note, bytes }) => {
    const file = await write(
      `bad-${note}.yaml`,
      Buffer.concat([Buffer.from("a: "), Buffer.from(bytes)]),
    );
    const { problems } = await loadResources([file]);
    expect(problems).toEqual([
      {
        file,
        line: 1,
        column: 4,
        message: "is not valid UTF-8 (first bad byte at byte 3); save it as UTF-8 text",
      },
    ]);
  });

  it("reports binary junk (NUL bytes)", async () => {
    const file = await write("junk.yaml", Buffer.from([0x61, 0x3a, 0x0a, 0x00, 0xff, 0x13, 0x37]));
    const { problems, resources } = await loadResources([file]);
    expect(resources).toEqual([]);
    expect(problems).toEqual([
      {
        file,
        line: 2,
        column: 1,
        message: "contains a NUL byte at byte 3: binary data, not YAML or JSON text",
      },
    ]);
  });

  it("refuses a control character in a YAML stream, as kubectl does, and reads it in JSON", async () => {
    const yamlFile = await write(
      "c1.yaml",
      `${pod("ok")}---\n${pod("bad")}  annotations:\n    a: "x\u0091y"\n`,
    );
    const yaml = await loadResources([yamlFile]);
    expect(yaml.resources.map(nameOf)).toEqual(["ok"]);
    expect(yaml.problems).toEqual([
      {
        file: yamlFile,
        line: 11,
        column: 10,
        message:
          'contains the control character U+0091, which YAML does not allow (kubectl refuses the stream); remove it, or write it as "\\u0091" in a double-quoted string',
      },
    ]);
    const jsonFile = await write(
      "c1.json",
      ` {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"j"},"data":{"a":"x\u0091y"}}`,
    );
    const json = await loadResources([jsonFile]);
    expect(json.problems).toEqual([]);
    expect(json.resources.map(nameOf)).toEqual(["j"]);
  });

  it("reports a document over the size limit and reads the others", async () => {
    const big = `${pod("big")}data:\n  blob: "${"x".repeat(2_000)}"\n`;
    const file = await write("big.yaml", `${pod("small1")}---\n${big}...\n---\n${pod("small2")}`);
    const { resources, problems } = await loadResources([file], { maxDocumentSize: 1_000 });
    expect(resources.map((r) => [nameOf(r), r.source?.line])).toEqual([
      ["small1", 1],
      ["small2", 14],
    ]);
    expect(problems).toEqual([
      {
        file,
        line: 6,
        column: 1,
        message: expect.stringMatching(
          /^document is 20\d\d bytes, over the 1000-byte limit; split it or raise --max-document-size$/,
        ),
      },
    ]);
    const all = await loadResources([file]);
    expect(all.problems).toEqual([]);
    expect(all.resources).toHaveLength(3);
  });

  it("measures the size limit in UTF-8 bytes", async () => {
    const file = await write("utf8-size.yaml", `${pod("u")}data: { x: "${"😀".repeat(300)}" }\n`);
    expect((await loadResources([file], { maxDocumentSize: 1_000 })).problems).toHaveLength(1);
    expect((await loadResources([file], { maxDocumentSize: 1_300 })).problems).toHaveLength(0);
  });

  it("reports an unreadable path and goes on", async () => {
    const good = await write("good/pod.yaml", pod("g"));
    const missing = join(root, "does-not-exist.yaml");
    const { resources, problems } = await loadResources([missing, good]);
    expect(problems).toEqual([
      { file: missing, message: "cannot read: no such file or folder (ENOENT)" },
    ]);
    expect(resources).toHaveLength(1);
  });

  it.skipIf(process.getuid?.() === 0)("reports a file it may not read", async () => {
    const file = await write("secret/locked.yaml", pod("l"));
    await chmod(file, 0o000);
    const { problems } = await loadResources([file]);
    expect(problems).toEqual([{ file, message: "cannot read: permission denied (EACCES)" }]);
    await chmod(file, 0o644);
  });

  it("reports absurd flow nesting as one problem and reads the next document", async () => {
    const file = await write(
      "nested.yaml",
      `${"[".repeat(100_000)}${"]".repeat(100_000)}\n---\n${pod("after")}`,
    );
    const { resources, problems } = await loadResources([file]);
    expect(resources.map(nameOf)).toEqual(["after"]);
    expect(problems).toEqual([
      { file, line: 1, column: expect.any(Number), message: expect.any(String) },
    ]);
    expect(problems[0]?.message).not.toContain("\n");
  });

  it("reports block nesting too deep as one problem where it passes the limit", async () => {
    const deep = Array.from({ length: 5_000 }, (_, i) => `${" ".repeat(i)}a:`).join("\n");
    const file = await write("deep.yaml", `${deep}\n---\n${pod("after")}`);
    const { problems, resources } = await loadResources([file]);
    expect(problems).toEqual([
      {
        file,
        line: 513,
        column: 513,
        message: "YAML is nested more than 512 levels deep; the document was not read",
      },
    ]);
    expect(resources.map(nameOf)).toEqual(["after"]);
  });
});

describe("loadResources: folders and stdin", () => {
  it("walks a folder recursively in sorted order, skipping dot-folders and node_modules", async () => {
    const dir = join(root, "tree");
    await write("tree/b.yaml", pod("b"));
    await write("tree/a.yml", pod("a"));
    await write(
      "tree/c.json",
      JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "c" } }),
    );
    await write("tree/sub/d.YAML", pod("d"));
    await write("tree/A-upper.yaml", pod("A"));
    await write("tree/notes.txt", pod("txt"));
    await write("tree/.git/config.yaml", pod("git"));
    await write("tree/.hidden/x.yaml", pod("hidden"));
    await write("tree/node_modules/pkg/x.yaml", pod("nm"));
    await symlink(dir, join(dir, "sub", "loop"));
    const { resources, problems } = await loadResources([dir]);
    expect(problems).toEqual([]);
    expect(resources.map((r) => nameOf(r))).toEqual(["A", "a", "b", "c", "d"]);
    expect(resources[4]?.source).toEqual({ file: join(dir, "sub", "d.YAML"), line: 1 });
  });

  it("reads a file given by name whatever its extension", async () => {
    const file = await write("manifest.txt", pod("t"));
    expect((await loadResources([file])).resources).toHaveLength(1);
  });

  it("reads - from stdin, alongside files", async () => {
    const file = await write("one.yaml", pod("file"));
    const stdin = Readable.from([Buffer.from(pod("in1")), Buffer.from(`---\n${pod("in2")}`)]);
    const { resources, problems } = await loadResources([file, "-"], { stdin });
    expect(problems).toEqual([]);
    expect(resources.map((r) => [nameOf(r), r.source])).toEqual([
      ["file", { file, line: 1 }],
      ["in1", { file: "<stdin>", line: 1 }],
      ["in2", { file: "<stdin>", line: 6 }],
    ]);
  });

  it("reports bad stdin like a bad file", async () => {
    const stdin = Readable.from([Buffer.from([0x00, 0x01])]);
    const { problems } = await loadResources(["-"], { stdin });
    expect(problems).toEqual([
      {
        file: "<stdin>",
        line: 1,
        column: 1,
        message: "contains a NUL byte at byte 0: binary data, not YAML or JSON text",
      },
    ]);
  });
});
