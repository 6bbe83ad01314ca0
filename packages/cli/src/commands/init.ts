/**
 * `charter init [dir]`: scaffold a policy project (package.json, charter.config.ts, one policy
 * with pass and fail cases and unit tests, a CI workflow, a README) that passes `charter test`
 * and `charter build` as it is.
 */
import { relative, resolve } from "node:path";
import type { Context } from "../context.js";
import { EXIT_OK } from "../exit.js";
import { scaffold } from "../init/scaffold.js";
import { VERSION } from "../version.js";

export interface InitOptions {
  readonly force?: boolean;
  readonly name?: string;
}

export async function init(ctx: Context, dir: string, options: InitOptions): Promise<number> {
  const { output } = ctx;
  const target = resolve(ctx.cwd, dir);
  const files = scaffold({
    dir: target,
    version: VERSION,
    ...(options.force ? { force: true } : {}),
    ...(options.name ? { name: options.name } : {}),
  });
  const shown = relative(ctx.cwd, target) || ".";
  output.out(`Created a Charter policy project in ${shown}:`);
  for (const file of files) output.out(`  ${file}`);
  const cd = shown === "." ? "" : `cd ${shown} && `;
  output.out(
    `\nNext:\n  ${cd}npm install\n  npx charter test     # the policy's cases on every engine found\n  npx vitest run       # its unit tests\n  npx charter build    # dist/<target>/ — commit it; CI runs charter build --check`,
  );
  return EXIT_OK;
}
