/**
 * A policy's label selector, written natively by every YAML target — VAP and Kyverno
 * ValidatingPolicy `matchConstraints.objectSelector`, ClusterPolicy `resources.selector`,
 * Gatekeeper `spec.match.labelSelector` — and as the CEL match condition, each document
 * validated against its schema in ../shared/schemas (strict: unknown fields rejected, as
 * test/schemas.test.ts does). Verdicts on every engine: runtime/src/match-labels.test.ts.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Json, JsonObject, Policy } from "@charter/ir";
import { crdVersionSchema, kubernetesAjv, strictSchema } from "@charter/test-support/crd-schemas";
import type { ValidateFunction } from "ajv";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { LABELS_CONDITION } from "../cel/index.js";
import { emitGatekeeper } from "../gatekeeper/index.js";
import { emitKyverno } from "../kyverno/index.js";
import { emitRego } from "../rego/index.js";
import { emitVap } from "../vap/index.js";

const schemas = join(dirname(fileURLToPath(import.meta.url)), "../../../../../shared/schemas");

const selector = {
  matchLabels: { app: "web", "app.kubernetes.io/part-of": "shop" },
  matchExpressions: [
    { key: "example.com/env", operator: "NotIn", values: ["prod", "staging"] },
    { key: "tier", operator: "In", values: ["front"] },
    { key: "team", operator: "Exists" },
    { key: "legacy", operator: "DoesNotExist" },
  ],
} as const;

const labelled: Policy = {
  name: "labelled",
  title: "Labelled",
  description: "",
  severity: "high",
  category: "test",
  controls: [],
  enforcement: "deny",
  match: { subject: "pod", controllers: true, labels: selector },
  parameters: { schema: { type: "object", properties: {} }, values: {} },
  rules: [
    {
      name: "named",
      condition: {
        kind: "compare",
        op: "==",
        left: { kind: "ref", root: { kind: "object" }, path: ["metadata", "name"] },
        right: { kind: "literal", value: "x" },
      },
      message: { template: "bad", parts: [{ kind: "text", text: "bad" }] },
    },
  ],
  cases: [],
};

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const ajv = kubernetesAjv();
const crdSchema = crdVersionSchema;

function documents(files: Map<string, string>, path: string): JsonObject[] {
  const text = files.get(path);
  expect(text, path).toBeDefined();
  return parseAllDocuments(text ?? "").map((d) => d.toJS() as JsonObject);
}

function valid(validate: ValidateFunction, document: Json): string[] {
  return validate(document)
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

const at = (value: Json | undefined, ...path: (string | number)[]): Json | undefined =>
  path.reduce<Json | undefined>(
    (current, key) =>
      Array.isArray(current) && typeof key === "number"
        ? current[key]
        : isObject(current) && typeof key === "string"
          ? current[key]
          : undefined,
    value,
  );

describe("label selectors on every target", () => {
  it("VAP: matchConstraints.objectSelector and the CEL match condition, valid", () => {
    const [policy] = documents(emitVap([labelled]), "labelled.yaml");
    expect(at(policy, "spec", "matchConstraints", "objectSelector")).toEqual(selector);
    const conditions = at(policy, "spec", "matchConditions") as JsonObject[];
    expect(conditions.map((c) => c.name)).toContain(LABELS_CONDITION);
    const validate = ajv.compile(
      JSON.parse(
        readFileSync(
          join(
            schemas,
            "kubernetes/standalone-strict/validatingadmissionpolicy-admissionregistration-v1.json",
          ),
          "utf8",
        ),
      ),
    );
    expect(valid(validate, policy as Json)).toEqual([]);
  });

  it("Kyverno ValidatingPolicy: matchConstraints.objectSelector, valid", () => {
    const files = emitKyverno([labelled]);
    const [document] = [...files.values()].flatMap((text) =>
      parseAllDocuments(text).map((d) => d.toJS() as JsonObject),
    );
    expect(document?.kind).toBe("ValidatingPolicy");
    expect(at(document, "spec", "matchConstraints", "objectSelector")).toEqual(selector);
    const validate = ajv.compile(
      strictSchema(
        crdSchema("kyverno/policies.kyverno.io_validatingpolicies.yaml", "v1"),
      ) as object,
    );
    expect(valid(validate, document as Json)).toEqual([]);
  });

  it("Kyverno ClusterPolicy: match.any[].resources.selector and a CEL precondition, valid", () => {
    const files = emitKyverno([labelled], { api: "clusterpolicy" });
    const [document] = [...files.values()].flatMap((text) =>
      parseAllDocuments(text).map((d) => d.toJS() as JsonObject),
    );
    expect(document?.kind).toBe("ClusterPolicy");
    const rule = at(document, "spec", "rules", 0);
    expect(at(rule, "match", "any", 0, "resources", "selector")).toEqual(selector);
    const preconditions = at(rule, "celPreconditions") as JsonObject[];
    expect(preconditions.map((c) => c.name)).toContain(LABELS_CONDITION);
    const validate = ajv.compile(
      strictSchema(crdSchema("kyverno/kyverno.io_clusterpolicies.yaml", "v1")) as object,
    );
    expect(valid(validate, document as Json)).toEqual([]);
  });

  it.each(["rego", "cel"] as const)(
    "Gatekeeper (%s engine): the Constraint's spec.match.labelSelector, valid",
    (engine) => {
      const files = emitGatekeeper([labelled], { engine });
      const [constraint] = documents(files, "labelled/constraint.yaml");
      expect(at(constraint, "spec", "match", "labelSelector")).toEqual(selector);
      const match = (
        crdSchema("gatekeeper/match.gatekeeper.sh_matchcrd.yaml", "match").properties as JsonObject
      ).embeddedMatch as Json;
      expect(
        valid(ajv.compile(strictSchema(match) as object), at(constraint, "spec", "match") as Json),
      ).toEqual([]);
      const [template] = documents(files, "labelled/template.yaml");
      const validate = ajv.compile(
        strictSchema(
          crdSchema("gatekeeper/templates.gatekeeper.sh_constrainttemplates.yaml", "v1"),
        ) as object,
      );
      expect(valid(validate, template as Json)).toEqual([]);
    },
  );

  it("Rego: the applies rule tests every requirement on the object's own labels", () => {
    const rego = emitRego([labelled]).get("charter/policies/labelled.rego") ?? "";
    expect(rego).toContain(`lib.at(lib.resource, ["metadata", "labels", "app"]) == "web"`);
    expect(rego).toContain(
      `not lib.at(lib.resource, ["metadata", "labels", "example.com/env"]) in {"prod", "staging"}`,
    );
    expect(rego).toContain(`lib.at(lib.resource, ["metadata", "labels", "team"]) != null`);
    expect(rego).toContain(`lib.at(lib.resource, ["metadata", "labels", "legacy"]) == null`);
  });

  it("writes nothing for an empty selector (it selects everything)", () => {
    const empty: Policy = { ...labelled, match: { subject: "pod", controllers: true, labels: {} } };
    const [policy] = documents(emitVap([empty]), "labelled.yaml");
    expect(at(policy, "spec", "matchConstraints", "objectSelector")).toBeUndefined();
    const [constraint] = documents(emitGatekeeper([empty]), "labelled/constraint.yaml");
    expect(at(constraint, "spec", "match", "labelSelector")).toBeUndefined();
    const bare: Policy = { ...labelled, match: { subject: "pod", controllers: true } };
    expect(emitRego([empty])).toEqual(emitRego([bare]));
  });
});
