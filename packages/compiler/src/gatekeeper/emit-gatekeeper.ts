/**
 * The Gatekeeper target (≥ 3.19): per policy a `templates.gatekeeper.sh/v1` ConstraintTemplate
 * and its Constraint (`constraints.gatekeeper.sh/v1beta1`), as `<policy>/template.yaml` and
 * `<policy>/constraint.yaml`. The template carries exactly one engine, so the one emitted is
 * the one Gatekeeper runs: Rego v1 in the `code` block (never the legacy `rego:` field, which
 * is always v0), or `K8sNativeValidation` (CEL) with `engine: "cel"`. A Rego template whose
 * policy reads other objects (its Namespace, `inventory(…)`) also gets `<policy>/syncset.yaml`,
 * the SyncSet that puts those kinds into `data.inventory` (see syncset.ts).
 */
import {
  CharterError,
  type Enforcement,
  type JsonObject,
  type Policy,
  type PolicyException,
} from "@charter/ir";
import { checkSystemNamespaces } from "../admission/system-namespaces.js";
import { GATEKEEPER_NO_REGISTRY, refuseImageRules } from "../images/refuse-image-rules.js";
import { exceptionData } from "../rego/exceptions-lib.js";
import { toYaml } from "../yaml.js";
import { celSource } from "./cel-source.js";
import { constraintMatch } from "./match.js";
import { checkTemplateName, gatekeeperKind, gatekeeperTemplateName } from "./names.js";
import { EXCEPTIONS_PARAMETER, gatekeeperLib, gatekeeperRego } from "./rego-source.js";
import { structuralSchema } from "./schema.js";
import { syncSet } from "./syncset.js";

export type GatekeeperEngine = "rego" | "cel";

export interface GatekeeperOptions {
  /** Which engine the template carries (`--gatekeeper-engine`); default `rego`. */
  readonly engine?: GatekeeperEngine;
  /**
   * Policy exceptions: each policy's go into its Constraint's `parameters.charterExceptions`,
   * which the Rego template reads (with Gatekeeper's clock for expiry). The CEL engine cannot
   * apply them: a policy with exceptions is a compile error there.
   */
  readonly exceptions?: readonly PolicyException[];
  /**
   * The policy set's system namespaces, left out by every Constraint's `excludedNamespaces`
   * (packages/ir/src/system-namespaces.ts). None by default; `charter build` passes the config's.
   */
  readonly systemNamespaces?: readonly string[];
}

/** The only target Gatekeeper registers. */
export const GATEKEEPER_TARGET = "admission.k8s.gatekeeper.sh";

const ENFORCEMENT_ACTIONS = {
  deny: "deny",
  warn: "warn",
  audit: "dryrun",
} as const satisfies Record<Enforcement, string>;

function code(policy: Policy, engine: GatekeeperEngine): JsonObject {
  if (engine === "cel") return { engine: "K8sNativeValidation", source: celSource(policy) };
  return {
    engine: "Rego",
    source: { version: "v1", rego: gatekeeperRego(policy), libs: [gatekeeperLib()] },
  };
}

export function constraintTemplate(policy: Policy, engine: GatekeeperEngine): JsonObject {
  return {
    apiVersion: "templates.gatekeeper.sh/v1",
    kind: "ConstraintTemplate",
    metadata: {
      name: gatekeeperTemplateName(policy),
      annotations: {
        "metadata.gatekeeper.sh/title": policy.title,
        description: policy.description,
      },
    },
    spec: {
      crd: {
        spec: {
          names: { kind: gatekeeperKind(policy) },
          validation: { legacySchema: false, openAPIV3Schema: structuralSchema(policy) },
        },
      },
      targets: [{ target: GATEKEEPER_TARGET, code: [code(policy, engine)] }],
    },
  };
}

export function constraint(
  policy: Policy,
  exceptions: readonly PolicyException[] = [],
  systemNamespaces: readonly string[] = [],
): JsonObject {
  const excused = exceptions.filter((e) => e.policy === policy.name);
  return {
    apiVersion: "constraints.gatekeeper.sh/v1beta1",
    kind: gatekeeperKind(policy),
    metadata: { name: policy.name },
    spec: {
      enforcementAction: ENFORCEMENT_ACTIONS[policy.enforcement],
      match: constraintMatch(policy, systemNamespaces),
      parameters: excused.length
        ? { ...policy.parameters.values, [EXCEPTIONS_PARAMETER]: excused.map(exceptionData) }
        : policy.parameters.values,
    },
  };
}

/**
 * Emits the Gatekeeper files of `policies`: relative path → contents, sorted by path. The
 * same policies give byte-identical output.
 */
export function emitGatekeeper(
  policies: readonly Policy[],
  options: GatekeeperOptions = {},
): Map<string, string> {
  const engine = options.engine ?? "rego";
  const systemNamespaces = checkSystemNamespaces(options.systemNamespaces ?? [], "gatekeeper");
  const byTemplate = new Map<string, Policy>();
  const files: [string, string][] = [];
  for (const policy of policies) {
    refuseImageRules(policy, "gatekeeper", GATEKEEPER_NO_REGISTRY);
    checkTemplateName(policy);
    const name = gatekeeperTemplateName(policy);
    const other = byTemplate.get(name);
    if (other !== undefined) {
      throw new CharterError(
        `policies "${other.name}" and "${policy.name}" share the Gatekeeper template "${name}" (kinds are the names without dashes); target "gatekeeper" needs distinct ones: rename one`,
        policy.source ?? {},
      );
    }
    byTemplate.set(name, policy);
    files.push([`${policy.name}/template.yaml`, toYaml([constraintTemplate(policy, engine)])]);
    const exceptions = options.exceptions ?? [];
    if (engine === "cel" && exceptions.some((e) => e.policy === policy.name)) {
      throw new CharterError(
        `policy "${policy.name}" has exceptions; target "gatekeeper" with the CEL engine cannot apply them (use the Rego engine, the default)`,
        policy.source ?? {},
      );
    }
    files.push([
      `${policy.name}/constraint.yaml`,
      toYaml([constraint(policy, exceptions, systemNamespaces)]),
    ]);
    const sync = engine === "rego" ? syncSet(policy) : undefined;
    if (sync !== undefined) files.push([`${policy.name}/syncset.yaml`, toYaml([sync])]);
  }
  files.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return new Map(files);
}
