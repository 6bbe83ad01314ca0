/**
 * Parameter schema builders: `list(string()).default([…]).describe("…")`. Each builds a JSON
 * schema; a policy's parameters schema is an object of them, and the defaults are its values.
 */
import { CharterError, type Json, type JsonObject } from "@charter/ir";
import { type CallSite, callSite } from "./callsite.js";
import { notJsonReason } from "./json-value.js";

const PARAM = Symbol.for("charter.paramSchema");

export function isParamSchema(x: unknown): x is ParamSchema {
  return typeof x === "object" && x !== null && PARAM in x;
}

export class ParamSchema<T extends Json = Json> {
  /** @internal */
  readonly [PARAM] = true;

  /** @internal */
  constructor(
    readonly schema: JsonObject,
    readonly defaultValue?: T,
    /** @internal Where `.default(…)` was called: errors about the default point there. */
    readonly site?: CallSite,
  ) {}

  /** The value used unless configuration overrides it. */
  default(value: T): ParamSchema<T> {
    const site = callSite();
    const reason = notJsonReason(value, "the default");
    if (reason) throw new CharterError(`${reason}: a parameter default must be JSON`, site ?? {});
    return new ParamSchema<T>({ ...this.schema, default: value }, value, site);
  }

  /** A description for documentation and for the emitted schemas. */
  describe(text: string): ParamSchema<T> {
    return new ParamSchema<T>({ ...this.schema, description: text }, this.defaultValue, this.site);
  }
}

export const string = (): ParamSchema<string> => new ParamSchema({ type: "string" });
export const number = (): ParamSchema<number> => new ParamSchema({ type: "number" });
export const integer = (): ParamSchema<number> => new ParamSchema({ type: "integer" });
export const boolean = (): ParamSchema<boolean> => new ParamSchema({ type: "boolean" });

export function list<T extends Json>(items: ParamSchema<T>): ParamSchema<T[]> {
  return new ParamSchema({ type: "array", items: items.schema });
}

/** An object with these properties (no others); properties without a default are required. */
export function object<S extends Record<string, ParamSchema>>(
  properties: S,
): ParamSchema<{ [K in keyof S]: S[K] extends ParamSchema<infer T> ? T : never }> {
  return new ParamSchema(objectSchema(properties));
}

export function objectSchema(properties: Record<string, ParamSchema>): JsonObject {
  const required = Object.entries(properties)
    .filter(([, schema]) => schema.defaultValue === undefined)
    .map(([name]) => name);
  return {
    type: "object",
    properties: Object.fromEntries(Object.entries(properties).map(([name, p]) => [name, p.schema])),
    ...(required.length ? { required } : {}),
    additionalProperties: false,
  };
}
