/**
 * A policy's own test cases. An entry is a Kubernetes object (named `<kind>/<metadata.name>`),
 * `{ name, resource, rules?, inventory? }`, or `fromYaml("cases/x.yaml")` — every document of
 * that file, the path relative to the policy file. `inventory` is the rest of the scanned set
 * the resource is judged with (its Namespace, the NetworkPolicies…), for cross-resource rules.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import {
  CharterError,
  explainYamlError,
  type ImageFacts,
  type Json,
  type JsonObject,
  type Operation,
  type SourceLocation,
  type TestCase,
  type UserInfo,
} from "@charter/ir";
import { LineCounter, parseAllDocuments } from "yaml";
import { callSite } from "./callsite.js";
import { checkImageFacts } from "./case-images.js";
import type { CaseLines } from "./case-lines.js";
import { caseRequestOf, copiedRequest } from "./case-request.js";
import { casesFilePath } from "./cases-file-path.js";
import { notJsonReason } from "./json-value.js";

const YAML_CASES = Symbol.for("charter.yamlCases");

export interface YamlCases {
  readonly [YAML_CASES]: {
    readonly file: string;
    /** Where `fromYaml` was called: a file that cannot be read is reported there. */
    readonly calledAt?: SourceLocation;
    readonly rules?: readonly string[];
    readonly inventory?: readonly JsonObject[];
    readonly params?: JsonObject;
    readonly request?: CaseRequestFields;
  };
}

type CaseRequestFields = ReturnType<typeof caseRequestOf>;

/**
 * An explicitly named case; `rules` (fail cases only) are the rules that must fail;
 * `inventory` the other objects the resource is judged with (each with apiVersion, kind and
 * metadata.name, as the scanned set would hold them).
 */
export interface NamedCase {
  readonly name: string;
  readonly resource: JsonObject;
  readonly rules?: readonly string[];
  readonly inventory?: readonly JsonObject[];
  /** Parameter values the case was written for, over the policy's defaults. */
  readonly params?: JsonObject;
  /** The admission operation the case is judged in; CREATE when absent, as offline. */
  readonly operation?: Operation;
  /** The stored object an UPDATE changes (UPDATE only; a DELETE judges its resource). */
  readonly oldObject?: JsonObject;
  /** The requesting user: `{ username, uid, groups, extra }`. */
  readonly userInfo?: UserInfo;
  /**
   * For a policy with image rules: what the registry and scanners say about each image, keyed
   * by the reference as written — `{ reference, digest, signatures: [{attestor}],
   * attestations: [{attestor, predicateType, predicate}], scan?, notes?, error? }`.
   */
  readonly images?: Readonly<Record<string, ImageFacts>>;
}

export type CaseEntry = JsonObject | NamedCase | YamlCases;

export interface FromYamlOptions {
  readonly rules?: readonly string[];
  readonly inventory?: readonly JsonObject[];
  readonly params?: JsonObject;
  /** Each document is judged in this operation (CREATE when absent). */
  readonly operation?: Operation;
  /** With operation UPDATE: the stored object each document updates. */
  readonly oldObject?: JsonObject;
  readonly userInfo?: UserInfo;
}

/**
 * Every document of a YAML file as a case. The path is relative to the policy file: to the
 * file that calls `fromYaml`, or, in the explicit form `fromYaml(import.meta.url, path)`, to
 * the module whose URL is given. `rules` applies to each document (fail cases), and so does
 * `inventory` (the other objects each document is judged with).
 */
export function fromYaml(path: string, options?: FromYamlOptions): YamlCases;
export function fromYaml(base: string | URL, path: string, options?: FromYamlOptions): YamlCases;
export function fromYaml(
  first: string | URL,
  second?: string | FromYamlOptions,
  third?: FromYamlOptions,
): YamlCases {
  const site = callSite(fromYaml);
  const explicit = typeof second === "string";
  const path = explicit ? second : first;
  const options = (explicit ? third : second) ?? {};
  const file = casesFilePath(explicit ? first : undefined, path, site);
  if (options.inventory !== undefined) {
    checkInventory(options.inventory, "fromYaml(): inventory", site ?? {});
  }
  if (options.params !== undefined) checkParams(options.params, "fromYaml(): params", site ?? {});
  const request = caseRequestOf(options, "fromYaml()", site ?? {});
  return {
    [YAML_CASES]: {
      file,
      ...(site ? { calledAt: { file: site.file, line: site.line, column: site.column } } : {}),
      ...(options.rules ? { rules: options.rules } : {}),
      ...(options.inventory ? { inventory: options.inventory } : {}),
      ...(options.params ? { params: options.params } : {}),
      ...(Object.keys(request).length > 0 ? { request } : {}),
    },
  };
}

function isYamlCases(entry: unknown): entry is YamlCases {
  return typeof entry === "object" && entry !== null && YAML_CASES in entry;
}

function kindName(resource: JsonObject): string | undefined {
  const metadata = resource.metadata as JsonObject | undefined;
  const name = metadata && typeof metadata === "object" ? metadata.name : undefined;
  return typeof resource.kind === "string" && typeof name === "string"
    ? `${resource.kind}/${name}`
    : undefined;
}

function readYamlCases(entry: YamlCases, expect: "pass" | "fail"): TestCase[] {
  const { file, calledAt, rules, inventory, params, request } = entry[YAML_CASES];
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new CharterError(
      `cannot read the cases file ${file}: ${(error as Error).message}`,
      calledAt ?? { file },
      calledAt ? `fromYaml resolved its path from ${calledAt.file}` : undefined,
    );
  }
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter, uniqueKeys: true });
  if (!Array.isArray(documents)) return [];
  const cases: TestCase[] = [];
  for (const [index, document] of documents.entries()) {
    const start = document.contents?.range[0] ?? document.range[0];
    const position = lineCounter.linePos(start);
    const source: SourceLocation = { file, line: position.line };
    const [yamlError] = document.errors;
    if (yamlError) {
      // The same plain words, at the line to change, as `charter check` gives.
      const explained = explainYamlError(
        { code: yamlError.code, message: yamlError.message, offset: yamlError.pos[0] },
        text,
        (line) => `line ${lineCounter.linePos(line.start).line}`,
      );
      const at = lineCounter.linePos(explained.offset);
      throw new CharterError(
        `YAML does not parse: ${explained.message}`,
        { file, line: at.line, column: at.col },
        explained.message.endsWith(explained.detail)
          ? undefined
          : `YAML parser: ${explained.detail}`,
      );
    }
    const resource = document.toJS({ maxAliasCount: 100 }) as unknown;
    if (resource === null || resource === undefined) continue;
    if (typeof resource !== "object" || Array.isArray(resource)) {
      throw new CharterError(
        `document ${index} is not a Kubernetes object`,
        source,
        "each document must be a mapping with apiVersion, kind and metadata",
      );
    }
    const json = resource as JsonObject;
    cases.push({
      name: kindName(json) ?? `${basename(file)}#${index}`,
      expect,
      resource: json,
      ...(inventory ? { inventory: [...inventory] } : {}),
      ...(rules && expect === "fail" ? { rules: [...rules] } : {}),
      ...(params ? { params: structuredClone(params) } : {}),
      ...(request ? copiedRequest(request) : {}),
      source,
    });
  }
  return cases;
}

/**
 * Lowers the `cases` of a policy spec; `where` places errors (the policy call), `lines` the
 * line of each entry in the policy file (a case written there is reported at its line).
 */
export function lowerCases(
  cases: { pass?: readonly CaseEntry[]; fail?: readonly CaseEntry[] } | undefined,
  ruleNames: readonly string[],
  where: SourceLocation | undefined,
  lines?: CaseLines,
): TestCase[] {
  const result: TestCase[] = [];
  if (cases === undefined) return result;
  const at = where ?? {};
  for (const key of Object.keys(cases)) {
    if (key !== "pass" && key !== "fail") {
      throw new CharterError(
        `cases has an unknown key \`${key}\``,
        at,
        "cases takes `pass` and `fail` lists",
      );
    }
  }
  for (const expect of ["pass", "fail"] as const) {
    const entries = cases[expect] ?? [];
    if (!Array.isArray(entries)) throw new CharterError(`cases.${expect} must be a list`, at);
    // Lines are trusted only when there is one for each entry.
    const entryLines = lines?.[expect]?.length === entries.length ? lines[expect] : undefined;
    for (const [index, entry] of entries.entries()) {
      if (isYamlCases(entry)) {
        result.push(...readYamlCases(entry, expect));
        continue;
      }
      const line = entryLines?.[index];
      const source = where && line !== undefined ? { file: where.file, line } : undefined;
      const testCase = inlineCase(entry, expect, `cases.${expect}[${index}]`, source ?? at);
      result.push(source ? { ...testCase, source } : testCase);
    }
  }
  const named = withNamespacesWhereNamesCollide(result);
  const seen = new Set<string>();
  for (const testCase of named) {
    if (seen.has(testCase.name)) {
      throw new CharterError(
        `two cases are named ${JSON.stringify(testCase.name)}`,
        testCase.source ?? at,
        'name one yourself: { name: "…", resource } (fromYaml documents are named <kind>/<metadata.name>)',
      );
    }
    seen.add(testCase.name);
    for (const rule of testCase.rules ?? []) {
      if (!ruleNames.includes(rule)) {
        throw new CharterError(
          `case ${JSON.stringify(testCase.name)} names the rule \`${rule}\`, which the policy does not have`,
          testCase.source ?? at,
          `the rules are ${ruleNames.join(", ")}`,
        );
      }
    }
  }
  return named;
}

/**
 * Cases named after their object (`<kind>/<metadata.name>`) that share a name but not a
 * namespace are named `<kind>/<namespace>/<name>` instead: two `ServiceAccount/default`
 * objects in different namespaces are two cases.
 */
function withNamespacesWhereNamesCollide(cases: readonly TestCase[]): TestCase[] {
  const countOf = (names: readonly string[]) => {
    const count = new Map<string, number>();
    for (const name of names) count.set(name, (count.get(name) ?? 0) + 1);
    return count;
  };
  const names = countOf(cases.map((testCase) => testCase.name));
  const longer = cases.map((testCase) => {
    const resource = testCase.resource as JsonObject;
    const metadata = resource.metadata as JsonObject | undefined;
    const namespace = typeof metadata?.namespace === "string" ? metadata.namespace : undefined;
    if ((names.get(testCase.name) ?? 0) < 2 || testCase.name !== kindName(resource) || !namespace)
      return undefined;
    return `${resource.kind}/${namespace}/${metadata?.name}`;
  });
  // Only where the namespace tells them apart; true duplicates keep their name (and clash).
  const longNames = countOf(longer.filter((name) => name !== undefined));
  return cases.map((testCase, i) => {
    const name = longer[i];
    return name !== undefined && longNames.get(name) === 1 ? { ...testCase, name } : testCase;
  });
}

function inlineCase(
  entry: unknown,
  expect: "pass" | "fail",
  label: string,
  at: SourceLocation | object,
): TestCase {
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
    throw new CharterError(
      `${label} is not a case`,
      at,
      "write a Kubernetes object, { name, resource, rules? } or fromYaml(…)",
    );
  }
  const record = entry as Record<string, unknown>;
  if ("resource" in record && !("apiVersion" in record)) {
    const {
      name,
      resource,
      rules,
      inventory,
      params,
      operation,
      oldObject,
      userInfo,
      images,
      ...extra
    } = record;
    const unknown = Object.keys(extra);
    if (unknown.length)
      throw new CharterError(
        `${label} has unknown keys: ${unknown.join(", ")}`,
        at,
        "a case has name, resource, rules, inventory, params, operation, oldObject, userInfo and images",
      );
    if (typeof name !== "string" || name.length === 0)
      throw new CharterError(`${label} needs a name`, at);
    checkJson(resource, `${label}.resource`, at);
    if (rules !== undefined) {
      if (expect === "pass") throw new CharterError(`${label}: rules belongs on a fail case`, at);
      if (!Array.isArray(rules) || rules.some((r) => typeof r !== "string")) {
        throw new CharterError(`${label}.rules must be a list of rule names`, at);
      }
    }
    if (inventory !== undefined) checkInventory(inventory, `${label}.inventory`, at);
    if (params !== undefined) checkParams(params, `${label}.params`, at);
    const request = caseRequestOf({ operation, oldObject, userInfo }, label, at);
    if (images !== undefined) checkImageFacts(images, `${label}.images`, at);
    return {
      name,
      expect,
      resource: resource as Json,
      ...(inventory !== undefined ? { inventory: [...(inventory as Json[])] } : {}),
      ...(rules ? { rules: [...(rules as string[])] } : {}),
      ...(params !== undefined ? { params: structuredClone(params as JsonObject) } : {}),
      ...request,
      ...(images !== undefined
        ? { images: structuredClone(images as Record<string, ImageFacts>) }
        : {}),
    };
  }
  checkJson(entry, label, at);
  const name = kindName(entry as JsonObject);
  if (!name) {
    throw new CharterError(
      `${label} has no kind and metadata.name to be named by`,
      at,
      "write { name, resource } to name the case",
    );
  }
  return { name, expect, resource: entry as Json };
}

/**
 * A case's inventory: a list of Kubernetes objects. The index a runtime builds ignores an
 * object without apiVersion, kind or metadata.name, so such an entry is an error here rather
 * than a case that silently tests something else.
 */
function checkInventory(value: unknown, label: string, at: SourceLocation | object): void {
  if (!Array.isArray(value)) {
    throw new CharterError(
      `${label} must be a list of Kubernetes objects`,
      at,
      'write e.g. inventory: [namespaceWith("team-a", { tier: "prod" })]',
    );
  }
  for (const [index, entry] of value.entries()) {
    const where = `${label}[${index}]`;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      throw new CharterError(`${where} is not a Kubernetes object`, at);
    }
    checkJson(entry, where, at);
    const object = entry as JsonObject;
    const metadata = object.metadata;
    const name =
      typeof metadata === "object" && metadata !== null && !Array.isArray(metadata)
        ? (metadata as JsonObject).name
        : undefined;
    if (
      typeof object.apiVersion !== "string" ||
      typeof object.kind !== "string" ||
      typeof name !== "string" ||
      name === ""
    ) {
      throw new CharterError(
        `${where} needs apiVersion, kind and metadata.name: without them no policy can find it`,
        at,
      );
    }
  }
}

/** A case's own parameter values: an object (the policy checks them against its schema). */
function checkParams(value: unknown, label: string, at: SourceLocation | object): void {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new CharterError(
      `${label} must be an object of parameter values`,
      at,
      'write e.g. params: { allowed: ["registry.corp.example/"] }',
    );
  }
  checkJson(value, label, at);
}

function checkJson(value: unknown, label: string, at: SourceLocation | object): void {
  const reason = notJsonReason(value, label);
  if (reason) throw new CharterError(reason, at);
}

/**
 * A Pod with one container for test cases: `podWith({ image: "nginx:1.27" })`. The pod's
 * name is derived from its content, so distinct pods make distinct case names.
 */
export function podWith(
  container: JsonObject = {},
  spec: JsonObject = {},
  metadata: JsonObject = {},
): JsonObject {
  const body = {
    spec: {
      containers: [{ name: "app", image: "registry.example.com/app:1.0", ...container }],
      ...spec,
    },
    metadata,
  };
  const digest = createHash("sha256").update(JSON.stringify(body)).digest("hex").slice(0, 8);
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: `pod-${digest}`, namespace: "default", ...metadata },
    spec: body.spec,
  };
}

/**
 * A Namespace for a case's inventory: `namespaceWith("team-a", { "pod-security.kubernetes.io/enforce": "restricted" })`.
 */
export function namespaceWith(
  name: string,
  labels: Readonly<Record<string, string>> = {},
  metadata: JsonObject = {},
): JsonObject {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name,
      ...(Object.keys(labels).length ? { labels: { ...labels } } : {}),
      ...metadata,
    },
  };
}
