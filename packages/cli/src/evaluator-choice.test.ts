import { describe, expect, it } from "vitest";
import { chosenEvaluator } from "./evaluator-choice.js";

describe("CHARTER_EVALUATOR", () => {
  it("names the evaluator, or leaves the default when unset or empty", () => {
    expect(chosenEvaluator("generated")).toBe("generated");
    expect(chosenEvaluator("closures")).toBe("closures");
    expect(chosenEvaluator(undefined)).toBeUndefined();
    expect(chosenEvaluator("")).toBeUndefined();
  });

  it("refuses anything else, naming the choices", () => {
    expect(() => chosenEvaluator("Generated")).toThrow(
      /CHARTER_EVALUATOR="Generated" is not an evaluator/,
    );
  });
});
