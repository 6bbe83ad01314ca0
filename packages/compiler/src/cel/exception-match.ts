/**
 * Policy exceptions in CEL, for the targets that cannot carry an exception as its own object
 * (ValidatingAdmissionPolicy), or not for some rules only (Kyverno's ValidatingPolicy), or not
 * every match field (Kyverno's ClusterPolicy and images): `exceptionMatchCel` says whether an
 * exception's `match` holds for `object` (IR semantics, packages/ir/src/exception.ts), and
 * `foldExceptions` makes each excused rule's validation `<excused> || <rule holds>`.
 *
 * The expression reads only `object` (no `variables`): Kyverno evaluates an exception's match
 * conditions before the policy's variables, and a VAP match condition cannot read them either.
 * Every step is guarded, so it never errors (an error would deny on `failurePolicy: Fail`).
 *
 * CEL has no clock in any of these engines: an exception folded here applies until the
 * artifacts are rebuilt without it (`charter build` drops expired exceptions and
 * `charter build --check` fails once one has expired).
 */
import {
  CONTAINER_LISTS,
  globToRe2,
  type KindRef,
  POD_CONTROLLERS,
  POD_KIND,
  type PolicyException,
  type Segment,
} from "@charter/ir";
import { name } from "./cel-expr.js";
import { celString } from "./escape.js";
import { labelSelectorTests } from "./label-selector.js";
import { printCel } from "./print-cel.js";
import { safePath } from "./safe-path.js";
import type { CelPolicy } from "./types.js";

const at = (base: string, path: readonly Segment[]) =>
  `(${printCel(safePath(name(base), path).expr)})`;

/** `[value].map(name, body)[0]`: binds a value once (no cel.bind in the Kubernetes env). */
const bind = (value: string, name: string, body: string) => `[${value}].map(${name}, ${body})[0]`;

const list = (items: readonly string[]) => `[${items.map(celString).join(", ")}]`;

/** Any of the globs matches the string `s` (anchored RE2, the IR's glob translation). */
const globsMatch = (globs: readonly string[], s: string) =>
  `(${globs.map((glob) => `${s}.matches(${celString(globToRe2(glob))})`).join(" || ")})`;

/** `av` (apiVersion, "" when not a string) has the API group `group` (`apps/v1` → apps). */
const inGroup = (group: string, av: string) =>
  group === "" ? `!${av}.contains("/")` : `${av}.startsWith(${celString(`${group}/`)})`;

const isKind = (ref: KindRef, av: string, kd: string) =>
  `(${kd} == ${celString(ref.kind)} && ${inGroup(ref.group, av)})`;

/**
 * The pod view's spec: a Pod's own, a controller's template's, null for any other kind. The
 * paths are read from `dyn(object)`: the API server type-checks the expression once per matched
 * kind, and a Pod has no `spec.template` (an "undefined field" warning, though never reached).
 */
function podSpec(object: string, av: string, kd: string): string {
  const anyKind = `dyn(${object})`;
  const sources: [KindRef, readonly Segment[]][] = [
    [POD_KIND, ["spec"]],
    ...POD_CONTROLLERS.map((c): [KindRef, readonly Segment[]] => [c, [...c.template, "spec"]]),
  ];
  return sources.reduceRight(
    (otherwise, [ref, path]) => `${isKind(ref, av, kd)} ? ${at(anyKind, path)} : (${otherwise})`,
    "null",
  );
}

/** Every container (containers, init, ephemeral) has an image matching a glob; at least one. */
function imagesMatch(globs: readonly string[], spec: string): string {
  const lists = CONTAINER_LISTS.map(
    (name) => `(has(${spec}.${name}) && type(${spec}.${name}) == list ? ${spec}.${name} : [])`,
  ).join(" + ");
  const everyImage = `xcs.all(xc, type(xc) == map && "image" in xc && type(xc.image) == string && ${globsMatch(globs, "xc.image")})`;
  return `type(${spec}) == map && ${bind(`dyn(${lists})`, "xcs", `size(xcs) > 0 && ${everyImage}`)}`;
}

/** Whether the exception's `match` holds for `object` (the policy and rules aside). */
export function exceptionMatchCel(exception: PolicyException, object: string): string {
  const { namespaces, names, kinds, labels, images } = exception.match;
  const tests: string[] = [];
  if (namespaces) {
    tests.push(
      `type(xmd) == map && has(xmd.namespace) && type(xmd.namespace) == string && xmd.namespace in ${list(namespaces)}`,
    );
  }
  if (names) {
    // The row's name: metadata.name, else generateName (an object not yet named), else "".
    const nonEmpty = (field: string) =>
      `type(xmd) == map && has(xmd.${field}) && type(xmd.${field}) == string && xmd.${field} != ""`;
    const name = `${nonEmpty("name")} ? string(xmd.name) : ${nonEmpty("generateName")} ? string(xmd.generateName) : ""`;
    tests.push(bind(name, "xnm", globsMatch(names, "xnm")));
  }
  if (kinds) tests.push(`(${kinds.map((ref) => isKind(ref, "xav", "xkd")).join(" || ")})`);
  if (labels) {
    const selector = labelSelectorTests(labels, "xlb");
    if (selector.length > 0) {
      const labelsValue = `type(xmd) == map && has(xmd.labels) ? xmd.labels : null`;
      tests.push(bind(labelsValue, "xlb", selector.join(" && ")));
    }
  }
  if (images) {
    // No pod view unless apiVersion and kind are both strings (as the IR reads a kind).
    const typed = ["apiVersion", "kind"].map((f) => `type(${at(object, [f])}) == string`);
    const spec = bind(podSpec(object, "xav", "xkd"), "xps", imagesMatch(images, "xps"));
    tests.push(`(${typed.join(" && ")} && ${spec})`);
  }
  if (tests.length === 0) return "true";
  const text = (path: string) =>
    `type(${at(object, [path])}) == string ? ${at(object, [path])} : ""`;
  return bind(
    at(object, ["metadata"]),
    "xmd",
    bind(text("apiVersion"), "xav", bind(text("kind"), "xkd", tests.join(" && "))),
  );
}

/** The exceptions that excuse `rule` of the policy, in order. */
export function exceptionsForRule(
  exceptions: readonly PolicyException[],
  policy: string,
  rule: string,
): PolicyException[] {
  return exceptions.filter(
    (e) => e.policy === policy && (e.rules === undefined || e.rules.includes(rule)),
  );
}

/** The rule's validation holds when an exception excuses the resource: `<excused> || <holds>`. */
export function foldExceptions(
  policy: string,
  cel: CelPolicy,
  exceptions: readonly PolicyException[],
  object: string,
): CelPolicy {
  if (exceptions.length === 0) return cel;
  return {
    ...cel,
    validations: cel.validations.map((validation) => {
      const covering = exceptionsForRule(exceptions, policy, validation.rule);
      if (covering.length === 0) return validation;
      const excused = covering.map((e) => `(${exceptionMatchCel(e, object)})`).join(" || ");
      return { ...validation, expression: `${excused} || (${validation.expression})` };
    }),
  };
}
