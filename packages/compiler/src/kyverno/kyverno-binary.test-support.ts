/**
 * The real Kyverno CLI for the tests that judge emitted policies with it: `$CHARTER_KYVERNO`, or
 * `.tools/bin/kyverno` (scripts/install-kyverno.sh). Missing, the tests say so loudly and skip;
 * under CI=true (where scripts/install-engines.sh built it) a missing binary fails.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");

export function requireKyverno(what: string): string | undefined {
  const candidates = [process.env.CHARTER_KYVERNO, join(repo, ".tools", "bin", "kyverno")];
  const found = candidates.find((path): path is string => path !== undefined && existsSync(path));
  if (!found && (process.env.CI === "true" || process.env.CI === "1")) {
    throw new Error("the kyverno CLI is required under CI=true: run scripts/install-engines.sh");
  }
  if (!found) {
    console.warn(
      `\n*** kyverno CLI not found ($CHARTER_KYVERNO, .tools/bin/kyverno): SKIPPING ${what} (run scripts/install-kyverno.sh) ***\n`,
    );
  }
  return found;
}
