/**
 * Stepping a type through a path, as the IR steps a value: a string key into an object or a
 * map, a number into a list. A step the type cannot take is a problem the author must fix.
 */
import { didYouMean, type Segment } from "@charter/ir";
import { ANY, describeType, type Ty, unionOf } from "./types.js";

export interface PathProblem {
  readonly message: string;
  readonly hint?: string;
}

export type PathResult =
  | { readonly ok: true; readonly type: Ty }
  | {
      readonly ok: false;
      readonly problem: PathProblem /** the failing segment */;
      readonly index: number;
    };

/** `c.securityContext.capabilities.add[0]`: how a path reads in messages. */
export function pathText(rootText: string, path: readonly Segment[]): string {
  let text = rootText;
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) text += text ? `.${segment}` : segment;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/** Resolves `path` from a value of `type` (read as `rootText` in messages). */
export function resolvePath(type: Ty, path: readonly Segment[], rootText: string): PathResult {
  let current = type;
  for (const [index, segment] of path.entries()) {
    const step = stepType(current, segment, pathText(rootText, path.slice(0, index)));
    if ("problem" in step) return { ok: false, problem: step.problem, index };
    current = step.type;
  }
  return { ok: true, type: current };
}

type Step = { readonly type: Ty } | { readonly problem: PathProblem };

/** One step from a value of `type`, which reads as `here` in messages. */
export function stepType(type: Ty, segment: Segment, here: string): Step {
  switch (type.kind) {
    case "any":
      return { type: ANY };
    case "union":
      return stepUnion(type.members, segment, here);
    case "list":
      if (typeof segment === "number") return { type: type.element };
      return {
        problem: {
          message: `\`${here}\` is a list, so it has no field \`${segment}\`; take an element with a quantifier (\`any x in ${here}: x.${segment} …\`) or an index`,
        },
      };
    case "map":
      if (typeof segment === "string") return { type: type.value };
      return { problem: notAList(type, segment, here) };
    case "object": {
      if (typeof segment === "number") return { problem: notAList(type, segment, here) };
      const field = type.field(segment);
      if (field) return { type: field };
      return { problem: unknownField(segment, type.name, type.fieldNames()) };
    }
    case "scalar":
      if (typeof segment === "number") return { problem: notAList(type, segment, here) };
      return {
        problem: {
          message: `\`${here}\` is ${describeType(type)}, so it has no field \`${segment}\``,
        },
      };
  }
}

function notAList(type: Ty, index: number, here: string): PathProblem {
  return {
    message: `\`${here}\` is ${describeType(type)}, not a list, so it has no element [${index}]`,
  };
}

/** A type with this few fields lists them when no field is near (`request`, `UserInfo`). */
const LISTED_FIELDS = 4;

function unknownField(field: string, on: string, fieldNames: readonly string[]): PathProblem {
  const hint =
    didYouMean(field, fieldNames, "nearest-one") ??
    (fieldNames.length <= LISTED_FIELDS
      ? `${on} has ${fieldNames.map((name) => `\`${name}\``).join(", ")}`
      : undefined);
  return { message: `unknown field \`${field}\` on ${on}`, ...(hint ? { hint } : {}) };
}

/**
 * A step into one of several types (the kinds a policy matches) succeeds when it succeeds
 * for any of them: the path is then valid for those, and simply missing on the rest.
 */
function stepUnion(members: readonly Ty[], segment: Segment, here: string): Step {
  const steps = members.map((member) => stepType(member, segment, here));
  const found = steps.flatMap((step) => ("type" in step ? [step.type] : []));
  if (found.length > 0) return { type: unionOf(found) };
  const objects = members.flatMap((member) => (member.kind === "object" ? [member] : []));
  if (typeof segment === "string" && objects.length === members.length) {
    const names = [...new Set(objects.map((object) => object.name))];
    const fieldNames = [...new Set(objects.flatMap((object) => object.fieldNames()))];
    return { problem: unknownField(segment, names.join(", "), fieldNames) };
  }
  const first = steps[0];
  return first && "problem" in first ? first : { type: ANY };
}
