import { CharterError } from "@charter/ir";
import { describe, expect, it } from "vitest";
import {
  all,
  any,
  type Cond,
  inventory,
  len,
  namespaceObject,
  none,
  params,
  pod,
  resource,
  type Value,
} from "./index.js";
import { when } from "./when.js";

/** Each row: the same cross-resource condition as a template and with the builder. */
const parity: { note: string; template: Cond; builder: Value }[] = [
  {
    note: "a Namespace label",
    template: when`namespaceObject.metadata.labels["istio-injection"] != "enabled"`,
    builder: namespaceObject.at("metadata.labels").get("istio-injection").ne("enabled"),
  },
  {
    note: "the Namespace object itself, with ??",
    template: when`(namespaceObject.metadata.annotations ?? ${{}}) == ${{}}`,
    builder: namespaceObject.at("metadata.annotations").orElse({}).eq({}),
  },
  {
    note: "a namespaced kind in the resource's namespace",
    template: when`none p in inventory("networking.k8s.io/v1", "NetworkPolicy", object.metadata.namespace): len(p.spec.podSelector) == 0`,
    builder: none(
      "p",
      inventory("networking.k8s.io/v1", "NetworkPolicy", resource.at("metadata.namespace")),
      (p) => p.at("spec.podSelector").len().eq(0),
    ),
  },
  {
    note: "a cluster-scoped kind, counted",
    template: when`len(inventory("node.k8s.io/v1", "RuntimeClass")) == 0`,
    builder: len(inventory("node.k8s.io/v1", "RuntimeClass")).eq(0),
  },
  {
    note: "a literal namespace and a pod path",
    template: when`any c in pod.containers: all x in inventory("v1", "ConfigMap", "kube-system"): c.name != x.metadata.name`,
    builder: any("c", pod.containers, (c) =>
      all("x", inventory("v1", "ConfigMap", "kube-system"), (x) =>
        c.at("name").ne(x.at("metadata.name")),
      ),
    ),
  },
  {
    note: "interpolated builder pieces",
    template: when`any pa in ${inventory("security.istio.io/v1", "PeerAuthentication", params.at("ns"))}: ${namespaceObject.at("metadata.name")} == pa.metadata.namespace`,
    builder: any(
      "pa",
      inventory("security.istio.io/v1", "PeerAuthentication", params.at("ns")),
      (pa) => namespaceObject.at("metadata.name").eq(pa.at("metadata.namespace")),
    ),
  },
];

describe("the builder gives the same IR as the template for cross-resource conditions", () => {
  it.each(parity)("$note", ({ template, builder }) => {
    expect(builder.toIR()).toEqual(template.toIR());
  });

  it("namespaceObject is the namespace root", () => {
    expect(namespaceObject.toIR()).toEqual({ kind: "ref", root: { kind: "namespace" }, path: [] });
  });

  it("inventory without a namespace has no namespace key", () => {
    expect(inventory("v1", "Namespace").toIR()).toStrictEqual({
      kind: "inventory",
      apiVersion: "v1",
      resource: "Namespace",
    });
  });
});

describe("builder inventory() checks its kind where it is called", () => {
  it.each([
    { apiVersion: "apps/v1/Deployment", kind: "Deployment", message: "is not an apiVersion" },
    { apiVersion: "v1", kind: "namespaces", message: "is not a kind" },
    { apiVersion: "", kind: "Namespace", message: "is not an apiVersion" },
  ])("rejects ($apiVersion, $kind)", ({ apiVersion, kind, message }) => {
    try {
      inventory(apiVersion, kind);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CharterError);
      expect((error as CharterError).message).toContain(message);
      expect((error as CharterError).location.file).toMatch(/cross-resource-builder\.test\.ts$/);
      expect((error as CharterError).location.line).toBeGreaterThan(0);
    }
  });

  it("rejects a non-string apiVersion (from untyped code)", () => {
    expect(() => inventory(resource as unknown as string, "Namespace")).toThrow(/must be strings/);
  });
});
