import { HOSTILE, input, row } from "@charter/test-support/report-rows";
import { describe, expect, it } from "vitest";
import { terminalText } from "../terminal-text.js";
import { escapeData, escapeProperty, toGithubAnnotations } from "./github.js";

describe("GitHub workflow commands", () => {
  it("escapes data and properties as @actions/toolkit does", () => {
    expect(escapeData("50%\r\nnext: a, b")).toBe("50%25%0D%0Anext: a, b");
    expect(escapeProperty("50%\r\nnext: a, b")).toBe("50%25%0D%0Anext%3A a%2C b");
    // `%` first: an escape already in the text stays literal.
    expect(escapeData("%0A")).toBe("%250A");
  });

  it("one annotation per failing row, its command from the enforcement", () => {
    const out = toGithubAnnotations(
      input([
        row(),
        row({ enforcement: "warn", rule: "w" }),
        row({ enforcement: "audit", rule: "a" }),
        row({ result: "error", enforcement: "audit", rule: "e" }),
        row({ result: "pass", rule: "p" }),
        row({ result: "skip", rule: "s" }),
      ]),
    ).split("\n");
    expect(out.map((line) => line.split(" ")[0])).toEqual([
      "::error",
      "::warning",
      "::notice",
      "::error",
      "charter:",
    ]);
    expect(out[0]).toBe(
      "::error file=k8s/app.yaml,line=3,title=disallow-privileged-containers/privileged (high)::Pod team-a/app: container app is privileged",
    );
  });

  it("a hostile message and file stay one command with the properties intact", () => {
    const out = toGithubAnnotations(
      input([row({ message: HOSTILE, source: { file: "k8s/a,b:c%.yaml", line: 7 } })]),
    );
    const [annotation, summary] = out.split("\n");
    expect(out.split("\n")).toHaveLength(2);
    expect(summary).toMatch(/^charter: /);
    const match = /^::error (?<props>[^:]*)::(?<data>.*)$/.exec(annotation ?? "");
    expect(match?.groups?.props?.split(",")).toEqual([
      "file=k8s/a%2Cb%3Ac%25.yaml",
      "line=7",
      "title=disallow-privileged-containers/privileged (high)",
    ]);
    // The runner's unescaping gives the message back, line breaks included; every other
    // control is shown as visible text (terminal-text.ts), never sent raw to the log.
    const unescaped = (s: string) =>
      s.replace(/%0D/g, "\r").replace(/%0A/g, "\n").replace(/%25/g, "%");
    const shown = HOSTILE.split(/([\r\n])/)
      .map((part) => (part === "\r" || part === "\n" ? part : terminalText(part)))
      .join("");
    expect(shown).toContain("next\\tline \\x01\\x08\\x1f");
    expect(unescaped(match?.groups?.data ?? "")).toBe(`Pod team-a/app: ${shown}`);
  });
});
