/**
 * For tests that need the real `opa`: its path, or undefined after a loud warning. Under
 * CI=true a missing opa is an error, so a CI run never passes by skipping.
 */
import { findOpa } from "@charter/runtime";

export function opaForTests(): string | undefined {
  const opa = findOpa();
  if (opa !== undefined) return opa;
  const message =
    "opa not found ($CHARTER_OPA, .tools/bin/opa, PATH): run scripts/install-engines.sh";
  if (process.env.CI) throw new Error(`${message} (CI=true makes this an error)`);
  console.warn(`\n!!! SKIPPING real-OPA tests: ${message}\n`);
  return undefined;
}
