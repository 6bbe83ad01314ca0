/** `--target` and the target options as the CLI reads them; the targets are @charter/compiler's. */
import {
  DEFAULT_TARGET_OPTIONS,
  KYVERNO_APIS,
  type KyvernoApi,
  TARGET_NAMES,
  TARGETS,
  type TargetName,
  type TargetOptions,
  WEBHOOK_TARGET,
} from "@charter/compiler";
import { CharterError } from "@charter/ir";

export function parseTargets(value: string, alsoAccepted = ""): TargetName[] {
  const names = value
    .split(",")
    .map((t) => t.trim())
    .flatMap((t): readonly string[] => (t === "all" ? TARGET_NAMES : [t]));
  for (const name of names) {
    if (!(name in TARGETS)) {
      throw new CharterError(
        `unknown target "${name}"`,
        {},
        `choose from ${TARGET_NAMES.join(", ")}, or all${alsoAccepted}`,
      );
    }
  }
  return [...new Set(names)] as TargetName[];
}

/** `charter build --target`: the policy targets, and whether the webhook's manifests are asked for. */
export interface BuildTargets {
  readonly targets: TargetName[];
  readonly webhook: boolean;
}

/**
 * The webhook is built only when named (`--target webhook`, or in a list such as
 * `all,webhook`): `all` means every policy target, not a deployment (see webhook-target.ts in
 * @charter/compiler for why).
 */
export function parseBuildTargets(value: string): BuildTargets {
  const names = value.split(",").map((t) => t.trim());
  const webhook = names.includes(WEBHOOK_TARGET);
  const others = names.filter((name) => name !== WEBHOOK_TARGET);
  const targets =
    webhook && others.length === 0
      ? []
      : parseTargets(others.join(","), ` (and ${WEBHOOK_TARGET}, built only when named)`);
  return { targets, webhook };
}

/** `systemNamespaces`: the config's (systemNamespacesOf), which every target leaves out. */
export function parseTargetOptions(
  options: {
    gatekeeperEngine?: string;
    kyvernoApi?: string;
    kyvernoExceptionNamespace?: string;
  },
  systemNamespaces: readonly string[],
): TargetOptions {
  const gatekeeperEngine = options.gatekeeperEngine ?? DEFAULT_TARGET_OPTIONS.gatekeeperEngine;
  if (gatekeeperEngine !== "rego" && gatekeeperEngine !== "cel") {
    throw new CharterError(
      `unknown Gatekeeper engine "${gatekeeperEngine}"`,
      {},
      "choose rego or cel",
    );
  }
  const kyvernoApi = options.kyvernoApi ?? DEFAULT_TARGET_OPTIONS.kyvernoApi;
  if (!(KYVERNO_APIS as readonly string[]).includes(kyvernoApi)) {
    throw new CharterError(
      `unknown Kyverno API "${kyvernoApi}"`,
      {},
      `choose ${KYVERNO_APIS.join(" or ")}`,
    );
  }
  return {
    gatekeeperEngine,
    kyvernoApi: kyvernoApi as KyvernoApi,
    systemNamespaces,
    ...(options.kyvernoExceptionNamespace
      ? { kyvernoExceptionNamespace: options.kyvernoExceptionNamespace }
      : {}),
  };
}
