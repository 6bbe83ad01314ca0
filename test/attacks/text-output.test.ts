/**
 * Attack: escape sequences in a manifest reach the terminal (or a CI log, which renders ANSI).
 * A Pod named `app\e[2J`, in namespace `ns\e]0;title\a`, with an image `nginx\e[2J\u009b2K…`
 * and a container named with a bidi override, used to come out raw in `charter check`'s table
 * and GitHub annotations, in the error line of a document with a hostile label key (CSI, U+009B,
 * survives JSON.stringify), and in exception warnings — clearing the screen, setting the window title, or reordering text.
 * Every text output now escapes control and direction characters (packages/cli/src/
 * terminal-text.ts); JSON keeps the data exact, escaped by JSON itself.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { escapeData } from "../../packages/cli/src/report/github.js";
import { terminalLines, terminalText } from "../../packages/cli/src/terminal-text.js";
import { repoRoot, runCli } from "../support/run-cli.js";

/** What must never be printed raw: C0 but the line feed, DEL, C1, and direction controls. */
const RAW_CONTROL =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching controls is the point
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/u;

const MANIFEST = `apiVersion: v1
kind: Pod
metadata:
  name: "app\\e[2J"
  namespace: "ns\\e]0;pwned\\a"
spec:
  containers:
  - name: "c\\u202etxt.exe"
    image: "nginx\\e[2J\\x9b2K\\r\\u2028\\u2066:latest"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: z
  labels: {"k\\x9b2J\\u202e": 5}
`;

/** A project with the library's policies and one exception whose text is hostile. */
function project(): string {
  const folder = mkdtempSync(join(tmpdir(), "charter-text-"));
  writeFileSync(
    join(folder, "charter.config.ts"),
    `export default { policies: ${JSON.stringify(join(repoRoot, "policies"))}, exceptions: "exceptions.ts" };\n`,
  );
  writeFileSync(
    join(folder, "exceptions.ts"),
    `export default {
  name: "hostile-owner",
  policy: "disallow-latest-tag",
  match: { namespaces: ["ns\\u001b]0;pwned\\u0007"] },
  reason: "because\\u001b[2J\\u009b1;1H",
  owner: "team\\u001b]8;;https://evil.example\\u0007x",
  expires: "2099-01-10",
};
`,
  );
  mkdirSync(join(folder, "k8s\u001b[31m"));
  writeFileSync(join(folder, "k8s\u001b[31m", "pod.yaml"), MANIFEST);
  return folder;
}

describe("text outputs print no raw control character", () => {
  const folder = project();
  const run = (format: string) =>
    runCli(["check", "k8s\u001b[31m", "--format", format, "--now", "2099-01-01", "--verbose"], {
      cwd: folder,
    });

  it.each(["table", "github"])("charter check --format %s", async (format) => {
    const { code, stdout, stderr } = await run(format);
    expect(code).toBe(2); // the label with a number for a value is an input error
    for (const [stream, text] of [
      ["stdout", stdout],
      ["stderr", stderr],
    ] as const) {
      const raw = RAW_CONTROL.exec(text);
      expect(raw, `${stream} holds U+${raw?.[0].codePointAt(0)?.toString(16)}:\n${text}`).toBe(
        null,
      );
    }
    // What was escaped is shown, not dropped.
    expect(stdout).toContain("app\\x1b[2J");
    expect(stdout).toContain("nginx\\x1b[2J\\x9b2K");
    expect(stderr).toContain('metadata.labels["k\\x9b2J\\u202e"] is a number');
    expect(stderr).toContain("team\\x1b]8;;https"); // the expiring exception's owner
    if (format === "table") {
      expect(stdout).toContain("because\\x1b[2J\\x9b1;1H"); // the exception's reason
      expect(stdout).toContain("c\\u202etxt.exe");
    }
  });

  it("JSON keeps the data exact (JSON escapes it)", async () => {
    const { stdout } = await run("json");
    const rows = (JSON.parse(stdout) as { results: { resource: { name: string } }[] }).results;
    expect(rows.some((r) => r.resource.name === "app\u001b[2J")).toBe(true);
  });

  it("terminalText leaves no control or direction character raw, and hides nothing (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (text) => {
        const safe = terminalText(text);
        expect(RAW_CONTROL.test(safe) || safe.includes("\n")).toBe(false);
        // Printable text is left alone, and every escaped character leaves a visible mark.
        const printable = [...text].filter((c) => !RAW_CONTROL.test(c) && c !== "\n");
        expect([...safe].filter((c) => printable.includes(c)).length).toBeGreaterThanOrEqual(
          printable.length,
        );
        expect(safe.length).toBeGreaterThanOrEqual(text.length);
        expect(terminalLines(text).split("\n")).toHaveLength(text.split("\n").length);
        // GitHub's own escapes survive: one command line, every other control escaped.
        const data = escapeData(text);
        expect(RAW_CONTROL.test(data) || data.includes("\n")).toBe(false);
      }),
      { seed: 7, numRuns: 2000 },
    );
  });
});
