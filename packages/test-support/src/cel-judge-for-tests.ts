/**
 * For tests that need the real `cel-judge`: its path, or undefined after a loud warning.
 * Under CI=true a missing judge is an error, so a CI run never passes by skipping.
 */
import { findCelJudge } from "@charter/runtime";

export function celJudgeForTests(): string | undefined {
  const judge = findCelJudge();
  if (judge !== undefined) return judge;
  const message =
    "cel-judge not found ($CHARTER_CEL_JUDGE, .tools/bin/cel-judge, PATH): run scripts/install-cel-judge.sh";
  if (process.env.CI) throw new Error(`${message} (CI=true makes this an error)`);
  console.warn(`\n!!! SKIPPING real Kubernetes CEL tests: ${message}\n`);
  return undefined;
}
