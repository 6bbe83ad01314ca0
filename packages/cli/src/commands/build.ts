/** `charter build`: compile the policies to every target, or check the committed output. */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  compileTargets,
  count,
  emitWasm,
  emitWebhook,
  expiredStillShipped,
  policiesCount,
  policiesFor,
} from "@charter/compiler";
import { isScanOnly, type Policy, scanOnlyReasons, unconfiguredReason } from "@charter/ir";
import { diffTargets, type TargetFiles, writeTargets } from "../atomic-write.js";
import { clockOf } from "../clock.js";
import { systemNamespacesOf } from "../config.js";
import { type Context, type PolicyOptions, projectPoliciesAndExceptions } from "../context.js";
import { unknownControlWarnings } from "../control-tags.js";
import { EXIT_FAILURE, EXIT_OK } from "../exit.js";
import { requireOpa } from "../require-opa.js";
import { parseBuildTargets, parseTargetOptions } from "../targets.js";
import { terminalText } from "../terminal-text.js";
import { parseWebhookOptions, type WebhookFlags } from "../webhook-options.js";

export interface BuildOptions extends PolicyOptions, WebhookFlags {
  readonly out: string;
  readonly target: string;
  readonly check?: boolean;
  readonly gatekeeperEngine?: string;
  readonly kyvernoApi?: string;
  readonly kyvernoExceptionNamespace?: string;
  /** The clock exceptions expire by: `YYYY-MM-DD` or an RFC 3339 date-time (default now). */
  readonly now?: string;
  /** Also compile the Rego target to `DIR/wasm/` with the real `opa build -t wasm`. */
  readonly wasm?: boolean;
}

/** `DIR/wasm/`: the Rego target's policies through `opa build -t wasm` (see emitWasm). */
async function compileWasm(
  policies: readonly Policy[],
  systemNamespaces: readonly string[],
): Promise<ReadonlyMap<string, string | Uint8Array>> {
  const opaPath = requireOpa("charter build --wasm");
  return emitWasm(policiesFor(policies, "rego"), { opaPath, systemNamespaces });
}

export async function build(ctx: Context, options: BuildOptions): Promise<number> {
  const { targets, webhook } = parseBuildTargets(options.target);
  const { policies, exceptions, config } = await projectPoliciesAndExceptions(ctx, options);
  const systemNamespaces = systemNamespacesOf(config);
  const webhookOptions = parseWebhookOptions(options, webhook, systemNamespaces, ctx.cwd);
  for (const warning of unknownControlWarnings(policies, ctx.cwd))
    ctx.output.err(terminalText(warning));
  const targetOptions = parseTargetOptions(options, systemNamespaces);
  // The clock: targets without one (CEL folded into VAP, Kyverno) get the exceptions in force.
  const now = clockOf(options.now);
  // Everything is compiled in memory first: a policy that fails to compile writes nothing.
  const compiled: Map<string, ReadonlyMap<string, string | Uint8Array>> = compileTargets(
    policies,
    targets,
    targetOptions,
    exceptions,
    now,
  );
  if (options.wasm) compiled.set("wasm", await compileWasm(policies, systemNamespaces));
  if (webhookOptions) compiled.set("webhook", emitWebhook(policies, webhookOptions));
  const built: TargetFiles = compiled;
  const configured = policies.filter((policy) => {
    const unconfigured = unconfiguredReason(policy);
    if (unconfigured === undefined) return true;
    // Said where it would be built but for its keys (a target it excludes says so below).
    const wanted =
      webhookOptions !== undefined ||
      targets.some((target) => policy.excludeTargets?.[target] === undefined);
    if (wanted) ctx.output.err(terminalText(`note: ${policy.name} is not built: ${unconfigured}`));
    return false;
  });
  for (const policy of policies) {
    const left = targets.filter((target) => policy.excludeTargets?.[target] !== undefined);
    if (left.length === 0) continue;
    const reasons = [...new Set(left.map((target) => policy.excludeTargets?.[target]))];
    ctx.output.err(
      terminalText(
        `note: ${policy.name} is not built for ${left.join(", ")}: ${reasons.join("; ")}`,
      ),
    );
  }
  if (webhookOptions) {
    for (const policy of policies.filter(isScanOnly)) {
      ctx.output.err(
        terminalText(
          `note: ${policy.name} is not routed to the webhook: ${scanOnlyReasons(policy).join("; ")}`,
        ),
      );
    }
  }
  const outDir = resolve(ctx.cwd, options.out);
  if (options.check) {
    // An exception shipped to a target without a clock goes on excusing after its expiry
    // until the artifacts are rebuilt: name it.
    const expired = targets.flatMap((target) => {
      const committed = (file: string) => {
        const path = join(outDir, target, file);
        return existsSync(path) ? readFileSync(path, "utf8") : undefined;
      };
      return expiredStillShipped(policies, target, targetOptions, exceptions, now, committed).map(
        (e) =>
          `expired  exception ${e.name} (${e.policy}, expired ${e.expires}) is still in the ${target} output`,
      );
    });
    for (const line of expired) ctx.output.out(line);
    const drift = diffTargets(outDir, built);
    const lines = [
      ...drift.changed.map((f) => `changed  ${f}`),
      ...drift.added.map((f) => `missing  ${f}`),
      ...drift.removed.map((f) => `extra    ${f}`),
    ];
    if (lines.length === 0 && expired.length === 0) {
      ctx.output.out(
        `${options.out}: up to date (${policiesCount(configured.length)}, ${[...built.keys()].join(", ")})`,
      );
      return EXIT_OK;
    }
    for (const line of lines) ctx.output.out(line);
    ctx.output.out(
      `${count(lines.length, "file")} ${lines.length === 1 ? "differs" : "differ"} from what the sources compile to; run \`charter build\``,
    );
    return EXIT_FAILURE;
  }
  writeTargets(outDir, built);
  const files = [...built.values()].reduce((n, files) => n + files.size, 0);
  ctx.output.out(
    `compiled ${policiesCount(configured.length)} to ${[...built.keys()].join(", ")}: ${count(files, "file")} in ${options.out}/`,
  );
  return EXIT_OK;
}
