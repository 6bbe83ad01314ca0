/**
 * Image requirements (packages/ir images.ts) as ImageValidatingPolicy CEL, one variable and one
 * validation each. The variable lists the judged images that fail the requirement, in the pod
 * view's order; the validation holds when it is empty, and its message names the first.
 * `variables.charterImages` is every judged image: Kyverno's `images` lists, which this policy's
 * own extractors fill with the pod view's references as written and `matchImageReferences`
 * filters (image-validating-policy.ts).
 *
 * Kyverno's image functions (pkg/cel/libs/imageverify, Kyverno 1.19.1):
 * - `verifyImageSignatures(image, [attestors…])` returns the NUMBER of the given attestors that
 *   verified a signature of the image (an `int`; 0 for an image `matchImageReferences` skips):
 *   `signature` with `count` N is `>= N`.
 * - `verifyAttestationSignatures(image, attestations.x, [attestors…])` the same for an in-toto
 *   attestation of the predicate type `spec.attestations[x].intoto.type`; it records the verified
 *   statements, which `extractPayload(image, attestations.x)` then returns: the whole in-toto
 *   Statement (`_type`, `subject`, `predicateType`, `predicate`; cosign's
 *   `AttestationToPayloadJSON`), so the IR's `predicate` is its `predicate` field. Kyverno keeps
 *   one statement per predicate type (the last verified one), so with several attestations of a
 *   type the condition judges that one, where the IR asks whether some one holds: stricter,
 *   never weaker.
 * - `time.now()` (Kyverno's `time` library) is the judging instant for `maxAge`.
 * An evaluation error (registry unreachable, malformed material) fails the policy closed
 * (`failurePolicy: Fail`).
 */
import {
  CharterError,
  type ImageRequirement,
  type MaxAge,
  type Policy,
  type PolicyException,
  PREDICATE_VARIABLE,
  type Segment,
} from "@charter/ir";
import type { NamedExpression } from "../admission/admission-spec.js";
import { name } from "../cel/cel-expr.js";
import {
  celString,
  celSubject,
  emitCelCondition,
  exceptionMatchCel,
  exceptionsForRule,
} from "../cel/index.js";
import { printCel } from "../cel/print-cel.js";
import { safePath } from "../cel/safe-path.js";
import { type KyvernoAttestor, kyvernoAttestorsOf } from "./image-attestors.js";

/** Every judged image of the pod view, in order (Kyverno's filtered `images` lists). */
export const IMAGES_VARIABLE = "charterImages";
export const IMAGES_EXPRESSION =
  "images.containers + images.initContainers + images.ephemeralContainers";

/** The message of every Kyverno image check, with the requirement's name. */
export interface ImageValidation {
  readonly expression: string;
  readonly messageExpression: string;
  readonly message: string;
}

/**
 * RFC 3339 date-time (`2024-05-01T12:00:00Z`, `…+02:00`, with fractional seconds), years 0001 to
 * 9999: what CEL's `timestamp()` parses without an error. A value it refuses is too old, as the
 * IR says. (A date such as 02-30 passes this test and makes `timestamp()` fail: an error, which
 * fails the policy closed.)
 */
const RFC3339 =
  "^([0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$";

/** CEL durations are int64 nanoseconds (±292 years): a longer maxAge cannot be written. */
const MAX_AGE_DAYS = 100_000;

function unsupported(policy: Policy, requirement: string, what: string): CharterError {
  return new CharterError(
    `policy "${policy.name}", rule "${requirement}": ${what}; target "kyverno" cannot express it`,
    policy.source ?? {},
  );
}

/** `[attestors["a"], attestors["b"]]`: every Kyverno attestor of the named Charter attestors. */
function attestorList(attestors: readonly KyvernoAttestor[]): string {
  return `[${attestors.map((attestor) => `attestors[${celString(attestor.name)}]`).join(", ")}]`;
}

/**
 * At least `count` of the named attestors signed the image. A `keys` attestor is several Kyverno
 * attestors counted as one: with a count above 1, each Charter attestor is its own term.
 */
function signedByCel(policy: Policy, names: readonly string[], count: number): string {
  const groups = names.map((name) => kyvernoAttestorsOf(policy, name));
  if (count === 1 || groups.every((group) => group.length === 1)) {
    return `verifyImageSignatures(img, ${attestorList(groups.flat())}) >= ${count}`;
  }
  const terms = groups.map(
    (group) => `(verifyImageSignatures(img, ${attestorList(group)}) > 0 ? 1 : 0)`,
  );
  return `${terms.join(" + ")} >= ${count}`;
}

function seconds(days: number): string {
  const value = days * 86_400;
  return Number.isInteger(value) ? `${value}s` : `${value.toFixed(9).replace(/0+$/, "")}s`;
}

/**
 * True when the RFC 3339 instant at `path` under `variable` is at most `days` days before `now`
 * (a CEL timestamp; Kyverno's `time.now()` in policies, a fixed instant in tests).
 */
export function recentEnoughCel(
  policy: Policy,
  requirement: string,
  variable: string,
  maxAge: MaxAge,
  now = "time.now()",
): string {
  if (!(maxAge.days <= MAX_AGE_DAYS)) {
    throw unsupported(
      policy,
      requirement,
      `maxAge of ${maxAge.days} days is longer than a CEL duration (at most ${MAX_AGE_DAYS} days here)`,
    );
  }
  const value = printCel(safePath(name(variable), maxAge.path as readonly Segment[]).expr);
  return `[${value}].map(t, type(t) == string && t.matches(${celString(RFC3339)}) && timestamp(t) >= ${now} - duration(${celString(seconds(maxAge.days))}))[0]`;
}

function describeAttestors(names: readonly string[]): string {
  return names.map((n) => `"${n}"`).join(", ");
}

/** The CEL that holds for an image (`image`) meeting a signature or attestation requirement. */
function imageHolds(policy: Policy, requirement: ImageRequirement): string {
  switch (requirement.kind) {
    case "digest":
      // The IR's `matches` (RE2, partial) of pinnedDigest's pattern on the reference as written.
      return `img.matches(${celString("@sha256:[0-9a-f]{64}$")})`;
    case "signature":
      return signedByCel(policy, requirement.attestors, requirement.count);
    case "attestation": {
      const attestation = `attestations[${celString(requirement.name)}]`;
      const verified = `verifyAttestationSignatures(img, ${attestation}, ${attestorList(requirement.attestors.flatMap((n) => kyvernoAttestorsOf(policy, n)))}) > 0`;
      if (requirement.condition === undefined && requirement.maxAge === undefined) return verified;
      const predicate = "predicate";
      const tests: string[] = [];
      if (requirement.condition !== undefined) {
        tests.push(
          emitCelCondition(
            policy,
            {
              params: "inline",
              object: "object",
              target: "kyverno",
              imageRules: "judged-by-target",
            },
            {
              name: requirement.name,
              condition: requirement.condition,
              message: { template: "", parts: [] },
            },
            new Map([[PREDICATE_VARIABLE, predicate]]),
          ),
        );
      }
      if (requirement.maxAge !== undefined) {
        tests.push(recentEnoughCel(policy, requirement.name, predicate, requirement.maxAge));
      }
      const statementPredicate = printCel(safePath(name("statement"), ["predicate"]).expr);
      const body = tests.map((test) => `(${test})`).join(" && ");
      // `&&` stops at a false left side: a statement is read only once one verified.
      return `${verified} && [extractPayload(img, ${attestation})].map(statement, [${statementPredicate}].map(${predicate}, ${body})[0])[0]`;
    }
    case "vulnerabilities":
      throw unsupported(
        policy,
        requirement.name,
        "Kyverno cannot read scanner reports; use a cosign vuln attestation requirement or Charter's webhook",
      );
  }
}

function failure(policy: Policy, requirement: ImageRequirement): string {
  switch (requirement.kind) {
    case "digest":
      return "does not pin a digest (@sha256:…)";
    case "signature":
      return requirement.count === 1
        ? `is not signed by any of the attestors ${describeAttestors(requirement.attestors)}`
        : `is not signed by at least ${requirement.count} of the attestors ${describeAttestors(requirement.attestors)}`;
    case "attestation":
      return `has no attestation of type "${requirement.predicateType}" signed by one of the attestors ${describeAttestors(requirement.attestors)}${requirement.condition || requirement.maxAge ? " whose predicate meets the requirement" : ""}`;
    case "vulnerabilities":
      throw unsupported(policy, requirement.name, "Kyverno cannot read scanner reports");
  }
}

/**
 * The variables (`charterImages`, then one per requirement) and validations of the policy's
 * image requirements. `folded`: exceptions for some requirements only, folded into their
 * validations as `<excused> || <holds>` (as ../cel/exception-match.ts does for rules).
 */
export function imageRequirementChecks(
  policy: Policy,
  folded: readonly PolicyException[] = [],
): {
  readonly variables: readonly NamedExpression[];
  readonly validations: readonly ImageValidation[];
} {
  const requirements = policy.images?.requirements ?? [];
  const variables: NamedExpression[] = [{ name: IMAGES_VARIABLE, expression: IMAGES_EXPRESSION }];
  const validations: ImageValidation[] = [];
  requirements.forEach((requirement, index) => {
    const failing = `charterFailing${index}`;
    variables.push({
      name: failing,
      expression: `variables.${IMAGES_VARIABLE}.filter(img, !(${imageHolds(policy, requirement)}))`,
    });
    const what = failure(policy, requirement);
    const suffix = ` (requirement "${requirement.name}")`;
    const holds = `size(variables.${failing}) == 0`;
    const object = celSubject(policy, { params: "inline", object: "object" });
    const covering = exceptionsForRule(folded, policy.name, requirement.name);
    const excused = covering.map((e) => `(${exceptionMatchCel(e, object)})`).join(" || ");
    validations.push({
      expression: excused === "" ? holds : `${excused} || (${holds})`,
      messageExpression: `${celString("image ")} + string(variables.${failing}[0]) + ${celString(` ${what}${suffix}`)}`,
      message: `an image ${what}${suffix}`,
    });
  });
  return { variables, validations };
}
