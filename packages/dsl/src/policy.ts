/**
 * `policy(name, spec)`: checks the spec, lowers every condition and message, reads the cases,
 * runs the type checker, and returns the IR `Policy`, deeply frozen. Every error is a
 * `CharterError` naming the policy (and rule) with the file, line and column to fix.
 */
import {
  CharterError,
  DEFAULT_OPERATIONS,
  deepFreeze,
  didYouMean,
  type Enforcement,
  type ErrorLocation,
  type Expr,
  type Json,
  judgesOperation,
  LABEL_KEY_PATTERN,
  LABEL_VALUE_PATTERN,
  type LabelRequirement,
  type LabelSelector,
  type Match,
  type NamespaceFilter,
  OPERATIONS,
  type Operation,
  operationsOf,
  type Policy,
  paramPathText,
  paramProblems,
  type Rule,
  ruleNamesOf,
  type Severity,
  type SourceLocation,
  TARGET_NAMES,
  type TargetName,
  type TestCase,
  validateValues,
  walkExpr,
} from "@charter/ir";
import { isMatchMarker, isValue, MATCH, type MatchMarker, type Value } from "./builder.js";
import { type CallSite, callSite } from "./callsite.js";
import { type CaseLines, caseLines } from "./case-lines.js";
import { operationOf } from "./case-request.js";
import { type CaseEntry, lowerCases } from "./cases.js";
import { type ImagesSpec, imagesOf } from "./images.js";
import type { LowerContext } from "./lower-context.js";
import { lowerMessage } from "./message.js";
import { isParamSchema, objectSchema, type ParamSchema } from "./params.js";
import { Positions } from "./positions.js";
import { ExcerptedError } from "./source-excerpt.js";
import { offsetOf, sourceText } from "./source-text.js";
import { checkPolicyTypes } from "./typecheck/index.js";

export interface RuleSpec {
  /** The condition under which the rule fails the resource: `when\`…\`` or a builder. */
  readonly fail: Value;
  /** The finding's message; `{{expr}}` holes may use the witness variables and the roots. */
  readonly message: string;
  readonly remediation?: string;
}

export interface PolicySpec {
  readonly title: string;
  readonly description?: string;
  readonly severity: Severity;
  readonly category: string;
  readonly controls?: readonly string[];
  /** `pod`, `pod.only` or `kinds("v1/Service", …)`. */
  readonly match: MatchMarker;
  readonly namespaces?: NamespaceFilter;
  /**
   * A Kubernetes label selector on the resource's own labels (a controller's, not its pod
   * template's): `{ matchLabels: {app: "web"}, matchExpressions: [{key, operator, values}] }`.
   */
  readonly labels?: LabelSelector;
  /**
   * The admission operations judged: `["CREATE", "UPDATE", "DELETE"]`, or some of them;
   * CREATE and UPDATE when absent (packages/ir README, item 17).
   */
  readonly operations?: readonly Operation[];
  readonly enforcement?: Enforcement;
  readonly params?: Readonly<Record<string, ParamSchema>>;
  /** Rules over the resource; may be left out when `images` says what the policy checks. */
  readonly rules?: Readonly<Record<string, RuleSpec>>;
  /**
   * Requirements on the images a pod runs — signatures, attestations, a digest, a recent scan
   * (images.ts; packages/ir README, item 18). Only with `match: pod`.
   */
  readonly images?: ImagesSpec;
  readonly cases?: { readonly pass?: readonly CaseEntry[]; readonly fail?: readonly CaseEntry[] };
  /**
   * Targets this policy is not built for, each with the reason the docs and `charter build`
   * show: `{ vap: "CEL admission cannot list other objects" }`.
   */
  readonly excludeTargets?: Readonly<Partial<Record<TargetName, string>>>;
}

/** Several errors at once (the type checker reports them all); `errors` holds each. */
export class CharterErrors extends CharterError {
  constructor(readonly errors: readonly CharterError[]) {
    super(
      `${errors.length} errors:\n${errors.map((e) => `  ${e.format().replaceAll("\n", "\n  ")}`).join("\n")}`,
      errors[0]?.location ?? {},
      // No hint of its own: each error's hint is in the list, under that error.
    );
    // `name` stays "CharterError": isCharterError() recognises an error from another loaded
    // copy of the package (a policy file's, under a TypeScript loader) by it.
  }
}

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const RULE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SEVERITIES = ["critical", "high", "medium", "low", "info"] as const;
const ENFORCEMENTS = ["deny", "warn", "audit"] as const;
const SPEC_KEYS = [
  "title",
  "description",
  "severity",
  "category",
  "controls",
  "match",
  "namespaces",
  "labels",
  "operations",
  "enforcement",
  "params",
  "rules",
  "images",
  "cases",
  "excludeTargets",
];
const RULE_KEYS = ["fail", "message", "remediation"];

function excludedTargetsOf(
  value: unknown,
  at: ErrorLocation,
): Partial<Record<TargetName, string>> | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) {
    throw new CharterError("excludeTargets must be an object of target → reason", at);
  }
  checkKeys(value, TARGET_NAMES, "excludeTargets", at);
  const excluded: Partial<Record<TargetName, string>> = {};
  for (const [target, reason] of Object.entries(value)) {
    excluded[target as TargetName] = text(reason, `excludeTargets.${target}`, at, true);
  }
  return excluded;
}

/**
 * Re-throws a CharterError with the policy (and rule) named in front, as `policy "p", rule
 * "r": …`, showing the source line it points at. The innermost `within` names the most.
 */
function within(prefix: string, fallback: ErrorLocation, run: () => void): void {
  try {
    run();
  } catch (error) {
    if (!(error instanceof CharterError) || error instanceof CharterErrors) throw error;
    if (error instanceof ExcerptedError) throw error;
    const location = error.location.file !== undefined ? error.location : fallback;
    throw new ExcerptedError(`${prefix}: ${error.message}`, location, error.hint);
  }
}

function checkKeys(
  given: object,
  allowed: readonly string[],
  what: string,
  at: ErrorLocation,
): void {
  for (const key of Object.keys(given)) {
    if (!allowed.includes(key)) {
      const suggestion = didYouMean(key, allowed);
      throw new CharterError(
        `${what} has an unknown key \`${key}\`${suggestion ? `; ${suggestion}` : ""}`,
        at,
        `the keys are ${allowed.join(", ")}`,
      );
    }
  }
}

function oneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
  what: string,
  at: ErrorLocation,
): T {
  if (typeof value === "string" && (allowed as readonly string[]).includes(value))
    return value as T;
  throw new CharterError(
    `${what} must be one of ${allowed.join(", ")}, not ${JSON.stringify(value)}`,
    at,
  );
}

function text(value: unknown, what: string, at: ErrorLocation, required: boolean): string {
  if (value === undefined && !required) return "";
  if (typeof value === "string" && (value.length > 0 || !required)) return value;
  throw new CharterError(`${what} must be a${required ? " non-empty" : ""} string`, at);
}

function strings(value: unknown, what: string, at: ErrorLocation): string[] {
  if (value === undefined) return [];
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) return [...value];
  throw new CharterError(`${what} must be a list of strings`, at);
}

function namespacesOf(value: unknown, at: ErrorLocation): NamespaceFilter {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new CharterError("namespaces must be `{ include?: [...], exclude?: [...] }`", at);
  }
  const { include, exclude, ...extra } = value as Record<string, unknown>;
  checkKeys(extra, ["include", "exclude"], "namespaces", at);
  return {
    ...(include !== undefined ? { include: strings(include, "namespaces.include", at) } : {}),
    ...(exclude !== undefined ? { exclude: strings(exclude, "namespaces.exclude", at) } : {}),
  };
}

const LABEL_KEY = new RegExp(LABEL_KEY_PATTERN, "u");
const LABEL_VALUE = new RegExp(LABEL_VALUE_PATTERN, "u");
const LABEL_OPERATORS = ["In", "NotIn", "Exists", "DoesNotExist"] as const;
const LABEL_SYNTAX =
  "a label key is an optional DNS-subdomain prefix and `/`, then 1 to 63 letters, digits, `-`, `_` or `.` starting and ending with a letter or digit; a value is empty or such a name";

function labelKey(value: unknown, what: string, at: ErrorLocation): string {
  if (typeof value === "string" && LABEL_KEY.test(value)) return value;
  throw new CharterError(
    `${what} ${JSON.stringify(value)} is not a Kubernetes label key`,
    at,
    LABEL_SYNTAX,
  );
}

function labelValue(value: unknown, what: string, at: ErrorLocation): string {
  if (typeof value === "string" && LABEL_VALUE.test(value)) return value;
  throw new CharterError(
    `${what} ${JSON.stringify(value)} is not a Kubernetes label value`,
    at,
    LABEL_SYNTAX,
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function labelRequirement(value: unknown, index: number, at: ErrorLocation): LabelRequirement {
  const what = `labels.matchExpressions[${index}]`;
  if (!isPlainObject(value)) {
    throw new CharterError(`${what} must be \`{ key, operator, values? }\``, at);
  }
  checkKeys(value, ["key", "operator", "values"], what, at);
  const key = labelKey(value.key, `${what}.key`, at);
  const operator = oneOf(value.operator, LABEL_OPERATORS, `${what}.operator`, at);
  if (operator === "Exists" || operator === "DoesNotExist") {
    if (value.values !== undefined) {
      throw new CharterError(
        `${what}: operator ${operator} takes no values`,
        at,
        `remove \`values\`, or use In/NotIn to compare the label's value`,
      );
    }
    return { key, operator };
  }
  const values = value.values;
  if (!Array.isArray(values) || values.length === 0) {
    throw new CharterError(
      `${what}: operator ${operator} needs a non-empty list of values`,
      at,
      `give \`values: ["…"]\`, or use ${operator === "In" ? "Exists" : "DoesNotExist"} to test the key alone`,
    );
  }
  return {
    key,
    operator,
    values: values.map((v, i) => labelValue(v, `${what}.values[${i}]`, at)),
  };
}

export function labelsOf(value: unknown, at: ErrorLocation): LabelSelector {
  if (!isPlainObject(value)) {
    throw new CharterError(
      "labels must be a label selector `{ matchLabels?: {...}, matchExpressions?: [...] }`",
      at,
    );
  }
  checkKeys(value, ["matchLabels", "matchExpressions"], "labels", at);
  const { matchLabels, matchExpressions } = value;
  if (matchLabels !== undefined && !isPlainObject(matchLabels)) {
    throw new CharterError("labels.matchLabels must be an object of label keys and values", at);
  }
  if (matchExpressions !== undefined && !Array.isArray(matchExpressions)) {
    throw new CharterError("labels.matchExpressions must be a list of requirements", at);
  }
  return {
    ...(matchLabels !== undefined
      ? {
          matchLabels: Object.fromEntries(
            Object.entries(matchLabels).map(([k, v]) => [
              labelKey(k, "labels.matchLabels key", at),
              labelValue(v, `labels.matchLabels[${JSON.stringify(k)}]`, at),
            ]),
          ),
        }
      : {}),
    ...(matchExpressions !== undefined
      ? { matchExpressions: matchExpressions.map((r, i) => labelRequirement(r, i, at)) }
      : {}),
  };
}

function matchOf(spec: PolicySpec, at: ErrorLocation): Match {
  if (!isMatchMarker(spec.match)) {
    throw new CharterError("match must be `pod`, `pod.only` or `kinds(…)`", at);
  }
  const subject = spec.match[MATCH];
  return {
    ...subject,
    ...(spec.namespaces !== undefined ? { namespaces: namespacesOf(spec.namespaces, at) } : {}),
    ...(spec.labels !== undefined ? { labels: labelsOf(spec.labels, at) } : {}),
    ...(spec.operations !== undefined ? operationsOption(spec.operations, at) : {}),
  };
}

/**
 * `operations`: a non-empty list without duplicates. The default (CREATE and UPDATE, in any
 * order) is left out of the IR, so a policy that spells it out compiles as one that does not.
 */
function operationsOption(value: unknown, at: ErrorLocation): { operations?: Operation[] } {
  if (!Array.isArray(value) || value.length === 0) {
    throw new CharterError(
      "operations must be a non-empty list of admission operations",
      at,
      'write e.g. operations: ["DELETE"]; leave it out to judge CREATE and UPDATE',
    );
  }
  const operations = value.map((item, index) => operationOf(item, `operations[${index}]`, at));
  const duplicate = operations.find((operation, index) => operations.indexOf(operation) !== index);
  if (duplicate !== undefined) {
    throw new CharterError(`operations lists ${duplicate} twice`, at, "list each operation once");
  }
  const ordered = OPERATIONS.filter((operation) => operations.includes(operation));
  const isDefault =
    ordered.length === DEFAULT_OPERATIONS.length &&
    ordered.every((operation, index) => operation === DEFAULT_OPERATIONS[index]);
  return isDefault ? {} : { operations: ordered };
}

/** A case judged in an operation the policy does not judge would test nothing. */
function checkCaseOperations(cases: readonly TestCase[], match: Match, at: ErrorLocation): void {
  for (const testCase of cases) {
    const operation = testCase.operation ?? "CREATE";
    if (judgesOperation(match, operation)) continue;
    const listed = operationsOf(match);
    throw new CharterError(
      `case ${JSON.stringify(testCase.name)} is ${testCase.operation === undefined ? "judged as a CREATE (no operation given)" : `a ${operation}`}, which this policy does not judge`,
      testCase.source ?? at,
      `the policy judges ${listed.join(", ")}: give the case operation: ${JSON.stringify(listed[0])}, or add ${operation} to the policy's operations`,
    );
  }
}

/** Checks parameter values against their schema and the rules; the error names each bad value. */
/** Every `pod`/`pod.containers` path in a policy that matches kinds is an error. */
function checkRoots(expr: Expr, match: Match, positions: Positions, at: ErrorLocation): void {
  if (match.subject === "pod") return;
  walkExpr(expr, (node) => {
    if (node.kind === "ref" && (node.root.kind === "pod" || node.root.kind === "containers")) {
      throw new CharterError(
        "`pod` paths need `match: pod`; this policy matches kinds",
        positions.get(node) ?? at,
        "read the resource through `object`, or match `pod`",
      );
    }
  });
}

function lowerRule(
  name: string,
  spec: RuleSpec,
  ctx: LowerContext,
  match: Match,
  site: CallSite | undefined,
  at: ErrorLocation,
): Rule {
  if (typeof spec !== "object" || spec === null) {
    throw new CharterError('a rule is `{ fail: when`…`, message: "…" }`', at);
  }
  checkKeys(spec, RULE_KEYS, `rule \`${name}\``, at);
  if (!isValue(spec.fail)) {
    throw new CharterError("`fail` must be a condition: when`…` or a builder expression", at);
  }
  const condition = spec.fail.lower(ctx);
  checkRoots(condition, match, ctx.positions, at);
  const message = lowerMessage(text(spec.message, "message", at, true), condition, ctx, site);
  for (const part of message.parts) {
    if (part.kind === "hole") checkRoots(part.expr, match, ctx.positions, at);
  }
  const remediation =
    spec.remediation === undefined ? undefined : text(spec.remediation, "remediation", at, true);
  return { name, condition, message, ...(remediation !== undefined ? { remediation } : {}) };
}

/**
 * Defines a policy. See docs/architecture.md for the spec; returns the IR `Policy`.
 *
 * ### Examples
 * ```ts
 * export default policy("no-privileged", {
 *   title: "Containers are not privileged", severity: "high", category: "Pod security",
 *   match: pod,
 *   rules: { privileged: {
 *     fail: when`any c in pod.containers: c.securityContext.privileged == true`,
 *     message: "container {{c.name}} is privileged" } },
 * });
 * ```
 */
export function policy(name: string, spec: PolicySpec): Policy {
  const site = callSite(policy);
  const source: SourceLocation | undefined = site
    ? { file: site.file, line: site.line }
    : undefined;
  const at: ErrorLocation = site ? { file: site.file, line: site.line, column: site.column } : {};
  if (typeof name !== "string" || !NAME.test(name) || name.length > 63) {
    throw new CharterError(
      `policy name ${JSON.stringify(name)} is not valid`,
      at,
      "use lower-case letters, digits and single dashes, starting with a letter (at most 63 characters)",
    );
  }
  let built: Policy | undefined;
  const positions = new Positions();
  within(`policy "${name}"`, at, () => {
    if (typeof spec !== "object" || spec === null)
      throw new CharterError("the policy spec must be an object", at);
    checkKeys(spec, SPEC_KEYS, "the policy", at);
    const title = text(spec.title, "title", at, true);
    const description = text(spec.description, "description", at, false);
    const severity = oneOf(spec.severity, SEVERITIES, "severity", at);
    const enforcement =
      spec.enforcement === undefined
        ? "deny"
        : oneOf(spec.enforcement, ENFORCEMENTS, "enforcement", at);
    if (typeof spec.category !== "string") throw new CharterError("category must be a string", at);
    const controls = strings(spec.controls, "controls", at);
    const match = matchOf(spec, at);

    const params = spec.params ?? {};
    for (const [param, schema] of Object.entries(params)) {
      if (!isParamSchema(schema)) {
        throw new CharterError(
          `params.${param} must be a parameter schema such as list(string())`,
          at,
        );
      }
    }
    const schema = objectSchema(params);
    const values: Record<string, Json> = {};
    for (const [param, p] of Object.entries(params))
      if (p.defaultValue !== undefined) values[param] = p.defaultValue;
    validateValues(schema, values, "a parameter default does not fit its schema", at);

    const ruleSpecs = spec.rules ?? {};
    if (typeof ruleSpecs !== "object" || ruleSpecs === null) {
      throw new CharterError("`rules` must map rule names to rules", at);
    }
    if (Object.keys(ruleSpecs).length === 0 && spec.images === undefined) {
      throw new CharterError("a policy needs at least one rule under `rules` (or `images`)", at);
    }
    const ctx: LowerContext = { scope: [], positions, params: Object.keys(params) };
    const rules: Rule[] = [];
    for (const [ruleName, ruleSpec] of Object.entries(ruleSpecs)) {
      if (!RULE_NAME.test(ruleName)) {
        throw new CharterError(
          `rule name \`${ruleName}\` is not valid`,
          at,
          "use letters, digits and _",
        );
      }
      within(`policy "${name}", rule "${ruleName}"`, at, () => {
        rules.push(lowerRule(ruleName, ruleSpec, ctx, match, site, at));
      });
    }
    // A default the rules use as a regular expression is checked like a literal pattern.
    for (const problem of paramProblems(schema, values, rules)) {
      const param = params[String(problem.path[0])];
      throw new CharterError(
        `the default of ${paramPathText(problem.path)}: ${problem.message}`,
        param?.site ?? at,
        problem.hint,
      );
    }
    const images =
      spec.images === undefined
        ? undefined
        : imagesOf(
            spec.images,
            match,
            rules.map((r) => r.name),
            ctx,
            schema,
            at,
          );
    const excludeTargets = excludedTargetsOf(spec.excludeTargets, at);
    const cases = lowerCases(
      spec.cases,
      ruleNamesOf({ rules, ...(images ? { images } : {}) }),
      source,
      site && caseLinesOf(site),
    );
    checkCaseOperations(cases, match, at);
    for (const testCase of cases) {
      if (testCase.params === undefined) continue;
      validateValues(
        schema,
        { ...values, ...testCase.params },
        `case ${JSON.stringify(testCase.name)}: its params do not fit the policy`,
        testCase.source ?? at,
        rules,
      );
    }
    built = {
      name,
      title,
      description,
      severity,
      category: spec.category,
      controls,
      enforcement,
      match,
      // Copies, so freezing the policy never freezes objects the author still holds.
      parameters: structuredClone({ schema, values }),
      rules,
      ...(images ? { images } : {}),
      cases: cases.map((testCase) => ({
        ...testCase,
        resource: structuredClone(testCase.resource),
        ...(testCase.inventory ? { inventory: structuredClone(testCase.inventory) } : {}),
      })),
      ...(excludeTargets ? { excludeTargets } : {}),
      ...(source ? { source } : {}),
    };
  });
  const result = built as Policy;
  const errors = checkPolicyTypes(result, positions).map(
    (error) =>
      new ExcerptedError(
        `policy "${name}", rule "${error.rule}": ${error.message}`,
        error.location,
        error.hint,
      ),
  );
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new CharterErrors(errors);
  return deepFreeze(result);
}

/** The lines of the cases written in the policy file, read from its source when it can be. */
function caseLinesOf(site: CallSite): CaseLines | undefined {
  const text = sourceText(site.file);
  return text === undefined ? undefined : caseLines(text, offsetOf(text, site.line, site.column));
}
