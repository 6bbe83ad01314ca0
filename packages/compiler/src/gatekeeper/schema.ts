/**
 * The template's `openAPIV3Schema`: the policy's parameter schema made structural, as
 * `templates.gatekeeper.sh/v1` requires (the Constraint CRD is generated from it and the API
 * server rejects Constraints whose parameters do not fit).
 *
 * Structural means a `type` at every level and only the keywords Kubernetes' JSONSchemaProps
 * knows. `additionalProperties: false` beside `properties` is dropped: Kubernetes forbids the
 * pair and prunes unknown fields instead. An object without `properties` keeps its contents
 * with `x-kubernetes-preserve-unknown-fields`, or they would be pruned. `default`s stay: the
 * API server applies them to a Constraint that leaves a parameter out, which is how the
 * template's Rego (reading `input.parameters` only) still sees every default.
 */

import { CharterError, type Json, type JsonObject, type Policy } from "@charter/ir";
import { EXCEPTIONS_PARAMETER } from "./rego-source.js";

const TYPES = new Set(["string", "number", "integer", "boolean", "array", "object"]);

/** Keywords copied as they are. */
const PLAIN = new Set([
  "description",
  "title",
  "default",
  "enum",
  "format",
  "pattern",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "minLength",
  "maxLength",
  "minItems",
  "maxItems",
  "uniqueItems",
  "minProperties",
  "maxProperties",
  "required",
  "nullable",
]);

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function structuralSchema(policy: Policy): JsonObject {
  const fail = (where: string, what: string): never => {
    throw new CharterError(
      `policy "${policy.name}", parameter schema at ${where}: ${what}; target "gatekeeper" cannot express it (its parameter schema must be structural)`,
      policy.source ?? {},
    );
  };
  const convert = (schema: Json | undefined, where: string): JsonObject => {
    if (!isObject(schema)) return fail(where, "a schema must be an object");
    const type = schema.type;
    if (typeof type !== "string" || !TYPES.has(type)) {
      return fail(
        where,
        `"type" must be one of ${[...TYPES].join(", ")}, not ${JSON.stringify(type)}`,
      );
    }
    const out: Record<string, Json> = { type };
    for (const [key, value] of Object.entries(schema)) {
      if (key === "type" || key === "$schema") continue;
      if (PLAIN.has(key)) out[key] = value;
      else if (key === "items" && type === "array") out.items = convert(value, `${where}.items`);
      else if (key === "properties" && type === "object") {
        if (!isObject(value)) return fail(where, '"properties" must be an object');
        out.properties = Object.fromEntries(
          Object.entries(value).map(([name, property]) => [
            name,
            convert(property, `${where}.properties.${name}`),
          ]),
        );
      } else if (key === "additionalProperties" && type === "object") {
        if (isObject(value)) {
          out.additionalProperties = convert(value, `${where}.additionalProperties`);
        } else if (value === true) out["x-kubernetes-preserve-unknown-fields"] = true;
        else if (value !== false)
          fail(where, '"additionalProperties" must be a schema or a boolean');
      } else fail(where, `the keyword "${key}" is not part of a structural schema`);
    }
    if (type === "array" && out.items === undefined) return fail(where, 'an array needs "items"');
    if (out.properties !== undefined && out.additionalProperties !== undefined) {
      return fail(where, '"properties" and a schema in "additionalProperties" cannot be combined');
    }
    if (isObject(out.properties) && Object.keys(out.properties).length === 0) delete out.properties;
    if (
      type === "object" &&
      out.properties === undefined &&
      out.additionalProperties === undefined
    ) {
      out["x-kubernetes-preserve-unknown-fields"] = true;
    }
    return out;
  };
  const root = convert(policy.parameters.schema, "parameters");
  if (!isObject(root.properties)) return root;
  if (Object.hasOwn(root.properties, EXCEPTIONS_PARAMETER)) {
    return fail(
      `parameters.properties.${EXCEPTIONS_PARAMETER}`,
      "the name is reserved for the policy's exceptions",
    );
  }
  // The Constraint may carry the policy's exceptions (emit-gatekeeper.ts); the API server
  // would prune an unknown field.
  const exceptions = {
    type: "array",
    items: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
  };
  return { ...root, properties: { ...root.properties, [EXCEPTIONS_PARAMETER]: exceptions } };
}
