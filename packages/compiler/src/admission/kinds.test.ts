import { describe, expect, it } from "vitest";
import { guessResource, kindInfo } from "./kinds.js";

describe("kinds", () => {
  it.each([
    ["Pod", "pods"],
    ["Ingress", "ingresses"],
    ["NetworkPolicy", "networkpolicies"],
    ["Widget", "widgets"],
  ])("%s → %s", (kind, resource) => {
    expect(guessResource(kind)).toBe(resource);
  });

  it("knows the pod controllers' resources and versions", () => {
    expect(kindInfo({ group: "batch", kind: "CronJob" })).toMatchObject({
      resource: "cronjobs",
      version: "v1",
      scope: "Namespaced",
    });
    expect(kindInfo({ group: "example.com", kind: "Widget" })).toMatchObject({
      version: "*",
      scope: "Unknown",
    });
  });
});
