/**
 * `charter test`: run every policy's own cases on every engine that can be had, and fail when a
 * case's expectation is not met or when two engines disagree on any rule of any case. Cases run
 * with the policy's defaults and their own `params`, never with charter.config.ts's values (the
 * cases were written for the policy, the config is one project's choice; a case with the same
 * `params` tests that choice). Likewise the config's system namespaces do not apply: a case in
 * `kube-system` is judged as written. A policy without cases is a warning, an error under
 * `--strict`.
 */
import { relative } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { count, policiesCount } from "@charter/compiler";
import type { Policy } from "@charter/ir";
import { runCases } from "../case-runner.js";
import type { LoadedConfig } from "../config.js";
import { type Context, type PolicyOptions, projectPoliciesAndExceptions } from "../context.js";
import { unknownControlWarnings } from "../control-tags.js";
import {
  chooseEngines,
  ENGINE_NAMES,
  type EngineName,
  enginesRequired,
  parseEngineNames,
} from "../engines.js";
import { EXIT_FAILURE, EXIT_OK } from "../exit.js";
import { terminalText } from "../terminal-text.js";

export interface TestOptions extends PolicyOptions {
  readonly engine?: string;
  /** A policy without cases fails the run. */
  readonly strict?: boolean;
}

export async function test(ctx: Context, options: TestOptions): Promise<number> {
  const { output } = ctx;
  const names: readonly EngineName[] = options.engine
    ? parseEngineNames(options.engine, true)
    : ENGINE_NAMES;
  const { policies, config } = await projectPoliciesAndExceptions(ctx, options, {
    configured: false,
  });
  const required = enginesRequired(Boolean(options.engine));
  const { engines, missing } = chooseEngines(policies, names, required);
  for (const { name, reason } of missing)
    output.err(output.paint("yellow", terminalText(`engine ${name} skipped: ${reason}`)));
  for (const warning of unknownControlWarnings(policies, ctx.cwd))
    output.err(output.paint("yellow", terminalText(warning)));
  for (const note of untestedConfigNotes(policies, config))
    output.err(output.paint("gray", terminalText(note)));

  const reports = await runCases(
    policies,
    (set) => (set === policies ? engines : chooseEngines(set, names, required).engines),
    { where: (source) => `${relative(ctx.cwd, source.file) || source.file}:${source.line}` },
  );
  for (const { policy, problems, notOn } of reports) {
    if (policy.cases.length === 0) {
      const mark = options.strict ? output.paint("red", "✗") : output.paint("yellow", "!");
      output.out(
        `${mark} ${terminalText(policy.name)}  0 cases: write cases.pass and cases.fail (they are its tests)`,
      );
      continue;
    }
    const mark = problems.length ? output.paint("red", "✗") : output.paint("green", "✓");
    const not = notOn.length
      ? output.paint(
          "gray",
          terminalText(`  (not on ${notOn.map((n) => n.engine).join(", ")}: ${notOn[0]?.reason})`),
        )
      : "";
    output.out(`${mark} ${terminalText(policy.name)}  ${count(policy.cases.length, "case")}${not}`);
    // A problem quotes case names and messages: escaped, and one line each.
    for (const problem of problems) output.out(`    ${terminalText(problem)}`);
  }
  const caseless = policies.filter((policy) => policy.cases.length === 0).length;
  const failed =
    reports.filter((report) => report.problems.length > 0).length + (options.strict ? caseless : 0);
  const cases = policies.reduce((n, policy) => n + policy.cases.length, 0);
  const ran = engines.map((engine) => engine.name).join(", ");
  output.out(
    `\n${policiesCount(policies.length)}, ${count(cases, "case")} on ${ran || "no engine"}`,
  );
  const warned = options.strict ? 0 : caseless;
  output.out(
    `${policies.length - failed - warned} passed, ${failed} failed${warned ? `, ${policiesCount(warned)} without cases (an error under --strict)` : ""}`,
  );
  return failed > 0 ? EXIT_FAILURE : EXIT_OK;
}

/**
 * A note per policy whose configured params no case runs with: the cases ran with the
 * defaults, so nothing tested the values this project deploys.
 */
function untestedConfigNotes(policies: readonly Policy[], config: LoadedConfig): string[] {
  return policies.flatMap((policy) => {
    const configured = config.params?.[policy.name];
    if (configured === undefined) return [];
    const deployed = { ...policy.parameters.values, ...configured };
    const tested = policy.cases.some((testCase) =>
      isDeepStrictEqual({ ...policy.parameters.values, ...testCase.params }, deployed),
    );
    if (tested) return [];
    return [
      `note: ${policy.name}: its cases run with the policy's parameter defaults, not with the values in ${config.file ? relative(config.root, config.file) : "the config"}; a case with \`params: ${JSON.stringify(configured)}\` would test those`,
    ];
  });
}
