/**
 * `charter init [dir]`: scaffold a policy project (package.json, charter.config.ts, one policy
 * with pass and fail cases and unit tests, a CI workflow, a README) that passes `charter test`
 * and `charter build` as it is. `--from` takes Charter from a checkout or tarballs instead of a
 * registry (init/local-packages.ts).
 */
import { relative, resolve } from "node:path";
import type { Context } from "../context.js";
import { EXIT_OK } from "../exit.js";
import { type LocalPackages, localPackages, runningCheckout } from "../init/local-packages.js";
import { scaffold } from "../init/scaffold.js";
import { VERSION } from "../version.js";

export interface InitOptions {
  readonly force?: boolean;
  readonly name?: string;
  /** A Charter checkout or a folder of its packed packages, to depend on instead of a registry. */
  readonly from?: string;
}

export async function init(ctx: Context, dir: string, options: InitOptions): Promise<number> {
  const { output } = ctx;
  const target = resolve(ctx.cwd, dir);
  // Packed before anything is written: a checkout that cannot be packed leaves no half project.
  const local: LocalPackages | undefined = options.from
    ? localPackages(resolve(ctx.cwd, options.from))
    : undefined;
  let files: string[];
  try {
    files = scaffold({
      dir: target,
      version: local?.version ?? VERSION,
      ...(options.force ? { force: true } : {}),
      ...(options.name ? { name: options.name } : {}),
      ...(local ? { vendor: local.tarballs } : {}),
    });
  } finally {
    local?.dispose();
  }
  const shown = relative(ctx.cwd, target) || ".";
  // A folder name with spaces must stay one argument when the user copies the commands.
  const arg = /[\s'"$`\\]/.test(shown) ? `'${shown.replaceAll("'", "'\\''")}'` : shown;
  output.out(`Created a Charter policy project in ${shown}:`);
  for (const file of files) output.out(`  ${file}`);
  const cd = shown === "." ? "" : `cd ${arg} && `;
  output.out(
    `\nNext:\n  ${cd}npm install${local ? "    # or pnpm install; @charter/* come from vendor/charter/" : ""}\n  npx charter test     # the policy's cases on every engine found\n  npx vitest run       # its unit tests\n  npx charter build    # dist/<target>/ — commit it; CI runs charter build --check`,
  );
  if (!local) {
    // @charter/* may not be on the user's registry: say how to do without one.
    const checkout = runningCheckout();
    output.out(
      `\nNo registry with @charter/${VERSION}? Take Charter from a checkout instead:\n  charter init ${arg} --force --from ${checkout ?? "<path to a built Charter checkout>"}`,
    );
  }
  return EXIT_OK;
}
