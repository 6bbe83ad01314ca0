import type { Json } from "@charter/ir";
import { describe, expect, it } from "vitest";
import { identityOf } from "./identity.js";

describe("identityOf", () => {
  it("reads apiVersion, kind, namespace and name", () => {
    expect(
      identityOf({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web", namespace: "prod" },
      }),
    ).toEqual({ apiVersion: "apps/v1", kind: "Deployment", namespace: "prod", name: "web" });
  });

  it("leaves namespace out when it is not set", () => {
    const identity = identityOf({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "prod" },
    });
    expect(identity).toEqual({ apiVersion: "v1", kind: "Namespace", name: "prod" });
    expect("namespace" in identity).toBe(false);
    expect("namespace" in identityOf({ metadata: { name: "x", namespace: "" } })).toBe(false);
    expect("namespace" in identityOf({ metadata: { name: "x", namespace: null } })).toBe(false);
  });

  it("uses generateName when there is no name, else the empty string", () => {
    expect(
      identityOf({ apiVersion: "batch/v1", kind: "Job", metadata: { generateName: "job-" } }).name,
    ).toBe("job-");
    expect(identityOf({ metadata: { name: "n", generateName: "g-" } }).name).toBe("n");
    expect(identityOf({ apiVersion: "v1", kind: "Pod" }).name).toBe("");
  });

  it("never throws on odd values", () => {
    const odd: Json[] = [null, 1, "x", [], { metadata: "x" }, { apiVersion: 1, kind: ["Pod"] }];
    for (const value of odd) {
      expect(identityOf(value)).toEqual({ apiVersion: "", kind: "", name: "" });
    }
  });
});
