import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { callerFrame, callSite, isOwnModule, ownFolders } from "./callsite.js";

describe("the author's call site", () => {
  // An installed @charter/dsl runs from dist/; with source maps on (vitest turns them on
  // first) its frames name src/. Both are the package's own modules.
  const installed = "/p/node_modules/@charter/dsl";
  const folders = ownFolders(`file://${installed}/dist/callsite.js`);
  const stack = [
    "Error",
    `    at callSite (${installed}/src/callsite.ts:80:20)`,
    `    at fromYaml (file://${installed}/src/cases.ts:61:16)`,
    "    at /p/policies/socket.ts:18:13",
    "    at node:internal/modules/esm/module_job:325:25",
  ].join("\n");

  it("skips the package's frames whether they name dist/ or, source-mapped, src/", () => {
    expect(callerFrame(stack, (file) => isOwnModule(file, folders))).toEqual({
      file: "/p/policies/socket.ts",
      line: 18,
      column: 13,
    });
  });

  it("keeps the package's own tests as callers", () => {
    expect(isOwnModule(`${installed}/src/cases.test.ts`, folders)).toBe(false);
    expect(isOwnModule(`${installed}/dist/cases.js`, folders)).toBe(true);
    expect(isOwnModule("/p/policies/dist/x.js", folders)).toBe(false);
  });

  it("starts at the caller of the entry point given, whatever the paths", () => {
    function entry() {
      return callSite(entry);
    }
    const site = entry(); // MARK-ENTRY
    const self = fileURLToPath(import.meta.url);
    const line = readFileSync(self, "utf8")
      .split("\n")
      .findIndex((l) => l.endsWith("MARK-ENTRY"));
    expect(site).toMatchObject({ file: self, line: line + 1 });
  });
});
