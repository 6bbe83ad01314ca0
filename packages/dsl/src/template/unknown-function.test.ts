import { CharterError } from "@charter/ir";
import { describe, expect, it } from "vitest";
import { Positions } from "../positions.js";
import { TemplateLowering } from "./cst-to-ir.js";
import { parseParts } from "./parse-template.js";

function errorOf(text: string, rule: "condition" | "hole" = "condition"): CharterError {
  try {
    new TemplateLowering(parseParts([text], rule), []).lower({
      scope: [],
      positions: new Positions(),
    });
  } catch (error) {
    if (error instanceof CharterError) return error;
    throw error;
  }
  throw new Error("expected a CharterError");
}

const FUNCTIONS = "the functions are `exists(…)`, `len(…)`, `keys(…)`, `inventory(…)`";

describe("a call of a function the language does not have", () => {
  it.each([
    ["lower(object.a) == 'x'", "lower", "did you mean `matches`?"],
    ["size(object.a) > 1", "size", "did you mean `len`?"],
    ["any c in pod.containers: has(c.image)", "has", "did you mean `exists`?"],
    ["object.a == 1 and kys(object.b) == []", "kys", "did you mean `keys(…)`?"],
    ["(lenght(object.a) > 1)", "lenght", "did you mean `len(…)`?"],
    ["startswith(object.a, 'x')", "startswith", "did you mean the operator `startsWith`?"],
  ])("%s names `%s`, suggests, and lists the functions", (text, name, suggestion) => {
    const error = errorOf(text);
    expect(error.message).toBe(
      `\`${name}\` is not a function of the condition language; ${error.message.split("; ").slice(1).join("; ")}`,
    );
    expect(error.message).toContain(suggestion);
    expect(error.location.column).toBe(text.indexOf(name) + 1);
    expect(error.hint).toContain(FUNCTIONS);
  });

  it("a method call says the language has no methods", () => {
    const error = errorOf("object.a.lower() == 'x'");
    expect(error.message).toMatch(
      /^`lower` is not a function of the condition language \(and it has no methods\)/,
    );
    expect(error.location.column).toBe(10);
  });

  it("a string operator written as a call says it goes between its operands", () => {
    const error = errorOf("startsWith(object.a, 'x')");
    expect(error.message).toBe(
      "`startsWith` is an operator, not a function: write it between its operands",
    );
    expect(error.location.column).toBe(1);
  });

  it("in a message hole too", () => {
    expect(errorOf("upper(object.a)", "hole").message).toMatch(/^`upper` is not a function/);
  });

  it("other syntax errors at `(` keep the parser's message", () => {
    expect(errorOf("object.a == 1 (").message).toBe(
      "expected the end of the condition but found '('",
    );
  });
});
