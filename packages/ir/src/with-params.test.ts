import { describe, expect, it } from "vitest";
import { CharterError } from "./errors.js";
import type { Policy } from "./policy.js";
import { withParams } from "./with-params.js";

function errorOf(run: () => unknown): CharterError {
  try {
    run();
  } catch (error) {
    if (error instanceof CharterError) return error;
    throw error;
  }
  throw new Error("expected a CharterError");
}

/** What the DSL builds for `params: { allowed: list(string()).default(["registry.example.com/"]) }`. */
const p: Policy = {
  name: "restrict-image-registries",
  title: "Images come from approved registries",
  description: "",
  severity: "high",
  category: "Supply chain",
  controls: [],
  enforcement: "deny",
  match: { subject: "pod", controllers: true },
  parameters: {
    schema: {
      type: "object",
      properties: {
        allowed: { type: "array", items: { type: "string" }, default: ["registry.example.com/"] },
      },
      additionalProperties: false,
    },
    values: { allowed: ["registry.example.com/"] },
  },
  rules: [],
  cases: [],
};

describe("withParams", () => {
  it("returns a new policy with the values set", () => {
    const q = withParams(p, { allowed: ["corp.io/"] });
    expect(q.parameters.values).toEqual({ allowed: ["corp.io/"] });
    expect(p.parameters.values).toEqual({ allowed: ["registry.example.com/"] });
    expect(Object.isFrozen(q.parameters.values)).toBe(true);
  });

  it("validates the values against the schema", () => {
    expect(errorOf(() => withParams(p, { allowed: "corp.io/" })).message).toBe(
      'policy "restrict-image-registries": parameters do not fit the schema: params.allowed must be array',
    );
    expect(errorOf(() => withParams(p, { other: 1 })).message).toBe(
      'policy "restrict-image-registries": parameters do not fit the schema: params.other is not a parameter of this policy',
    );
    expect(errorOf(() => withParams(p, { alowed: [] })).message).toMatch(
      /params\.alowed is not a parameter of this policy; did you mean `allowed`\?$/,
    );
  });

  it("checks a value the rules use as a pattern against RE2", () => {
    const patterned: Policy = {
      ...p,
      rules: [
        {
          name: "r",
          condition: {
            kind: "string",
            op: "matches",
            left: { kind: "ref", root: { kind: "object" }, path: ["image"] },
            right: { kind: "ref", root: { kind: "params" }, path: ["allowed", 0] },
          },
          message: { template: "m", parts: [{ kind: "text", text: "m" }] },
        },
      ],
    };
    expect(errorOf(() => withParams(patterned, { allowed: ["(?<=x)y"] })).message).toMatch(
      /params\.allowed\.0 the pattern "\(\?<=x\)y" is not a valid RE2/,
    );
  });
});
