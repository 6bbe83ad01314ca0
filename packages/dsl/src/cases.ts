/**
 * A policy's own test cases. An entry is a Kubernetes object (named `<kind>/<metadata.name>`),
 * `{ name, resource, rules?, inventory? }`, or `fromYaml("cases/x.yaml")` — every document of
 * that file, the path relative to the policy file. `inventory` is the rest of the scanned set
 * the resource is judged with (its Namespace, the NetworkPolicies…), for cross-resource rules.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import {
  CharterError,
  type Json,
  type JsonObject,
  type SourceLocation,
  type TestCase,
} from "@charter/ir";
import { LineCounter, parseAllDocuments } from "yaml";
import { callSite } from "./callsite.js";
import { notJsonReason } from "./json-value.js";

const YAML_CASES = Symbol.for("charter.yamlCases");

export interface YamlCases {
  readonly [YAML_CASES]: {
    readonly file: string;
    readonly rules?: readonly string[];
    readonly inventory?: readonly JsonObject[];
  };
}

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
}

export type CaseEntry = JsonObject | NamedCase | YamlCases;

/**
 * Every document of a YAML file as a case. The path is relative to the file that calls
 * `fromYaml` (the policy file). `rules` applies to each document (fail cases), and so does
 * `inventory` (the other objects each document is judged with).
 */
export function fromYaml(
  path: string,
  options: { rules?: readonly string[]; inventory?: readonly JsonObject[] } = {},
): YamlCases {
  const site = callSite();
  const file = site ? resolve(dirname(site.file), path) : resolve(path);
  if (options.inventory !== undefined) {
    checkInventory(options.inventory, "fromYaml(): inventory", site ?? {});
  }
  return {
    [YAML_CASES]: {
      file,
      ...(options.rules ? { rules: options.rules } : {}),
      ...(options.inventory ? { inventory: options.inventory } : {}),
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
  const { file, rules, inventory } = entry[YAML_CASES];
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new CharterError(`cannot read the cases file ${file}: ${(error as Error).message}`, {
      file,
    });
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
      const at = lineCounter.linePos(yamlError.pos[0]);
      throw new CharterError(`YAML does not parse: ${yamlError.message.split("\n")[0]}`, {
        file,
        line: at.line,
        column: at.col,
      });
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
      source,
    });
  }
  return cases;
}

/** Lowers the `cases` of a policy spec; `where` places errors (the policy call). */
export function lowerCases(
  cases: { pass?: readonly CaseEntry[]; fail?: readonly CaseEntry[] } | undefined,
  ruleNames: readonly string[],
  where: SourceLocation | undefined,
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
    for (const [index, entry] of entries.entries()) {
      if (isYamlCases(entry)) {
        result.push(...readYamlCases(entry, expect));
        continue;
      }
      result.push(inlineCase(entry, expect, `cases.${expect}[${index}]`, at));
    }
  }
  const seen = new Set<string>();
  for (const testCase of result) {
    if (seen.has(testCase.name)) {
      throw new CharterError(
        `two cases are named ${JSON.stringify(testCase.name)}`,
        testCase.source ?? at,
        "give each case a unique name: change metadata.name or write { name, resource }",
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
  return result;
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
    const { name, resource, rules, inventory, ...extra } = record;
    const unknown = Object.keys(extra);
    if (unknown.length)
      throw new CharterError(
        `${label} has unknown keys: ${unknown.join(", ")}`,
        at,
        "a case has name, resource, rules and inventory",
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
    return {
      name,
      expect,
      resource: resource as Json,
      ...(inventory !== undefined ? { inventory: [...(inventory as Json[])] } : {}),
      ...(rules ? { rules: [...(rules as string[])] } : {}),
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
