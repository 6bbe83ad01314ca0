/**
 * Which images an image policy judges (`ImageRules.references`: globs over the reference as
 * written, DESIGN's one glob definition; empty: every image), as each Kyverno API selects them.
 *
 * - ImageValidatingPolicy `matchImageReferences`: one CEL `expression` entry per glob,
 *   `ref.matches('<globToRe2(glob)>')`, never a `glob` entry. Kyverno compiles `glob` with
 *   gobwas/glob (pkg/cel/compiler/compiler.go `CompileMatchImageReference`), which reads `[…]`,
 *   `{a,b}`, `**` and `\` specially where Charter's glob has only `*` and `?`. Kyverno matches
 *   these against the image strings its extractors give (here: the references as written, see
 *   image-validating-policy.ts) and skips images none matches, in `images` and in its
 *   verification functions alike.
 * - ClusterPolicy `imageReferences`: Kyverno's wildcard (IGLOU-EU/go-wildcard 1.0.3: `*` any run,
 *   `?` one character — Charter's glob), but matched against Kyverno's *normalised* reference
 *   (pkg/utils/image/infos.go: the default registry added to a reference without one, `:latest`
 *   to one without tag or digest, the tag dropped when a digest is present). Only two glob shapes
 *   select the same images there as on the reference as written: `*`, and
 *   `<registry>/<path prefix>*` where the registry has a `.` or `:` or is `localhost` (Kyverno
 *   adds no default registry in front of it) and the prefix has no `:`, `@`, `*` or `?` (it ends
 *   before the tag or digest). Any other glob is a compile error on that API. (An operator who
 *   sets Kyverno's default registry to such a registry makes Kyverno judge more images, never
 *   fewer.)
 */
import { CharterError, globToRe2, type Policy } from "@charter/ir";
import { celString } from "../cel/index.js";
import { kyvernoPlainText } from "./escape.js";

/** `spec.matchImageReferences` of an ImageValidatingPolicy; absent when every image is judged. */
export function matchImageReferences(
  references: readonly string[],
): readonly { expression: string }[] | undefined {
  if (references.length === 0) return undefined;
  return references.map((glob) => ({ expression: `ref.matches(${celString(globToRe2(glob))})` }));
}

/** `<registry>/<path prefix>*`, the registry as Kyverno keeps it unprefixed. */
const REGISTRY_PREFIX = /^(?<registry>[^/*?@]+)\/[^*?:@]*\*$/;

function meansTheSame(glob: string): boolean {
  if (glob === "*") return true;
  const registry = REGISTRY_PREFIX.exec(glob)?.groups?.registry;
  if (registry === undefined) return false;
  return registry.includes(".") || registry.includes(":") || registry === "localhost";
}

/** `verifyImages[].imageReferences` of a ClusterPolicy rule judging `requirement`. */
export function clusterPolicyImageReferences(
  policy: Policy,
  requirement: string,
): readonly string[] {
  const references = policy.images?.references ?? [];
  if (references.length === 0) return ["*"];
  return references.map((glob) => {
    const refuse = (what: string) =>
      new CharterError(
        `policy "${policy.name}", rule "${requirement}": the image reference glob ${JSON.stringify(glob)} ${what}; target "kyverno" (--kyverno-api clusterpolicy) cannot express it`,
        policy.source ?? {},
        "use the ImageValidatingPolicy (the default Kyverno API), which matches the reference as written",
      );
    kyvernoPlainText(glob, () => refuse('contains "{{" or "$(", which Kyverno substitutes'));
    if (!meansTheSame(glob)) {
      throw refuse(
        "would be matched against Kyverno's normalised reference (default registry and `:latest` added, a tag before a digest dropped), not the reference as written; only `*` and `<registry with . or :>/<path prefix>*` mean the same there",
      );
    }
    return glob;
  });
}
