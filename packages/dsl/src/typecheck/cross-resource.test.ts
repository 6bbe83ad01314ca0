import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CharterError } from "@charter/ir";
import { describe, expect, it } from "vitest";
import { kinds, pod } from "../builder.js";
import { CharterErrors, type PolicySpec, policy, type RuleSpec } from "../policy.js";
import { when } from "../when.js";

const self = readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n");
const lineOf = (marker: string): number => self.findIndex((line) => line.includes(marker)) + 1;

function spec(fail: RuleSpec["fail"], message = "m"): PolicySpec {
  return {
    title: "T",
    severity: "high",
    category: "c",
    match: kinds("v1/Service"),
    rules: { r: { fail, message } },
  };
}

function errorsOf(run: () => unknown): CharterError[] {
  try {
    run();
  } catch (error) {
    if (error instanceof CharterErrors) return [...error.errors];
    if (error instanceof CharterError) return [error];
    throw error;
  }
  throw new Error("expected a CharterError");
}

describe("namespaceObject is typed as a core v1 Namespace", () => {
  it("accepts its fields, in any policy", () => {
    expect(() =>
      policy(
        "ok",
        spec(
          when`namespaceObject.metadata.labels["team"] == "a" and namespaceObject.status.phase == "Active"`,
        ),
      ),
    ).not.toThrow();
    expect(() =>
      policy("ok-pod", {
        ...spec(when`namespaceObject.spec.finalizers[0] == "kubernetes"`),
        match: pod,
      }),
    ).not.toThrow();
  });

  it("reports a misspelt field with its position and a suggestion", () => {
    const cond = when`namespaceObject.metadata.lables["team"] == "a"`; // MARK-NS-LABLES
    const [error, ...rest] = errorsOf(() => policy("typo", spec(cond)));
    expect(rest).toEqual([]);
    expect(error?.message).toContain("unknown field `lables`");
    expect(error?.hint).toContain("labels");
    const line = lineOf("MARK-NS-LABLES");
    expect(error?.location).toMatchObject({
      line,
      // At the misspelt segment, not at the start of the path.
      column: (self[line - 1] as string).indexOf("lables") + 1,
    });
  });

  it("reports a type mismatch on a Namespace field", () => {
    const [error] = errorsOf(() =>
      policy("mismatch", spec(when`namespaceObject.metadata.name == 3`)),
    );
    expect(error?.message).toContain("comparing it with the number 3 is always false");
  });

  it("types message holes that read it", () => {
    const [error] = errorsOf(() =>
      policy("hole", spec(when`exists(namespaceObject)`, "ns {{namespaceObject.metadata.nam}}")),
    );
    expect(error?.message).toContain("unknown field `nam`");
  });
});

describe("inventory(…) elements are typed as their kind", () => {
  it("types the variable of a known kind", () => {
    expect(() =>
      policy(
        "netpol",
        spec(
          when`none p in inventory("networking.k8s.io/v1", "NetworkPolicy", object.metadata.namespace): len(p.spec.podSelector) == 0`,
        ),
      ),
    ).not.toThrow();
    const [error] = errorsOf(() =>
      policy(
        "netpol-typo",
        spec(
          when`none p in inventory("networking.k8s.io/v1", "NetworkPolicy", object.metadata.namespace): len(p.spec.podSelektor) == 0`,
        ),
      ),
    );
    expect(error?.message).toContain("unknown field `podSelektor`");
    expect(error?.hint).toContain("podSelector");
  });

  it("types a cluster-scoped kind's elements too", () => {
    const [error] = errorsOf(() =>
      policy(
        "runtime-class",
        spec(when`any rc in inventory("node.k8s.io/v1", "RuntimeClass"): rc.handlr == "runsc"`),
      ),
    );
    expect(error?.message).toContain("unknown field `handlr`");
    expect(error?.hint).toContain("handler");
  });

  it("accepts anything on a kind the table lacks (a custom resource)", () => {
    expect(() =>
      policy(
        "istio",
        spec(
          when`any pa in inventory("security.istio.io/v1", "PeerAuthentication", object.metadata.namespace): pa.spec.mtls.mode == "STRICT"`,
        ),
      ),
    ).not.toThrow();
  });

  it("is a list: comparing it with a string is an error", () => {
    const [error] = errorsOf(() => policy("list", spec(when`inventory("v1", "Namespace") == "x"`)));
    expect(error?.message).toContain('`inventory("v1", "Namespace")` is a list');
  });

  it("reports a namespace argument that can never be a string", () => {
    const [error] = errorsOf(() =>
      policy("bad-ns", spec(when`len(inventory("v1", "ConfigMap", object.metadata.labels)) == 0`)),
    );
    expect(error?.message).toContain("a namespace is a string");
    expect(error?.message).toContain("always missing");
  });
});
