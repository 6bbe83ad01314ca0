/**
 * The type of a value described by a JSON schema (the policy's parameter schema). Only the
 * plain shapes are typed; anything cleverer (oneOf, $ref, several types) is `any`, so the
 * checker stays permissive rather than wrong.
 */
import type { Json, JsonObject } from "@charter/ir";
import { ANY, listOf, mapOf, objectType, scalar, type Ty, unionOf } from "./types.js";

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function typeOfSchema(schema: Json | undefined, name = "object"): Ty {
  if (!isObject(schema)) return ANY;
  if (schema.oneOf || schema.anyOf || schema.allOf || schema.$ref || schema.not) return ANY;
  const declared = schema.type;
  // ["string", "null"] is a nullable string: null is missing, so it types as string.
  const types = Array.isArray(declared)
    ? declared.filter((type) => type !== "null")
    : declared === undefined
      ? []
      : [declared];
  if (types.length !== 1) return types.length === 0 ? fromEnum(schema.enum) : ANY;
  switch (types[0]) {
    case "string":
      return scalar("string");
    case "integer":
      return scalar("integer");
    case "number":
      return scalar("number");
    case "boolean":
      return scalar("boolean");
    case "array":
      return listOf(typeOfSchema(schema.items));
    case "object":
      return objectSchemaType(schema, name);
    default:
      return ANY;
  }
}

function objectSchemaType(schema: JsonObject, name: string): Ty {
  const properties = isObject(schema.properties) ? schema.properties : undefined;
  const additional = schema.additionalProperties;
  if (!properties) {
    return additional === false ? objectType(name, () => ({})) : mapOf(typeOfSchema(additional));
  }
  // Declared properties and nothing said about others: a name outside them is a typo (the
  // DSL writes every parameter it declares). Open extra keys cannot be typed, so any.
  if (additional !== undefined && additional !== false) return ANY;
  return objectType(name, () =>
    Object.fromEntries(
      Object.entries(properties).map(([key, value]) => [key, typeOfSchema(value, key)]),
    ),
  );
}

/** An enum without a type: the types of its values. */
function fromEnum(values: Json | undefined): Ty {
  if (!Array.isArray(values) || values.length === 0) return ANY;
  return unionOf(
    values.map((value) =>
      typeof value === "string"
        ? scalar("string")
        : typeof value === "boolean"
          ? scalar("boolean")
          : typeof value === "number"
            ? scalar(Number.isInteger(value) ? "integer" : "number")
            : ANY,
    ),
  );
}
