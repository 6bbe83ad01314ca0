/**
 * Issue 12, requirement 11: `evaluate` states its input shape and refuses a bare Kubernetes
 * object (which matched no policy and gave `[]`, a silent pass) with an error that says what
 * to pass.
 */
import type { JsonObject } from "@charter/ir";
import { eq, lit, message, podObject, policy, rule } from "@charter/test-support/build-ir";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createIrEngine } from "../ir-engine/engine.js";
import type { Resource } from "../types.js";

/** A rule that fails every Pod: a finding shows the resource was judged. */
const alwaysFails = policy("always-fails", [
  rule("always", eq(lit(true), lit(true)), message("always fails")),
]);

describe("evaluate's input", () => {
  const engine = createIrEngine([alwaysFails]);
  const pod = podObject({ containers: [{ name: "a", image: "nginx" }] });

  it("judges resources { object, source? }", async () => {
    const findings = await engine.evaluate([{ object: pod }]);
    expect(findings.map((f) => f.result)).toEqual(["fail"]);
  });

  it("refuses a bare Kubernetes object with a clear error, instead of returning []", async () => {
    await expect(engine.evaluate([pod] as unknown as Resource[])).rejects.toThrow(
      "evaluate: resources[0] is a bare Kubernetes object, not a resource { object, source? }",
    );
    expect(() => engine.evaluateSync([{ object: pod }, pod] as unknown as Resource[])).toThrow(
      /resources\[1\] is a bare Kubernetes object/,
    );
  });

  it("refuses a single object where the list belongs, and elements that are not objects", async () => {
    await expect(engine.evaluate({ object: pod } as unknown as Resource[])).rejects.toThrow(
      "evaluate takes a list of resources, not an object without `object`",
    );
    await expect(engine.evaluate([null] as unknown as Resource[])).rejects.toThrow(
      "resources[0] is null",
    );
  });

  it("property: any manifest is refused bare and judged wrapped", () => {
    const manifest = fc.record(
      {
        apiVersion: fc.constantFrom("v1", "apps/v1", "batch/v1"),
        kind: fc.constantFrom("Pod", "Deployment", "Job", "ConfigMap"),
        metadata: fc.record({ name: fc.string(), namespace: fc.string() }, { requiredKeys: [] }),
        spec: fc.object(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(manifest, (object) => {
        fc.pre("apiVersion" in object || "kind" in object);
        expect(() => engine.evaluateSync([object as unknown as Resource])).toThrow(
          /bare Kubernetes object/,
        );
        expect(() => engine.evaluateSync([{ object: object as JsonObject }])).not.toThrow();
      }),
      { seed: 12, numRuns: 500 },
    );
  });
});
