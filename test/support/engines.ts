/**
 * Engines a test needs. Where one cannot be had the test says so loudly and skips; under
 * CI=true it fails instead, so CI can never pass with an engine silently missing.
 */
import { expect } from "vitest";

export function requireEngine<T>(name: string, found: T | undefined): T | undefined {
  if (found !== undefined) return found;
  if (process.env.CI === "true" || process.env.CI === "1") {
    expect.fail(
      `engine ${name} is required under CI=true but was not found (run scripts/install-engines.sh)`,
    );
  }
  console.warn(
    `\n*** engine ${name} not found: SKIPPING this test (run scripts/install-engines.sh) ***\n`,
  );
  return undefined;
}
