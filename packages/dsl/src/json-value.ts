/** Checks that a value handed to the DSL is plain JSON (what a literal may hold). */
import type { Json } from "@charter/ir";

/** Why `value` is not JSON (with the path to the offending part), or undefined when it is. */
export function notJsonReason(value: unknown, path = ""): string | undefined {
  switch (typeof value) {
    case "string":
    case "boolean":
      return undefined;
    case "number":
      return Number.isFinite(value)
        ? undefined
        : `${path || "the value"} is ${value}, not a JSON number`;
    case "object": {
      if (value === null) return undefined;
      if (Array.isArray(value)) {
        for (const [i, item] of value.entries()) {
          const reason = notJsonReason(item, `${path}[${i}]`);
          if (reason) return reason;
        }
        return undefined;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        const name = (value as object).constructor?.name ?? "object";
        return `${path || "the value"} is an instance of ${name}, not plain JSON`;
      }
      for (const [key, item] of Object.entries(value)) {
        const reason = notJsonReason(item, `${path}.${key}`);
        if (reason) return reason;
      }
      return undefined;
    }
    default:
      return `${path || "the value"} is ${describeType(value)}, not JSON`;
  }
}

function describeType(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "function") return "a function";
  if (typeof value === "bigint") return "a bigint";
  if (typeof value === "symbol") return "a symbol";
  return typeof value;
}

export function isJson(value: unknown): value is Json {
  return notJsonReason(value) === undefined;
}
