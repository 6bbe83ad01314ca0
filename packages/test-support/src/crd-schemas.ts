/**
 * The published CRD and Kubernetes schemas (../shared/schemas, beside the repository in CI and
 * here) as the tests that validate emitted YAML read them: strict where the API server would
 * prune an unknown field silently, with the Kubernetes formats Ajv does not know.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import { parse as parseYaml } from "yaml";

/** Schemas are edited here (made strict), so unlike the IR's JSON these are mutable. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const SCHEMAS = join(dirname(fileURLToPath(import.meta.url)), "../../../../shared/schemas");

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Adds `additionalProperties: false` where Kubernetes would prune unknown fields silently. */
export function strictSchema(schema: unknown): Json {
  if (Array.isArray(schema)) return schema.map(strictSchema);
  if (!isObject(schema)) return schema as Json;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    // Property names are data, not schemas: keep them, recurse into their schemas.
    out[key] =
      key === "properties" && isObject(value)
        ? Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, strictSchema(sub)]))
        : strictSchema(value);
  }
  if (
    isObject(schema.properties) &&
    schema.additionalProperties === undefined &&
    schema["x-kubernetes-preserve-unknown-fields"] !== true
  ) {
    out.additionalProperties = false;
  }
  return out;
}

/** Ajv with every error and the OpenAPI formats Kubernetes schemas use. */
export function kubernetesAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true });
  for (const format of ["int32", "int64", "byte", "date-time", "int-or-string", "double"]) {
    ajv.addFormat(format, true);
  }
  return ajv;
}

/** The openAPIV3Schema of one version of a CRD; `file` is relative to SCHEMAS. */
export function crdVersionSchema(file: string, version: string): JsonObject {
  const crd = parseYaml(readFileSync(join(SCHEMAS, file), "utf8")) as JsonObject;
  const found = ((crd.spec as JsonObject).versions as JsonObject[]).find((v) => v.name === version);
  if (!found) throw new Error(`${file} has no version ${version}`);
  return (found.schema as JsonObject).openAPIV3Schema as JsonObject;
}
