/**
 * Writes N Kubernetes resources derived from examples/todo-app (hardened and insecure) into a
 * folder, twice: `resources.yaml` (one multi-document YAML stream, what `charter check` reads)
 * and `resources.json` (`{docs: [...], inventory: {...}}`, the data file `opa eval` reads).
 *
 * Each copy of the example app gets its own namespaces (`todo-hardened-<copy>` and
 * `todo-insecure-<copy>`, with their Namespace objects), and the resources are varied so the engines do not judge one document over and over:
 * names carry the copy number, image tags and registries rotate, and securityContext fields are
 * flipped (privileged, runAsNonRoot, allowPrivilegeEscalation, readOnlyRootFilesystem).
 *
 *   node bench/generate.mjs <count> <folder>
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments, stringify } from "yaml";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const EXAMPLE = path.join(repoRoot, "examples/todo-app");

/** The example app's documents, hardened first, as plain data with the folder they come from. */
export function templates() {
  const documents = [];
  for (const variant of ["hardened", "insecure"]) {
    const folder = path.join(EXAMPLE, variant);
    for (const file of fs.readdirSync(folder).sort()) {
      if (!file.endsWith(".yaml")) continue;
      const text = fs.readFileSync(path.join(folder, file), "utf8");
      for (const document of parseAllDocuments(text, { version: "1.1" })) {
        const value = document.toJS();
        if (value && typeof value === "object") documents.push({ variant, object: value });
      }
    }
  }
  return documents;
}

const REGISTRIES = ["registry.example.com/todo/", "docker.io/library/", "ghcr.io/acme/", ""];

/** The pod spec of a workload (Pod, controller template, CronJob's job template), if any. */
function podSpecOf(object) {
  if (object.kind === "Pod") return object.spec;
  if (object.kind === "CronJob") return object.spec?.jobTemplate?.spec?.template?.spec;
  return object.spec?.template?.spec;
}

function varyContainer(container, variation) {
  const image = String(container.image ?? "app");
  const bare = image.replace(/^.*\//, "").replace(/[:@].*$/, "");
  const registry = REGISTRIES[variation % REGISTRIES.length];
  container.image =
    variation % 7 === 0 ? `${registry}${bare}:latest` : `${registry}${bare}:1.${variation % 50}.0`;
  const context = container.securityContext ?? {};
  switch (variation % 5) {
    case 1:
      context.privileged = true;
      break;
    case 2:
      context.allowPrivilegeEscalation = !(context.allowPrivilegeEscalation ?? false);
      break;
    case 3:
      context.readOnlyRootFilesystem = !(context.readOnlyRootFilesystem ?? false);
      break;
    case 4:
      delete context.runAsNonRoot;
      break;
    default:
      break;
  }
  container.securityContext = context;
}

/** Document `index` of the generated set: a varied copy of one template. */
export function variant(templateList, index) {
  const template = templateList[index % templateList.length];
  const copy = Math.floor(index / templateList.length);
  const object = structuredClone(template.object);
  // The hardened and the insecure app of a copy live in namespaces of their own.
  const namespace = `todo-${template.variant}-${copy}`;
  object.metadata ??= {};
  if (object.kind === "Namespace") {
    object.metadata.name = namespace;
  } else {
    object.metadata.name = `${object.metadata.name ?? "object"}-${copy}`;
    // The mesh-wide PeerAuthentication stays in Istio's root namespace.
    if (object.metadata.namespace !== "istio-system") object.metadata.namespace = namespace;
  }
  const spec = podSpecOf(object);
  if (spec) {
    if (copy % 3 === 1 && spec.securityContext) {
      spec.securityContext.runAsNonRoot = !spec.securityContext.runAsNonRoot;
    }
    for (const list of ["containers", "initContainers"]) {
      for (const container of spec[list] ?? []) varyContainer(container, index + copy);
    }
  }
  return object;
}

/** The kinds the library reads beyond the judged object, in Gatekeeper's data.inventory layout. */
const INVENTORY_KINDS = new Set(["Namespace", "NetworkPolicy", "PeerAuthentication"]);

function addToInventory(inventory, object) {
  if (!INVENTORY_KINDS.has(object.kind)) return;
  const { apiVersion, kind } = object;
  const { name, namespace } = object.metadata;
  if (namespace) inventory.namespace[namespace] ??= {};
  const root = namespace ? inventory.namespace[namespace] : inventory.cluster;
  root[apiVersion] ??= {};
  root[apiVersion][kind] ??= {};
  root[apiVersion][kind][name] = object;
}

/**
 * Writes `count` documents to `<folder>/resources.yaml` and, unless `json` is false, to
 * `<folder>/resources.json`.
 */
export function generate(count, folder, { json = true } = {}) {
  const templateList = templates();
  return {
    ...writeDocuments(count, (index) => variant(templateList, index), folder, { json }),
    templates: templateList.length,
  };
}

/**
 * Writes the documents `objectAt(0…count-1)` as one YAML stream (`resources.yaml`) and, unless
 * `json` is false, as OPA's data file (`resources.json`: `{docs, inventory}`); shared by the
 * generators (generate-pss.mjs too).
 */
export function writeDocuments(count, objectAt, folder, { json = true } = {}) {
  fs.mkdirSync(folder, { recursive: true });
  const yamlPath = path.join(folder, "resources.yaml");
  const jsonPath = path.join(folder, "resources.json");
  const yamlFile = fs.openSync(yamlPath, "w");
  const jsonFile = fs.openSync(json ? jsonPath : "/dev/null", "w");
  const inventory = { cluster: {}, namespace: {} };
  fs.writeSync(jsonFile, '{"docs":[\n');
  let chunk = "";
  let jsonChunk = "";
  for (let index = 0; index < count; index++) {
    const object = objectAt(index);
    addToInventory(inventory, object);
    chunk += `${index === 0 ? "" : "---\n"}${stringify(object, { lineWidth: 0, version: "1.1" })}`;
    jsonChunk += `${index === 0 ? "" : ",\n"}${JSON.stringify(object)}`;
    if (chunk.length > 1 << 20) {
      fs.writeSync(yamlFile, chunk);
      fs.writeSync(jsonFile, jsonChunk);
      chunk = "";
      jsonChunk = "";
    }
  }
  fs.writeSync(yamlFile, chunk);
  fs.writeSync(jsonFile, `${jsonChunk}\n],"inventory":${JSON.stringify(inventory)}}\n`);
  fs.closeSync(yamlFile);
  fs.closeSync(jsonFile);
  return { yamlPath, jsonPath: json ? jsonPath : undefined };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [count, folder] = process.argv.slice(2);
  if (!count || !folder) {
    console.error("usage: node bench/generate.mjs <count> <folder>");
    process.exit(2);
  }
  const result = generate(Number(count), folder);
  console.log(`${count} documents (${result.templates} templates) in ${folder}`);
}
