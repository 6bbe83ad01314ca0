import type { Expr, Json, Policy } from "@charter/ir";
import {
  and,
  any,
  cmp,
  data,
  exists,
  kindsMatch,
  lit,
  message,
  policy,
  rule,
  str,
  v,
} from "@charter/test-support/build-ir";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createIrEngine } from "../ir-engine/engine.js";
import { createGeneratedEngine } from "./engine.js";
import { instantiate, policySource } from "./policy-function.js";

const match = kindsMatch([{ group: "test.charter.dev", kind: "Case" }]);
const caseObject = (value: Json) => ({
  object: { apiVersion: "test.charter.dev/v1", kind: "Case", metadata: { name: "c" }, data: value },
});

/** The generated engine's rows for one rule, as [result, message]. */
function judged(condition: Expr, value: Json, msg = message("failed")): [string, string] {
  const [finding] = createGeneratedEngine([
    policy("p", [rule("r", condition, msg)], { match }),
  ]).evaluateSync([caseObject(value)]);
  return [finding?.result ?? "none", finding?.message ?? ""];
}

describe("generated source", () => {
  it("reads a key only when the object owns it: inherited names are keys like any other", () => {
    const source = policySource(policy("p", [rule("r", exists(data("__proto__")))], { match }));
    expect(source).toContain("hasOwn(v");
    expect(source).toContain('["__proto__"]');
    for (const key of ["__proto__", "constructor", "toString", "hasOwnProperty", "prototype"]) {
      expect(judged(exists(data(key)), {})[0], key).toBe("pass");
      expect(judged(exists(data(key)), JSON.parse(`{"${key}": 1}`))[0], key).toBe("fail");
      expect(judged(exists(data("s", key)), { s: "text" })[0], key).toBe("pass");
    }
  });

  it("parses list and object literals from JSON: a __proto__ key stays a key", () => {
    const literal = JSON.parse('{"__proto__": {"polluted": true}}') as Json;
    const condition = cmp(data("x"), "==", lit(literal));
    expect(policySource(policy("p", [rule("r", condition)], { match }))).toContain("parseJson(");
    expect(judged(condition, { x: JSON.parse('{"__proto__": {"polluted": true}}') })[0]).toBe(
      "fail",
    );
    expect(judged(condition, { x: {} })[0]).toBe("pass");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("writes hostile strings in messages and literals as the very same strings", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a hostile string on purpose
    const hostile = '"}\n\\{{x}} ${1}\u0000\t\u2028\u2029*/`</script>😀\ud800';
    const [result, text] = judged(
      cmp(data("s"), "==", lit(hostile)),
      { s: hostile },
      message(hostile, data("s")),
    );
    expect(result).toBe("fail");
    // One line, as the API server shows it: line breaks become spaces.
    expect(text).toBe(`${hostile}${hostile}`.replaceAll("\n", " "));
  });

  it("any string is a key the generated code reads exactly (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 8 }), fc.boolean(), (key, owned) => {
        const value: Json = owned ? JSON.parse(JSON.stringify({ [key]: "v" })) : {};
        expect(judged(exists(data(key)), value)[0]).toBe(owned ? "fail" : "pass");
      }),
      { numRuns: 300 },
    );
  });

  it("names variables itself, so IR variable names never become identifiers", () => {
    const condition = any("constructor", data("items"), cmp(v("constructor"), "==", lit(2)));
    const source = policySource(
      policy("p", [rule("r", condition, message("got ", v("constructor")))], { match }),
    );
    expect(source).not.toMatch(/\bconst constructor\b/);
    expect(judged(condition, { items: [1, 2] }, message("got ", v("constructor")))).toEqual([
      "fail",
      "got 2",
    ]);
  });

  it("orders Infinity against Infinity as the closures do (unordered: every order test false)", () => {
    const infinite = { a: Number.POSITIVE_INFINITY, b: Number.POSITIVE_INFINITY };
    for (const op of ["<", "<=", ">", ">="] as const) {
      expect(judged(cmp(data("a"), op, data("b")), infinite)[0], op).toBe("pass");
    }
    expect(judged(cmp(data("a"), "==", data("b")), infinite)[0]).toBe("fail");
  });

  it("judges a non-JSON number literal a policy built in code may hold as the closures do", () => {
    const values = [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN];
    for (const literal of values) {
      for (const op of ["==", "!=", "<", ">="] as const) {
        const p = policy("p", [rule("r", cmp(data("n"), op, lit(literal)))], { match });
        for (const n of [1, Number.POSITIVE_INFINITY]) {
          const resources = [caseObject({ n })];
          expect(
            createGeneratedEngine([p]).evaluateSync(resources),
            `${n} ${op} ${literal}`,
          ).toEqual(createIrEngine([p]).evaluateSync(resources));
        }
      }
    }
  });

  it("is the same text for the same policy, and loads with new Function", () => {
    const p: Policy = policy(
      "p",
      [rule("r", and(exists(data("a")), str(data("a"), "matches", lit("^a+$"))))],
      { match },
    );
    expect(policySource(p)).toBe(policySource(p));
    const [judge] = instantiate(policySource(p));
    expect(typeof judge).toBe("function");
  });

  it("refuses IR the closures refuse, with the same words", () => {
    const unbound = policy("p", [rule("r", cmp(v("x"), "==", lit(1)))], { match });
    const badPattern = policy("p", [rule("r", str(data("a"), "matches", lit("(")))], { match });
    for (const p of [unbound, badPattern]) {
      expect(() => createGeneratedEngine([p])).toThrow();
      let closures = "";
      try {
        createIrEngine([p]);
      } catch (error) {
        closures = (error as Error).message;
      }
      expect(closures).not.toBe("");
      expect(() => createGeneratedEngine([p])).toThrow(closures);
    }
  });
});
