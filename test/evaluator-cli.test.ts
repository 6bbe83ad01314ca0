/**
 * `charter check` with CHARTER_EVALUATOR: the generated evaluator writes the very report the
 * closures write (every format is made from the same rows), and a wrong value is a usage error.
 */
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "./support/run-cli.js";

const saved = process.env.CHARTER_EVALUATOR;
afterEach(() => {
  if (saved === undefined) delete process.env.CHARTER_EVALUATOR;
  else process.env.CHARTER_EVALUATOR = saved;
});

async function checkWith(evaluator: string | undefined, format: string) {
  if (evaluator === undefined) delete process.env.CHARTER_EVALUATOR;
  else process.env.CHARTER_EVALUATOR = evaluator;
  return runCli(["check", "examples/todo-app", "--format", format, "--now", "2026-01-01"]);
}

describe("charter check with CHARTER_EVALUATOR", () => {
  it.each(["json", "table"])("writes the same %s report with either evaluator", async (format) => {
    const closures = await checkWith(undefined, format);
    const generated = await checkWith("generated", format);
    expect(closures.stdout).toContain("fail");
    expect(generated).toEqual(closures);
  });

  it("refuses an unknown evaluator with exit code 2", async () => {
    const run = await checkWith("jit", "json");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('CHARTER_EVALUATOR="jit" is not an evaluator');
  });
});
