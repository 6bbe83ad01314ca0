import { kinds, pod, policy, when } from "@charter/dsl";
import type { Policy } from "@charter/ir";
import { describe, expect, it } from "vitest";
import { CONTROLS } from "./controls.js";
import { generateDocs } from "./generate.js";
import { cell, code, controlAnchor } from "./markdown.js";

const outDir = "/project/docs/policies";

function pages(policies: readonly Policy[], select?: string) {
  const files = generateDocs(policies, { outDir, ...(select ? { select } : {}) });
  return { catalog: files.get("catalog.md") ?? "", matrix: files.get("matrix.md") ?? "" };
}

/** The body rows of the first table at or after the line containing `marker`. */
function rowsUnder(page: string, marker: string): string[] {
  const lines = page.split("\n");
  const from = lines.findIndex((line) => line.includes(marker));
  const start = lines.findIndex((line, i) => i >= from && line.startsWith("|"));
  const end = lines.findIndex((line, i) => i > start && !line.startsWith("|"));
  return lines.slice(start + 2, end < 0 ? undefined : end);
}

const hostile = policy("hostile-text", {
  title: "Pipes | and `backticks` in a title",
  description: "A description.",
  severity: "low",
  category: "Test | category",
  controls: ["pss:baseline:privileged", "cis:5.2.2", "area:not-a-real-area"],
  match: pod,
  rules: {
    odd: {
      fail: when`any c in pod.containers: c.name == "x|y"`,
      message: "container {{c.name}} has a ``strange`` | name\nover two lines",
      remediation: "Rename it.\nReally.",
    },
  },
  cases: { pass: [], fail: [] },
});

// `matches` with a pattern read from the resource: Rego can, CEL cannot (docs/capabilities.md).
const regoOnly = policy("pattern-from-resource", {
  title: "Image matches the container's own pattern",
  severity: "low",
  category: "Test",
  controls: ["area:image-signing"],
  match: kinds("v1/Service"),
  namespaces: { include: ["prod"], exclude: ["kube-system"] },
  rules: {
    pattern: {
      fail: when`object.metadata.name matches object.metadata.namespace`,
      message: "name {{object.metadata.name}} matches its namespace",
    },
  },
  cases: {
    pass: [
      {
        name: "plain",
        resource: { apiVersion: "v1", kind: "Service", metadata: { name: "a", namespace: "b" } },
      },
    ],
    fail: [],
  },
});

describe("markdown helpers", () => {
  it.each([
    ["plain", "`plain`"],
    ["a `tick`", "`` a `tick` ``"],
    ["``", "``` `` ```"],
    ["`edge`", "`` `edge` ``"],
    ["two\nlines", "`two lines`"],
  ])("code(%j)", (text, expected) => {
    expect(code(text)).toBe(expected);
  });

  it("a cell never ends its row early", () => {
    expect(cell("a | b\nc")).toBe("a \\| b c");
  });

  it("anchors are unique over the whole vocabulary", () => {
    const anchors = CONTROLS.map((control) => controlAnchor(control.tag));
    expect(new Set(anchors).size).toBe(anchors.length);
  });
});

describe("generateDocs", () => {
  it("is deterministic and independent of the order policies load in", () => {
    const a = pages([hostile, regoOnly]);
    const b = pages([regoOnly, hostile]);
    expect(b).toEqual(a);
    expect(pages([hostile, regoOnly])).toEqual(a);
  });

  it("keeps tables whole when policy text holds pipes, backticks and line breaks", () => {
    const { catalog } = pages([hostile]);
    const [row] = rowsUnder(catalog, "# Policy catalog");
    // 5 columns: 6 unescaped pipes.
    expect(row?.match(/(?<!\\)\|/g)).toHaveLength(6);
    expect(catalog).toContain(
      "fails with ```container {{c.name}} has a ``strange`` | name over two lines```",
    );
    expect(catalog).toContain("Remediation: Rename it. Really.");
    expect(catalog).toContain("`area:not-a-real-area`: not in the control vocabulary");
  });

  it("records the targets a policy cannot have, with the compiler's reason", () => {
    const { catalog, matrix } = pages([regoOnly]);
    expect(catalog).toMatch(/- rego: yes\n/);
    expect(catalog).toMatch(
      /- gatekeeper: yes; with `--gatekeeper-engine cel`: no: policy "pattern-from-resource", rule "pattern": .*target "gatekeeper/,
    );
    expect(catalog).toMatch(
      /- kyverno: no: policy "pattern-from-resource", rule "pattern": .*cannot express it/,
    );
    expect(catalog).toMatch(/- vap: no: /);
    expect(catalog).toContain(
      "| [pattern-from-resource](#pattern-from-resource) | Image matches the container's own pattern | low | deny | rego, gatekeeper |",
    );
    const row = matrix.split("\n").find((line) => line.includes("</a>`area:image-signing`"));
    expect(row).toContain(
      "[pattern-from-resource](catalog.md#pattern-from-resource) (not on kyverno, vap)",
    );
    expect(row).toMatch(/\| ✓ \| ✓ \| — \| — \|$/);
  });

  it("describes the match: kinds, namespaces, labels", () => {
    const { catalog } = pages([regoOnly]);
    expect(catalog).toContain("- Kinds: `Service`");
    expect(catalog).toContain("- Namespaces: only `prod` except `kube-system`");
    expect(catalog).toContain("- Labels: any");
  });

  it("lists every control, a gap where no policy cites it, and tags outside the vocabulary", () => {
    const { matrix } = pages([hostile]);
    for (const control of CONTROLS) {
      expect(matrix).toContain(`<a id="${controlAnchor(control.tag)}"></a>${code(control.tag)}`);
    }
    const privileged = matrix
      .split("\n")
      .find((line) => line.includes("`pss:baseline:privileged`"));
    expect(privileged).toContain("[hostile-text](catalog.md#hostile-text)");
    const appArmor = matrix
      .split("\n")
      .find((line) => line.includes("`pss:baseline:appArmorProfile`"));
    expect(appArmor).toContain("**gap**");
    expect(matrix).toContain("## Tags outside the vocabulary");
    expect(matrix).toContain("`area:not-a-real-area`");
  });

  it("names the selection in both pages", () => {
    const { catalog, matrix } = pages([hostile], "cis:5.2");
    expect(catalog).toContain("`--select cis:5.2`");
    expect(matrix).toContain("`--select cis:5.2`");
  });
});
