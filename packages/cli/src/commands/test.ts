/**
 * `charter test`: run every policy's own cases on every engine that can be had, and fail when a
 * case's expectation is not met or when two engines disagree on any rule of any case.
 */
import { runCases } from "../case-runner.js";
import { type Context, type PolicyOptions, projectPolicies } from "../context.js";
import {
  createEngines,
  ENGINE_NAMES,
  type EngineName,
  enginesRequired,
  parseEngineNames,
} from "../engines.js";
import { EXIT_FAILURE, EXIT_OK } from "../exit.js";
import { terminalText } from "../terminal-text.js";

export interface TestOptions extends PolicyOptions {
  readonly engine?: string;
}

export async function test(ctx: Context, options: TestOptions): Promise<number> {
  const { output } = ctx;
  const names: readonly EngineName[] = options.engine
    ? parseEngineNames(options.engine, true)
    : ENGINE_NAMES;
  const policies = await projectPolicies(ctx, options);
  const { engines, skipped } = createEngines(
    policies,
    names,
    enginesRequired(Boolean(options.engine)),
  );
  for (const { name, reason } of skipped)
    output.err(output.paint("yellow", terminalText(`engine ${name} skipped: ${reason}`)));

  const reports = await runCases(policies, engines);
  for (const { policy, problems, notOn } of reports) {
    const mark = problems.length ? output.paint("red", "✗") : output.paint("green", "✓");
    const not = notOn.length
      ? output.paint(
          "gray",
          terminalText(`  (not on ${notOn.map((n) => n.engine).join(", ")}: ${notOn[0]?.reason})`),
        )
      : "";
    output.out(`${mark} ${terminalText(policy.name)}  ${policy.cases.length} cases${not}`);
    // A problem quotes case names and messages: escaped, and one line each.
    for (const problem of problems) output.out(`    ${terminalText(problem)}`);
  }
  const failed = reports.filter((report) => report.problems.length > 0).length;
  const cases = policies.reduce((n, policy) => n + policy.cases.length, 0);
  const ran = engines.map((engine) => engine.name).join(", ");
  output.out(`\n${policies.length} policies, ${cases} cases on ${ran || "no engine"}`);
  output.out(`${policies.length - failed} passed, ${failed} failed`);
  return failed > 0 ? EXIT_FAILURE : EXIT_OK;
}
