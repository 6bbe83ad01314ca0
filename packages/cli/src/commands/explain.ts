/** `charter explain <policy>`: the policy's IR and what each target receives, together. */
import { compileTargets } from "@charter/compiler";
import { CharterError } from "@charter/ir";
import { systemNamespacesOf } from "../config.js";
import { type Context, type PolicyOptions, projectPoliciesAndExceptions } from "../context.js";
import { EXIT_OK } from "../exit.js";
import { parseTargetOptions, parseTargets } from "../targets.js";
import { terminalText } from "../terminal-text.js";

export interface ExplainOptions extends PolicyOptions {
  readonly target: string;
  readonly format: string;
  readonly gatekeeperEngine?: string;
  readonly kyvernoApi?: string;
}

export async function explain(
  ctx: Context,
  name: string,
  options: ExplainOptions,
): Promise<number> {
  const { policies, config } = await projectPoliciesAndExceptions(ctx, options);
  const policy = policies.find((p) => p.name === name);
  if (!policy) {
    throw new CharterError(
      `no policy named "${name}"`,
      {},
      `known policies: ${policies.map((p) => p.name).join(", ")}`,
    );
  }
  const compiled = compileTargets(
    policies,
    parseTargets(options.target),
    parseTargetOptions(options, systemNamespacesOf(config)),
  );
  // A target's output for one policy: the files that name it (shared library files excluded).
  const pkg = policy.name.replaceAll("-", "_");
  const emitted = [...compiled].map(([target, files]) => ({
    target,
    files: [...files].filter(([path]) => path.includes(pkg) || path.includes(policy.name)),
  }));
  if (options.format === "json") {
    const targets = Object.fromEntries(
      emitted.map(({ target, files }) => [target, Object.fromEntries(files)]),
    );
    ctx.output.out(JSON.stringify({ policy, targets }, null, 2));
    return EXIT_OK;
  }
  const { output } = ctx;
  const heading = (text: string) =>
    output.out(output.paint("bold", `── ${text} ${"─".repeat(Math.max(0, 72 - text.length))}`));
  // Policy text is shown escaped; the emitted files are already (Rego and CEL are ASCII, YAML
  // escapes every control and direction character).
  heading(terminalText(`${policy.name}: ${policy.title}`));
  output.out(
    terminalText(
      `severity ${policy.severity} · enforcement ${policy.enforcement} · controls ${policy.controls.join(", ") || "none"}`,
    ),
  );
  for (const rule of policy.rules)
    output.out(terminalText(`rule ${rule.name}: ${rule.message.template}`));
  heading("IR");
  output.out(
    JSON.stringify(
      { match: policy.match, parameters: policy.parameters, rules: policy.rules },
      null,
      2,
    ),
  );
  for (const { target, files } of emitted) {
    for (const [path, contents] of files) {
      heading(`${target}: ${path}`);
      output.out(contents.trimEnd());
    }
  }
  return EXIT_OK;
}
