/** `charter bundle` as the rebuild of `charter serve --watch`. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CHARTER_BIN, charterBundleCommand } from "./charter-bundle-command.js";

const scratch = () => mkdtempSync(join(tmpdir(), "charter-watch-"));

describe("charterBundleCommand", () => {
  it("runs packages/cli/bin/charter.js in a child and reports its stderr on failure", async () => {
    expect(CHARTER_BIN).toMatch(/packages\/cli\/bin\/charter\.js$/);
    const root = scratch();
    const command = charterBundleCommand({
      out: join(root, "charter.tar.gz"),
      name: "charter",
      args: ["--no-such-flag"],
      cwd: root,
    });
    const result = await command(new AbortController().signal);
    expect(result.ok).toBe(false);
    expect(result.stderr).toMatch(/unknown (option|command)/);
  });
});
