/**
 * Parameter values checked against a policy: their schema (with the misspelt key named and
 * the nearest parameter suggested, not JSON Schema's "additional properties"), and every value
 * the rules use as a regular expression against RE2, as a literal pattern is — a pattern
 * Kubernetes' CEL environment or OPA would reject must not reach a build.
 */
import type { ErrorObject } from "ajv";
import { didYouMean } from "./did-you-mean.js";
import { CharterError, type ErrorLocation } from "./errors.js";
import type { Json, JsonObject } from "./json.js";
import { type Ajv, newAjv } from "./lazy-ajv.js";
import { paramPatternPaths } from "./param-patterns.js";
import type { Rule } from "./policy.js";
import { patternProblem } from "./re2-pattern.js";

/** One bad value: where it is under `params`, what is wrong, and what to do. */
export interface ParamProblem {
  /** Keys and list indexes below `params`. */
  readonly path: readonly (string | number)[];
  readonly message: string;
  readonly hint?: string;
}

let ajv: Ajv | undefined;
const compiled = new WeakMap<JsonObject, ReturnType<Ajv["compile"]>>();

/** Every problem of `values` (the merged parameter object) for a policy's schema and rules. */
export function paramProblems(
  schema: JsonObject,
  values: JsonObject,
  rules: readonly Rule[] = [],
): ParamProblem[] {
  ajv ??= newAjv();
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  if (!validate(values)) return (validate.errors ?? []).map((e) => schemaProblem(schema, e));
  return patternProblems(values, rules);
}

/** Throws one error listing every problem of `values`, titled `what`, at `at`. */
export function validateValues(
  schema: JsonObject,
  values: JsonObject,
  what: string,
  at: ErrorLocation,
  rules: readonly Rule[] = [],
): void {
  const problems = paramProblems(schema, values, rules);
  if (problems.length === 0) return;
  const [first] = problems;
  throw new CharterError(
    `${what}: ${problems.map((p) => `${paramPathText(p.path)} ${p.message}`).join("; ")}`,
    at,
    first?.hint,
  );
}

/** `params.allowed.0`: how errors name a parameter value. */
export function paramPathText(path: readonly (string | number)[]): string {
  return ["params", ...path].join(".");
}

function schemaProblem(schema: JsonObject, error: ErrorObject): ParamProblem {
  const path = error.instancePath
    .split("/")
    .slice(1)
    .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const known = Object.keys(propertiesAt(schema, path));
  if (error.keyword === "additionalProperties") {
    const key = String(error.params.additionalProperty);
    const suggestion = didYouMean(key, known);
    return {
      path: [...path, key],
      message: `is not a parameter of this policy${suggestion ? `; ${suggestion}` : ""}`,
      hint: known.length ? `its parameters are ${known.join(", ")}` : "it takes no parameters",
    };
  }
  if (error.keyword === "required") {
    return {
      path: [...path, String(error.params.missingProperty)],
      message: "must be given (it has no default)",
    };
  }
  return { path, message: error.message ?? "is not valid" };
}

/** The `properties` of the object schema a path leads to (empty when it leads elsewhere). */
function propertiesAt(schema: JsonObject, path: readonly (string | number)[]): JsonObject {
  let at: Json | undefined = schema;
  for (const segment of path) {
    if (!isObject(at)) return {};
    at = typeof segment === "number" ? at.items : propertiesOf(at)[segment];
  }
  return isObject(at) ? propertiesOf(at) : {};
}

function propertiesOf(schema: JsonObject): JsonObject {
  return isObject(schema.properties) ? schema.properties : {};
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function patternProblems(values: JsonObject, rules: readonly Rule[]): ParamProblem[] {
  const problems: ParamProblem[] = [];
  for (const pattern of paramPatternPaths(rules)) {
    for (const { path, value } of resolve(values, pattern)) {
      if (typeof value !== "string") continue;
      const problem = patternProblem(value);
      if (problem) problems.push({ path, message: problem.message, hint: problem.hint });
    }
  }
  return problems;
}

/** The values a path with `*` (every element or entry) names, each with its concrete path. */
function resolve(
  value: Json | undefined,
  pattern: readonly (string | number)[],
  at: readonly (string | number)[] = [],
): { path: (string | number)[]; value: Json }[] {
  if (value === undefined || value === null) return [];
  const [head, ...rest] = pattern;
  if (head === undefined) return [{ path: [...at], value }];
  if (head === "*") {
    if (Array.isArray(value)) return value.flatMap((v, i) => resolve(v, rest, [...at, i]));
    if (isObject(value))
      return Object.entries(value).flatMap(([k, v]) => resolve(v, rest, [...at, k]));
    return [];
  }
  if (Array.isArray(value))
    return typeof head === "number" ? resolve(value[head], rest, [...at, head]) : [];
  if (isObject(value) && typeof head === "string" && Object.hasOwn(value, head))
    return resolve(value[head], rest, [...at, head]);
  return [];
}
