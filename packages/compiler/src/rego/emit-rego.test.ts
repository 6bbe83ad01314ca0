import { CharterError, type Policy } from "@charter/ir";
import { describe, expect, it } from "vitest";
import { emitRego } from "./emit-rego.js";
import { regoString } from "./escape.js";

function policy(name: string, condition: Policy["rules"][number]["condition"]): Policy {
  return {
    name,
    title: name,
    description: "",
    severity: "low",
    category: "test",
    controls: [],
    enforcement: "warn",
    match: { subject: "pod", controllers: true },
    parameters: { schema: {}, values: { b: 1, a: ["x"] } },
    rules: [
      { name: "r", condition, message: { template: "m", parts: [{ kind: "text", text: "m" }] } },
    ],
    cases: [],
  };
}

const privileged = policy("no-privileged", {
  kind: "quantifier",
  quantifier: "any",
  variable: "c",
  collection: { kind: "ref", root: { kind: "containers" }, path: [] },
  body: { kind: "exists", arg: { kind: "ref", root: { kind: "var", name: "c" }, path: ["image"] } },
});
const other = policy("a-first", { kind: "literal", value: true });

describe("emitRego", () => {
  it("is deterministic and sorted whatever the input order", () => {
    const once = emitRego([privileged, other]);
    const twice = emitRego([other, privileged]);
    expect([...once.keys()]).toEqual([
      "charter/data.json",
      "charter/lib.rego",
      "charter/policies/a_first.rego",
      "charter/policies/no_privileged.rego",
      "charter/violations.rego",
    ]);
    expect([...twice.entries()]).toEqual([...once.entries()]);
  });

  it("names each package after its policy", () => {
    const text = emitRego([privileged]).get("charter/policies/no_privileged.rego") ?? "";
    expect(text).toContain("package charter.policies.no_privileged\n");
    expect(text).toContain('"policy": "no-privileged"');
    expect(text).toContain('params := data.charter.params["no-privileged"]');
  });

  it("ships every policy's parameter values as data, beside the exceptions", () => {
    const tuned: Policy = { ...other, parameters: { schema: {}, values: { max: 3 } } };
    const data = JSON.parse(emitRego([privileged, tuned]).get("charter/data.json") ?? "");
    expect(data).toEqual({
      exceptions: [],
      params: { "a-first": { max: 3 }, "no-privileged": { b: 1, a: ["x"] } },
      systemNamespaces: [],
    });
  });

  it("ships the system namespaces as data, and every applies rule leaves them out", () => {
    const files = emitRego([privileged], { systemNamespaces: ["kube-system", "infra"] });
    const data = JSON.parse(files.get("charter/data.json") ?? "");
    expect(data.systemNamespaces).toEqual(["kube-system", "infra"]);
    expect(files.get("charter/lib.rego")).toContain(
      'in_system_namespace if {\n\tkind_of(resource) == ["", "Namespace"]\n\tresource.metadata.name in data.charter.systemNamespaces\n}',
    );
    const [, policyRego] = [...files].find(([path]) => path.includes("no_privileged")) ?? [];
    expect(policyRego).toMatch(/applies if \{\n(\t[^\n]*\n)*\tnot lib\.in_system_namespace\n\}/);
    // The Rego is the same whatever the list: only data.json says it.
    const none = emitRego([privileged]);
    expect(none.get("charter/lib.rego")).toBe(files.get("charter/lib.rego"));
    expect(() => emitRego([privileged], { systemNamespaces: ["Kube-System"] })).toThrow(
      /not a namespace name/,
    );
  });

  it("raises a CharterError naming policy, rule and target for an unbound variable", () => {
    const broken = policy("broken", {
      kind: "exists",
      arg: { kind: "ref", root: { kind: "var", name: "x" }, path: [] },
    });
    expect(() => emitRego([broken])).toThrow(CharterError);
    expect(() => emitRego([broken])).toThrow(/policy "broken", rule "r": .*target "rego"/);
  });

  it("rejects two policies with the same package", () => {
    expect(() => emitRego([other, other])).toThrow(CharterError);
  });
});

describe("cross-resource constructs", () => {
  const namespaceLabel: Policy["rules"][number]["condition"] = {
    kind: "compare",
    op: "==",
    left: { kind: "ref", root: { kind: "namespace" }, path: ["metadata", "labels", "x"] },
    right: { kind: "literal", value: "y" },
  };
  const netpols = {
    kind: "inventory",
    apiVersion: "networking.k8s.io/v1",
    resource: 'Network"Policy',
    namespace: { kind: "ref", root: { kind: "object" }, path: ["metadata", "namespace"] },
  } as const;
  const crossing = policy("crossing", {
    kind: "and",
    args: [
      namespaceLabel,
      {
        kind: "quantifier",
        quantifier: "any",
        variable: "np",
        collection: netpols,
        body: { kind: "literal", value: true },
      },
      {
        kind: "quantifier",
        quantifier: "any",
        variable: "n",
        collection: { kind: "inventory", apiVersion: "v1", resource: "Namespace" },
        body: { kind: "literal", value: true },
      },
      { kind: "not", arg: netpols },
    ],
  });
  const text = emitRego([crossing]).get("charter/policies/crossing.rego") ?? "";

  it("reads the Namespace from data.inventory and never denies without it", () => {
    expect(text).toContain("\tapplies\n\tlib.namespace_object != null\n");
    expect(text).toContain(
      'lib.op_eq(lib.at(lib.namespace_object, ["metadata", "labels", "x"]), "y")',
    );
    const lib = emitRego([]).get("charter/lib.rego") ?? "";
    expect(lib).toContain(
      'namespace_object := bound_namespace(found) if {\n\tname := resource.metadata.namespace\n\tis_string(name)\n\tfound := object.get(synced, ["cluster", "v1", "Namespace", name], null)',
    );
    expect(lib).toContain("synced := data.inventory if is_object(data.inventory)");
  });

  it("lists the inventory under the node's exact apiVersion, every string escaped", () => {
    expect(text).toContain(
      'some i_1, np_2 in lib.list(lib.inventory_namespaced("networking.k8s.io/v1", "Network\\"Policy", lib.at(lib.resource, ["metadata", "namespace"])))',
    );
    expect(text).toContain('lib.list(lib.inventory_cluster("v1", "Namespace"))');
    // A list read as a condition never holds.
    expect(text).toContain("\tnot false\n");
  });

  it("leaves rules that read no Namespace unguarded", () => {
    expect(emitRego([privileged]).get("charter/policies/no_privileged.rego")).not.toContain(
      "namespace_object",
    );
  });
});

describe("regoString", () => {
  it.each([
    { note: "quotes and backslashes", input: 'a"b\\c', output: '"a\\"b\\\\c"' },
    { note: "newline, tab, carriage return", input: "\n\t\r", output: '"\\n\\t\\r"' },
    { note: "control characters", input: "\u0000\u001f\u007f", output: '"\\u0000\\u001f\\u007f"' },
    { note: "template braces stay", input: "{{x}}", output: '"{{x}}"' },
    { note: "non-ASCII", input: "é\ufeff", output: '"\\u00e9\\ufeff"' },
    { note: "astral as a surrogate pair", input: "😀", output: '"\\ud83d\\ude00"' },
  ])("$note", ({ input, output }) => {
    expect(regoString(input)).toBe(output);
  });
});
