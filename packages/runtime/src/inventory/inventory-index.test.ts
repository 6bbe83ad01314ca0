import { describe, expect, it } from "vitest";
import { InventoryIndex } from "./inventory-index.js";

const PA = { apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", namespaced: true };
const NS = { apiVersion: "v1", kind: "Namespace", namespaced: false };

const pa = (name: string, apiVersion = "security.istio.io/v1beta1") => ({
  apiVersion,
  kind: "PeerAuthentication",
  metadata: { name, namespace: "istio-system" },
});

describe("InventoryIndex", () => {
  it("keeps only the kinds asked for, in any version, sorted by name, the last twin winning", () => {
    const index = InventoryIndex.of(
      [PA, NS],
      [
        pa("b"),
        pa("a", "security.istio.io/v1"),
        { ...pa("b"), spec: { later: true } },
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "istio-system" } },
        { apiVersion: "v1", kind: "Namespace", metadata: { name: "istio-system" } },
        { apiVersion: "v1", kind: "Namespace", metadata: {} },
        "not an object",
      ],
    );
    expect(index.list("security.istio.io/v1", "PeerAuthentication", "istio-system")).toEqual([
      pa("a", "security.istio.io/v1"),
      { ...pa("b"), spec: { later: true } },
    ]);
    expect(index.list("v1", "Namespace").map((n) => n.metadata)).toEqual([
      { name: "istio-system" },
    ]);
    expect(index.namespace("istio-system")).toBeDefined();
    expect(() => index.list("v1", "ConfigMap", "istio-system")).toThrow(/does not keep/);
  });

  it("serialises every kind under each version the policies read it at", () => {
    const index = InventoryIndex.of(
      [PA, { ...PA, apiVersion: "security.istio.io/v1beta1" }, NS],
      [pa("a"), { apiVersion: "v1", kind: "Namespace", metadata: { name: "n" } }],
    );
    const data = index.toGatekeeperData() as {
      cluster: Record<string, unknown>;
      namespace: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(data.namespace["istio-system"] ?? {}).sort()).toEqual([
      "security.istio.io/v1",
      "security.istio.io/v1beta1",
    ]);
    expect(data.cluster).toEqual({
      v1: { Namespace: { n: { apiVersion: "v1", kind: "Namespace", metadata: { name: "n" } } } },
    });
  });

  it("follows a watch: adopt keeps the object itself, remove forgets it, count counts", () => {
    const index = new InventoryIndex([PA, NS]);
    const a = pa("a");
    index.adopt(a);
    index.adopt(pa("b"));
    index.adopt({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "n" } });
    expect(index.list("security.istio.io/v1", "PeerAuthentication", "istio-system")[0]).toBe(a);
    expect(index.count("security.istio.io/v1", "PeerAuthentication")).toBe(2);
    // Removed by group, kind, namespace and name, whatever version the delete names.
    index.remove(pa("a", "security.istio.io/v1"));
    index.remove(pa("never-there"));
    expect(
      index
        .list("security.istio.io/v1", "PeerAuthentication", "istio-system")
        .map((o) => o.metadata),
    ).toEqual([{ name: "b", namespace: "istio-system" }]);
    index.remove(pa("b"));
    expect(index.list("security.istio.io/v1", "PeerAuthentication", "istio-system")).toEqual([]);
    expect(index.count("security.istio.io/v1", "PeerAuthentication")).toBe(0);
    expect(index.count("v1", "Namespace")).toBe(0);
    index.adopt(pa("c"));
    index.adopt({ apiVersion: "v1", kind: "Namespace", metadata: { name: "n" } });
    expect(index.list("security.istio.io/v1", "PeerAuthentication", "istio-system")).toHaveLength(
      1,
    );
    index.clear("security.istio.io/v1beta1", "PeerAuthentication");
    expect(index.list("security.istio.io/v1", "PeerAuthentication", "istio-system")).toEqual([]);
    expect(index.namespace("n")).toBeDefined();
  });
});
