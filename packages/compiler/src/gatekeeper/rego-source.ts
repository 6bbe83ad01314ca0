/**
 * The Rego inside a ConstraintTemplate: the Rego target's policy package, reading the object
 * at `input.review.object` and the Constraint's parameters at `input.parameters`, with the
 * `violation` rule Gatekeeper requires (one element per witness, each with `msg` and
 * `details`), and the shared helpers shipped in the template's `libs`.
 *
 * Why libs and not inlined: the helpers are one module, byte-identical in every template, and
 * Gatekeeper gives each template its own copy of its libs (it rewrites their packages), so
 * shipping them as a lib keeps the policy package a direct transcription, as in the Rego
 * target. Gatekeeper requires a lib's package to sit strictly below `lib`: `lib.charter`.
 * No `import rego.v1`: `source.version: "v1"` selects Rego v1, and Gatekeeper rejects the import.
 */
import type { Policy } from "@charter/ir";
import { emitLib, emitPolicy, regoString } from "../rego/index.js";
import { gatekeeperTemplateName } from "./names.js";

/** The object under review, as Gatekeeper hands it to a template. */
export const GATEKEEPER_OBJECT = "input.review.object";

/** The package of the helpers, below `lib` as Gatekeeper requires of libs. */
export const GATEKEEPER_LIB_PACKAGE = "lib.charter";

/** The helpers every template ships in `libs` (the same text in each). */
export function gatekeeperLib(): string {
  return emitLib({
    packageName: GATEKEEPER_LIB_PACKAGE,
    object: GATEKEEPER_OBJECT,
    admission: { kind: "gatekeeper", review: "input.review" },
    // The Constraint's excludedNamespaces leaves the system namespaces out.
    systemNamespaces: false,
  });
}

/** The package of a template's Rego (Gatekeeper renames it; engines load it under this name). */
export function gatekeeperPackage(policy: Pick<Policy, "name">): string {
  return gatekeeperTemplateName(policy);
}

/** The Constraint parameter holding the policy's exceptions (never a policy parameter). */
export const EXCEPTIONS_PARAMETER = "charterExceptions";

/** The template's Rego module. */
export function gatekeeperRego(policy: Policy): string {
  const details = `{"policy": ${regoString(policy.name)}, "rule": finding.rule, "severity": ${regoString(policy.severity)}, "witness": finding.witness}`;
  const violation = [
    "# What Gatekeeper reports: one violation per witness; details.witness orders them.",
    `violation contains {"msg": finding.message, "details": ${details}} if {`,
    "\tsome finding in findings",
    "\tcount(excused_by(finding.rule)) == 0",
    "}",
  ].join("\n");
  return emitPolicy(policy, {
    packageName: gatekeeperPackage(policy),
    libImport: `import data.${GATEKEEPER_LIB_PACKAGE} as lib`,
    object: GATEKEEPER_OBJECT,
    // The Constraint carries every value; the CRD's schema defaults fill any it leaves out.
    params: 'object.get(input, "parameters", {})',
    violations: violation,
    exceptions: `object.get(input, ["parameters", ${regoString(EXCEPTIONS_PARAMETER)}], [])`,
    target: "gatekeeper",
    systemNamespaces: false,
  });
}
