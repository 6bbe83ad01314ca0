/**
 * A case file that does not parse is reported as `charter check` reports a manifest: at the
 * line the author must change, in plain words, without the parser's dangling
 * `at line 4, column 1:` (issue 12, requirement 9).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { CharterError } from "@charter/ir";
import { describe, expect, it } from "vitest";
import { pod } from "./builder.js";
import { fromYaml } from "./cases.js";
import { policy } from "./policy.js";
import { when } from "./when.js";

function casesError(text: string): CharterError {
  const folder = mkdtempSync(join(tmpdir(), "charter-cases-yaml-"));
  writeFileSync(join(folder, "cases.yaml"), text);
  const base = pathToFileURL(join(folder, "policy.ts"));
  try {
    policy("p", {
      title: "t",
      severity: "low",
      category: "c",
      controls: [],
      match: pod,
      rules: { r: { fail: when`pod.spec.hostNetwork == true`, message: "m" } },
      cases: { pass: [], fail: [fromYaml(base, "cases.yaml")] },
    });
  } catch (error) {
    if (error instanceof CharterError) return error;
    throw error;
  }
  throw new Error("the case file was read");
}

describe("YAML errors in case files", () => {
  it("a tab in the indentation names its line and says what to do", () => {
    const error = casesError(
      "apiVersion: v1\nkind: Pod\nmetadata:\n\tname: p\nspec: {hostNetwork: true}\n",
    );
    expect(error.location).toMatchObject({ line: 4 });
    expect(error.message).toMatch(/line 4 is indented with a tab.*replace the tab with spaces/);
    expect(error.message).not.toMatch(/at line \d+, column \d+:?$/);
  });

  it("a key indented too far points at that key, not at the line before", () => {
    const error = casesError(
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n    namespace: x\nspec: {}\n",
    );
    expect(error.location).toMatchObject({ line: 5 });
    expect(error.message).not.toMatch(/Nested mappings are not allowed/);
  });
});
