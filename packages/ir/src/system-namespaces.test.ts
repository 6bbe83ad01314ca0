import { describe, expect, it } from "vitest";
import type { Json } from "./json.js";
import { validatePolicySet } from "./schema.js";
import { DEFAULT_SYSTEM_NAMESPACES, systemNamespaceOf } from "./system-namespaces.js";

const SYSTEM = DEFAULT_SYSTEM_NAMESPACES;
const pod = (metadata: Json): Json => ({ apiVersion: "v1", kind: "Pod", metadata });

describe("systemNamespaceOf", () => {
  it.each<{ note: string; object: Json; want: string | undefined }>([
    {
      note: "a Pod in kube-system",
      object: pod({ name: "p", namespace: "kube-system" }),
      want: "kube-system",
    },
    {
      note: "a Pod in kube-node-lease",
      object: pod({ namespace: "kube-node-lease" }),
      want: "kube-node-lease",
    },
    { note: "a Pod in default", object: pod({ name: "p", namespace: "default" }), want: undefined },
    {
      note: "a Pod without a namespace (lands in default)",
      object: pod({ name: "p" }),
      want: undefined,
    },
    {
      note: "a namespace that only starts like one",
      object: pod({ namespace: "kube-system-2" }),
      want: undefined,
    },
    {
      note: "a namespace in another case",
      object: pod({ namespace: "Kube-System" }),
      want: undefined,
    },
    {
      note: "a namespace that is not a string",
      object: pod({ namespace: ["kube-system"] }),
      want: undefined,
    },
    {
      note: "metadata that is not an object",
      object: { apiVersion: "v1", kind: "Pod", metadata: "kube-system" },
      want: undefined,
    },
    { note: "no metadata", object: { apiVersion: "v1", kind: "Pod" }, want: undefined },
    {
      note: "a Deployment, by its own namespace",
      object: {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { namespace: "kube-public" },
        spec: { template: { metadata: { namespace: "x" } } },
      },
      want: "kube-public",
    },
    {
      note: "the Namespace kube-system itself",
      object: { apiVersion: "v1", kind: "Namespace", metadata: { name: "kube-system" } },
      want: "kube-system",
    },
    {
      note: "another Namespace",
      object: { apiVersion: "v1", kind: "Namespace", metadata: { name: "team-a" } },
      want: undefined,
    },
    {
      note: "a Namespace is placed by its name, not a namespace written on it",
      object: {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: "team-a", namespace: "kube-system" },
      },
      want: undefined,
    },
    {
      note: "a Namespace of another API group is not the core one",
      object: {
        apiVersion: "example.com/v1",
        kind: "Namespace",
        metadata: { name: "kube-system" },
      },
      want: undefined,
    },
    {
      note: "a cluster-scoped Node named kube-system",
      object: { apiVersion: "v1", kind: "Node", metadata: { name: "kube-system" } },
      want: undefined,
    },
    {
      note: "a ClusterRoleBinding",
      object: {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        metadata: { name: "kube-system" },
      },
      want: undefined,
    },
    { note: "not an object", object: ["kube-system"], want: undefined },
    { note: "null", object: null, want: undefined },
  ])("$note", ({ object, want }) => {
    expect(systemNamespaceOf(object, SYSTEM)).toBe(want);
  });

  it("judges everything with an empty setting, and reads the list it is given", () => {
    expect(systemNamespaceOf(pod({ namespace: "kube-system" }), [])).toBeUndefined();
    expect(systemNamespaceOf(pod({ namespace: "infra" }), ["infra"])).toBe("infra");
  });

  it("defaults to the control plane's three namespaces", () => {
    expect([...DEFAULT_SYSTEM_NAMESPACES]).toEqual([
      "kube-system",
      "kube-public",
      "kube-node-lease",
    ]);
    expect(Object.isFrozen(DEFAULT_SYSTEM_NAMESPACES)).toBe(true);
  });
});

describe("the IR schema's systemNamespaces", () => {
  const set = (systemNamespaces: unknown) => ({ irVersion: 1, policies: [], systemNamespaces });
  it("takes a list of namespace names", () => {
    expect(validatePolicySet(set(["kube-system", "infra"])).systemNamespaces).toEqual([
      "kube-system",
      "infra",
    ]);
    expect(validatePolicySet(set([])).systemNamespaces).toEqual([]);
  });
  it.each([
    [["Kube-System"]],
    [["kube_system"]],
    [["a", "a"]],
    ["kube-system"],
    [[""]],
    [["x".repeat(64)]],
  ])("refuses %j", (value) => {
    expect(() => validatePolicySet(set(value))).toThrow(/systemNamespaces/);
  });
});
