#!/usr/bin/env node
/**
 * Writes packages/dsl/src/typecheck/k8s-types.gen.json: every Kubernetes type that the pinned
 * `kubernetes-models` carries, with its fields in a compact form, and which type each kind's
 * objects have. The DSL's type checker resolves policy paths through it.
 *
 *   node scripts/gen-k8s-types.mjs           regenerate the table
 *   node scripts/gen-k8s-types.mjs --check   exit 1 when the committed table is stale
 *
 * Where the facts come from: kubernetes-models ships its OpenAPI schemas compiled into ajv
 * validators (`_schemas/*.js`), which cannot be read back as JSON schemas, and beside them
 * TypeScript declarations generated from the very same schemas. The declarations give the
 * structure (fields, lists, maps, references, enums); the compiled validators are asked one
 * question the declarations cannot answer: is a `number` field an integer? (We hand each
 * validator 0.5 at that field and see whether it objects with "must be integer".)
 *
 * Compact types: "string" | "integer" | "number" | "boolean" | "int-or-string" | "any" |
 * {list: T} | {map: T} | {ref: TypeName} | {fields: {name: T}} (an inline object type).
 * Quantity (`cpu: 1` or `cpu: "500m"`) is an "int-or-string": both spellings are valid.
 * Types without declared fields (RawExtension, FieldsV1, apiextensions JSON: the
 * x-kubernetes-preserve-unknown-fields ones) are "any".
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const TABLE_PATH = path.join(repoRoot, "packages/dsl/src/typecheck/k8s-types.gen.json");

/** The installed kubernetes-models and its apimachinery sibling (pnpm keeps them together). */
function packageDirs() {
  const models = fs.realpathSync(path.join(repoRoot, "node_modules/kubernetes-models"));
  const apimachinery = path.join(path.dirname(models), "@kubernetes-models/apimachinery");
  const version = JSON.parse(fs.readFileSync(path.join(models, "package.json"), "utf8")).version;
  return { models, apimachinery, version };
}

function* filesUnder(dir, suffix) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort(byName)) {
    if (entry.name === "_schemas" || entry.name === "node_modules") continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(full, suffix);
    else if (entry.name.endsWith(suffix) && !entry.name.startsWith("index.")) yield full;
  }
}

function byName(a, b) {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * `IoK8sApiCoreV1Container` → `core.v1.Container`, `IoK8sApimachineryPkgApisMetaV1ObjectMeta`
 * → `meta.v1.ObjectMeta`: short, still unique, and the last part is what users know.
 */
export function shortTypeName(fullName) {
  const match =
    /^IoK8s(?:ApimachineryPkgApis|ApiextensionsApiserverPkgApis|KubeAggregatorPkgApis|Api)([A-Za-z]+?)(V\d+(?:(?:alpha|beta)\d+)?)([A-Z]\w*)$/.exec(
      fullName,
    );
  if (!match) return fullName.replace(/^IoK8s/, "");
  const [, group = "", version = "", kind = ""] = match;
  return `${group.toLowerCase()}.${version.toLowerCase()}.${kind}`;
}

/** One declaration file: the exported full names of its local interfaces and aliases. */
function readDeclarations(file) {
  const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest);
  const fullNameOf = new Map(); // local name (IContainer) → full name (IoK8sApiCoreV1Container)
  const declarations = [];
  for (const statement of source.statements) {
    if (ts.isExportDeclaration(statement) && statement.exportClause && statement.isTypeOnly) {
      for (const element of statement.exportClause.elements) {
        const local = (element.propertyName ?? element.name).text;
        const exported = element.name.text;
        if (local.startsWith("I") && exported.startsWith("IIoK8s")) {
          fullNameOf.set(local, exported.slice(1));
        }
      }
    } else if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) {
      declarations.push(statement);
    }
  }
  return declarations
    .filter((declaration) => fullNameOf.has(declaration.name.text))
    .map((declaration) => ({
      fullName: fullNameOf.get(declaration.name.text),
      declaration,
      fullNameOf,
    }));
}

function fieldName(member) {
  const name = member.name;
  return ts.isStringLiteral(name) || ts.isIdentifier(name) ? name.text : undefined;
}

/** Loads each compiled validator once, to ask it about number fields. */
function validatorLoader(dirs) {
  const cache = new Map();
  return async (fullName) => {
    if (cache.has(fullName)) return cache.get(fullName);
    const dir = fullName.startsWith("IoK8sApimachinery") ? dirs.apimachinery : dirs.models;
    const file = path.join(dir, "_schemas", `${fullName}.js`);
    const validate = fs.existsSync(file)
      ? (await import(pathToFileURL(file).href)).validate
      : undefined;
    cache.set(fullName, validate);
    return validate;
  };
}

/** Builds `{a: [{b: 0.5}]}` for the path [a, 0, b], the value 0.5 at its end. */
function sampleAt(segments) {
  let value = 0.5;
  for (const segment of [...segments].reverse()) {
    value = typeof segment === "number" ? [value] : { [segment]: value };
  }
  return value;
}

async function isInteger(validate, segments) {
  if (!validate) return false;
  validate(sampleAt(segments));
  const where = `/${segments.join("/")}`;
  return (validate.errors ?? []).some(
    (error) =>
      error.instancePath === where && error.keyword === "type" && error.params.type === "integer",
  );
}

/**
 * The compact type of a declared type node. `segments` is where the node sits below the
 * object its validator checks (for the integer question); `aliases` maps full names of type
 * aliases and field-less interfaces to their inlined compact type.
 */
async function compactType(node, context, segments) {
  const { fullNameOf, aliases, validate } = context;
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword:
      return "string";
    case ts.SyntaxKind.BooleanKeyword:
      return "boolean";
    case ts.SyntaxKind.NumberKeyword:
      return (await isInteger(validate, segments)) ? "integer" : "number";
    case ts.SyntaxKind.AnyKeyword:
    case ts.SyntaxKind.UnknownKeyword:
    case ts.SyntaxKind.ObjectKeyword:
      return "any";
    case ts.SyntaxKind.LiteralType:
      return literalType(node.literal);
    case ts.SyntaxKind.UnionType:
      return unionType(
        node.types.map((member) =>
          member.kind === ts.SyntaxKind.LiteralType
            ? literalType(member.literal)
            : keywordType(member),
        ),
      );
    case ts.SyntaxKind.ArrayType:
      return { list: await compactType(node.elementType, context, [...segments, 0]) };
    case ts.SyntaxKind.TypeReference: {
      const referenced = typeReferenceName(node, fullNameOf);
      if (referenced === "Array" && node.typeArguments?.length === 1) {
        return { list: await compactType(node.typeArguments[0], context, [...segments, 0]) };
      }
      if (!referenced) throw new Error(`unknown type reference in ${context.where}`);
      return aliases.get(referenced) ?? { ref: shortTypeName(referenced) };
    }
    case ts.SyntaxKind.TypeLiteral: {
      const index = node.members.find((member) => ts.isIndexSignatureDeclaration(member));
      if (index) return { map: await compactType(index.type, context, [...segments, "key"]) };
      return { fields: await fieldsOf(node.members, context, segments) };
    }
    default:
      throw new Error(`unsupported declaration type ${ts.SyntaxKind[node.kind]}`);
  }
}

function typeReferenceName(node, fullNameOf) {
  const text = ts.isIdentifier(node.typeName) ? node.typeName.text : undefined;
  if (!text) return undefined;
  if (text === "Array") return "Array";
  if (text.startsWith("IIoK8s")) return text.slice(1);
  return fullNameOf.get(text);
}

function keywordType(node) {
  if (node.kind === ts.SyntaxKind.StringKeyword) return "string";
  if (node.kind === ts.SyntaxKind.NumberKeyword) return "number";
  if (node.kind === ts.SyntaxKind.BooleanKeyword) return "boolean";
  return "any";
}

function literalType(literal) {
  if (ts.isStringLiteral(literal)) return "string";
  if (ts.isNumericLiteral(literal)) return "number";
  return "boolean";
}

/** Enums of string literals are strings; `string | number` (IntOrString, Quantity) is both. */
function unionType(members) {
  const kinds = new Set(members);
  if (kinds.size === 1) return members[0];
  if (kinds.size === 2 && kinds.has("string") && kinds.has("number")) return "int-or-string";
  return "any";
}

async function fieldsOf(members, context, segments) {
  const fields = {};
  for (const member of members) {
    if (!ts.isPropertySignature(member) || !member.type) continue;
    const name = fieldName(member);
    if (name === undefined) continue;
    fields[name] = await compactType(member.type, context, [...segments, name]);
  }
  return sortKeys(fields);
}

function sortKeys(object) {
  return Object.fromEntries(
    Object.entries(object).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

/** Kubernetes' own preference between versions: GA over beta over alpha, then the newest. */
function versionRank(version) {
  const match = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(version);
  if (!match) return [0, 0, 0];
  const stability = match[2] === "alpha" ? 1 : match[2] === "beta" ? 2 : 3;
  return [stability, Number(match[1]), Number(match[3] ?? 0)];
}

function preferVersion(a, b) {
  const [ra, rb] = [versionRank(a), versionRank(b)];
  for (let i = 0; i < 3; i++) if (ra[i] !== rb[i]) return ra[i] > rb[i];
  return a < b;
}

/** `group/Kind` (core group as "") → the type of that kind's objects, in its preferred version. */
function readKinds(dirs) {
  const chosen = new Map();
  for (const file of filesUnder(dirs.models, ".js")) {
    const code = fs.readFileSync(file, "utf8");
    const kind = /this\.kind="([^"]+)"/.exec(code)?.[1];
    const apiVersion = /this\.apiVersion="([^"]+)"/.exec(code)?.[1];
    const schema = /_schemas\/(IoK8s\w+)\.js/.exec(code)?.[1];
    if (!kind || !apiVersion || !schema) continue;
    const slash = apiVersion.lastIndexOf("/");
    const group = slash < 0 ? "" : apiVersion.slice(0, slash);
    const version = apiVersion.slice(slash + 1);
    const key = `${group}/${kind}`;
    const previous = chosen.get(key);
    if (!previous || preferVersion(version, previous.version)) {
      chosen.set(key, { version, type: shortTypeName(schema) });
    }
  }
  return sortKeys(Object.fromEntries([...chosen].map(([key, { type }]) => [key, type])));
}

/** The table as an object: `{source, kinds, types}`. */
export async function buildK8sTypes() {
  const dirs = packageDirs();
  const all = [];
  for (const dir of [dirs.apimachinery, dirs.models]) {
    for (const file of filesUnder(dir, ".d.ts")) all.push(...readDeclarations(file));
  }
  // Aliases (Time, IntOrString, Quantity) and field-less interfaces are inlined, not named.
  const aliases = new Map();
  for (const { fullName, declaration, fullNameOf } of all) {
    if (ts.isTypeAliasDeclaration(declaration)) {
      const context = { fullNameOf, aliases: new Map(), validate: undefined, where: fullName };
      aliases.set(fullName, await compactType(declaration.type, context, []));
    } else if (!declaration.members.some((member) => ts.isPropertySignature(member))) {
      aliases.set(fullName, "any");
    }
  }
  const load = validatorLoader(dirs);
  const types = {};
  for (const { fullName, declaration, fullNameOf } of all) {
    if (aliases.has(fullName) || !ts.isInterfaceDeclaration(declaration)) continue;
    const name = shortTypeName(fullName);
    if (types[name]) throw new Error(`two types shorten to ${name}`);
    const context = { fullNameOf, aliases, validate: await load(fullName), where: fullName };
    types[name] = await fieldsOf(declaration.members, context, []);
  }
  return {
    source: `kubernetes-models@${dirs.version}`,
    kinds: readKinds(dirs),
    types: sortKeys(types),
  };
}

/** One kind or type per line: small diffs, deterministic bytes. */
export function formatK8sTypes(table) {
  const block = (object) =>
    Object.entries(object)
      .map(([key, value]) => `    ${JSON.stringify(key)}: ${JSON.stringify(value)}`)
      .join(",\n");
  return `{\n  "source": ${JSON.stringify(table.source)},\n  "kinds": {\n${block(table.kinds)}\n  },\n  "types": {\n${block(table.types)}\n  }\n}\n`;
}

export async function generateK8sTypes() {
  return formatK8sTypes(await buildK8sTypes());
}

async function main() {
  const text = await generateK8sTypes();
  const relative = path.relative(repoRoot, TABLE_PATH);
  if (process.argv.includes("--check")) {
    const current = fs.existsSync(TABLE_PATH) ? fs.readFileSync(TABLE_PATH, "utf8") : "";
    if (current !== text) {
      console.error(`${relative} is stale: run \`pnpm gen\` and commit the result`);
      process.exit(1);
    }
    console.log(`${relative} is up to date`);
    return;
  }
  const temporary = `${TABLE_PATH}.tmp`;
  fs.writeFileSync(temporary, text);
  fs.renameSync(temporary, TABLE_PATH);
  console.log(`wrote ${relative} (${text.length} bytes)`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
