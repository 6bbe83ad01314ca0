import { fileURLToPath } from "node:url";
import { CharterError, validatePolicySet } from "@charter/ir";
import { describe, expect, it } from "vitest";
import { pod } from "./builder.js";
import { fromYaml, namespaceWith, podWith } from "./cases.js";
import { type PolicySpec, policy } from "./policy.js";
import { when } from "./when.js";

const FILE = fileURLToPath(import.meta.url);

function errorOf(run: () => unknown): CharterError {
  try {
    run();
  } catch (error) {
    if (error instanceof CharterError) return error;
    throw error;
  }
  throw new Error("expected a CharterError");
}

const spec = (cases: PolicySpec["cases"]): PolicySpec => ({
  title: "Pods run in namespaces that enforce the restricted profile",
  severity: "medium",
  category: "Pod security",
  match: pod,
  rules: {
    unenforced: {
      fail: when`namespaceObject.metadata.labels["pod-security.kubernetes.io/enforce"] != "restricted"`,
      message: "namespace {{namespaceObject.metadata.name}} does not enforce restricted",
    },
  },
  cases,
});

const restricted = namespaceWith("default", { "pod-security.kubernetes.io/enforce": "restricted" });

describe("a case's inventory", () => {
  it("reaches the IR TestCase, as valid IR", () => {
    const p = policy(
      "ns-restricted",
      spec({
        pass: [{ name: "restricted", resource: podWith(), inventory: [restricted] }],
        fail: [
          {
            name: "baseline",
            resource: podWith(),
            inventory: [
              namespaceWith("default", { "pod-security.kubernetes.io/enforce": "baseline" }),
            ],
            rules: ["unenforced"],
          },
          podWith({ image: "registry.example.com/other:1" }),
        ],
      }),
    );
    expect(p.cases.map((c) => [c.name, c.inventory])).toEqual([
      ["restricted", [restricted]],
      [
        "baseline",
        [
          {
            apiVersion: "v1",
            kind: "Namespace",
            metadata: {
              name: "default",
              labels: { "pod-security.kubernetes.io/enforce": "baseline" },
            },
          },
        ],
      ],
      [expect.stringMatching(/^Pod\//), undefined],
    ]);
    expect("inventory" in (p.cases[2] ?? {})).toBe(false);
    expect(() => validatePolicySet({ irVersion: 1, policies: [p] })).not.toThrow();
  });

  it("is copied: freezing the policy leaves the author's objects alone", () => {
    const mine = namespaceWith("default");
    const p = policy(
      "ns-restricted",
      spec({ pass: [{ name: "x", resource: podWith(), inventory: [mine] }] }),
    );
    expect(Object.isFrozen(mine)).toBe(false);
    expect(Object.isFrozen(p.cases[0]?.inventory?.[0])).toBe(true);
  });

  it.each([
    { note: "not a list", inventory: restricted, message: "must be a list of Kubernetes objects" },
    { note: "a string entry", inventory: ["default"], message: "[0] is not a Kubernetes object" },
    { note: "a list entry", inventory: [[restricted]], message: "[0] is not a Kubernetes object" },
    {
      note: "an entry without a name",
      inventory: [restricted, { apiVersion: "v1", kind: "Namespace", metadata: {} }],
      message: "cases.pass[0].inventory[1] needs apiVersion, kind and metadata.name",
    },
    {
      note: "an entry without a kind",
      inventory: [{ apiVersion: "v1", metadata: { name: "x" } }],
      message: "needs apiVersion, kind and metadata.name",
    },
    {
      note: "a non-JSON entry",
      inventory: [{ apiVersion: "v1", kind: "Namespace", metadata: { name: "x", at: new Date() } }],
      message: "cases.pass[0].inventory[0]",
    },
  ])("rejects $note", ({ inventory, message }) => {
    const error = errorOf(() =>
      policy(
        "ns-restricted",
        spec({ pass: [{ name: "x", resource: podWith(), inventory } as never] }),
      ),
    );
    expect(error.message).toContain(message);
    expect(error.location.file).toBe(FILE);
  });

  it("fromYaml gives every document the same inventory", () => {
    const p = policy(
      "ns-restricted",
      spec({ fail: [fromYaml("__fixtures__/cases/pods.yaml", { inventory: [restricted] })] }),
    );
    expect(p.cases.length).toBeGreaterThan(1);
    for (const testCase of p.cases) expect(testCase.inventory).toEqual([restricted]);
  });

  it("fromYaml checks its inventory where it is called", () => {
    const error = errorOf(() =>
      fromYaml("__fixtures__/cases/pods.yaml", { inventory: [{ kind: "Namespace" }] }),
    );
    expect(error.message).toContain("fromYaml(): inventory[0] needs apiVersion, kind");
    expect(error.location.file).toBe(FILE);
  });
});

describe("namespaceWith", () => {
  it("makes a Namespace, without an empty labels map", () => {
    expect(namespaceWith("team-a")).toEqual({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "team-a" },
    });
    expect(namespaceWith("team-a", { tier: "prod" }, { annotations: { a: "b" } })).toEqual({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "team-a", labels: { tier: "prod" }, annotations: { a: "b" } },
    });
  });
});
