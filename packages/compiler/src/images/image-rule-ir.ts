/**
 * What of an image rule needs no registry, written as plain IR so that every emitter compiles it
 * with the semantics it already proves (glob, `matches`, the pod view's containers):
 *
 * - which images a policy judges: the pod view's containers (`containers`, `initContainers`,
 *   `ephemeralContainers`) whose reference as written one of `references` matches (an empty
 *   list: every image, i.e. every string — the glob `*` matches exactly the strings);
 * - the `digest` requirement: such an image's reference as written pins a digest
 *   (`pinnedDigest` of @charter/ir: `…@sha256:<64 lower-case hex>` at the very end).
 */
import {
  and,
  type Expr,
  type ImageRequirement,
  literal,
  not,
  or,
  type Policy,
  quantifier,
  type Rule,
  ref,
  stringTest,
} from "@charter/ir";

/** RE2 partial match of a reference that pins a digest (the same as `pinnedDigest`). */
export const PINNED_DIGEST_RE2 = "@sha256:[0-9a-f]{64}$";

/** The IR variable a container is bound to in the conditions built here. */
export const CONTAINER_VARIABLE = "c";

const image = ref({ kind: "var", name: CONTAINER_VARIABLE }, ["image"]);

/** True when `reference` (an IR string expression) is an image the policy judges. */
export function imageSelected(reference: Expr, references: readonly string[]): Expr {
  const globs = references.length > 0 ? references : ["*"];
  return or(globs.map((glob) => stringTest("glob", reference, literal(glob))));
}

/**
 * The `digest` requirement as a rule: it fails when some judged image of the pod view does not
 * pin a digest; the message names the first such image.
 */
export function digestRule(
  policy: Policy,
  requirement: Extract<ImageRequirement, { kind: "digest" }>,
): Rule {
  const references = policy.images?.references ?? [];
  const unpinned = and([
    imageSelected(image, references),
    not(stringTest("matches", image, literal(PINNED_DIGEST_RE2))),
  ]);
  return {
    name: requirement.name,
    condition: quantifier("any", CONTAINER_VARIABLE, ref({ kind: "containers" }), unpinned),
    message: {
      template: "image {{c.image}} does not pin a digest (@sha256:…)",
      parts: [
        { kind: "text", text: "image " },
        { kind: "hole", expr: image, source: "c.image" },
        { kind: "text", text: " does not pin a digest (@sha256:…)" },
      ],
    },
  };
}

/** The names of a policy's rules and image requirements, which name its verdicts. */
export function requirementNames(policy: Policy): readonly string[] {
  return [
    ...policy.rules.map((rule) => rule.name),
    ...(policy.images?.requirements ?? []).map((requirement) => requirement.name),
  ];
}
