/** `charter docs`: write the policy catalog and the compliance matrix, or check them. */
import { join, relative, resolve } from "node:path";
import { count, generateDocs, policiesCount } from "@charter/compiler";
import { diffFiles, writeFiles } from "../atomic-write.js";
import { type Context, type PolicyOptions, projectPolicies } from "../context.js";
import { EXIT_FAILURE, EXIT_OK } from "../exit.js";

export interface DocsOptions extends PolicyOptions {
  readonly out: string;
  readonly check?: boolean;
}

export async function docs(ctx: Context, options: DocsOptions): Promise<number> {
  const policies = await projectPolicies(ctx, options);
  const outDir = resolve(ctx.cwd, options.out);
  // Everything is rendered in memory first: a policy that fails to load writes nothing.
  const files = generateDocs(policies, {
    outDir,
    ...(options.select ? { select: options.select } : {}),
  });
  const shown = (path: string) => join(relative(ctx.cwd, outDir) || ".", path);
  if (options.check) {
    const drift = diffFiles(outDir, files);
    const lines = [
      ...drift.changed.map((f) => `changed  ${shown(f)}`),
      ...drift.added.map((f) => `missing  ${shown(f)}`),
    ];
    if (lines.length === 0) {
      ctx.output.out(`${options.out}: up to date (${policiesCount(policies.length)})`);
      return EXIT_OK;
    }
    for (const line of lines) ctx.output.out(line);
    ctx.output.out(
      `${count(lines.length, "file")} ${lines.length === 1 ? "differs" : "differ"} from what the policies generate; run \`charter docs\``,
    );
    return EXIT_FAILURE;
  }
  writeFiles(outDir, files);
  ctx.output.out(
    `wrote ${[...files.keys()].map(shown).join(" and ")} for ${policiesCount(policies.length)}`,
  );
  return EXIT_OK;
}
