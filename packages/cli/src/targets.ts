/** `--target` and the target options as the CLI reads them; the targets are @charter/compiler's. */
import {
  DEFAULT_TARGET_OPTIONS,
  KYVERNO_APIS,
  type KyvernoApi,
  TARGET_NAMES,
  TARGETS,
  type TargetName,
  type TargetOptions,
} from "@charter/compiler";
import { CharterError } from "@charter/ir";

export function parseTargets(value: string): TargetName[] {
  const names = value === "all" ? TARGET_NAMES : value.split(",").map((t) => t.trim());
  for (const name of names) {
    if (!(name in TARGETS)) {
      throw new CharterError(
        `unknown target "${name}"`,
        {},
        `choose from ${TARGET_NAMES.join(", ")}, or all`,
      );
    }
  }
  return [...new Set(names)] as TargetName[];
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
