import { expiryInstant, isValidExpiry, type PolicyException } from "@charter/ir";
import { any, eq, lit, message, policy, rule, v } from "@charter/test-support/build-ir";
import { describe, expect, it } from "vitest";
import { identityOf } from "../identity.js";
import { createIrEngine } from "../ir-engine/engine.js";
import { applyExceptions, exceptionMatches, expiringWithin, inForce } from "./apply.js";

const privileged = policy("no-privileged", [
  rule(
    "privileged",
    any(
      "c",
      { kind: "ref", root: { kind: "containers" }, path: [] },
      eq(v("c", "securityContext", "privileged"), lit(true)),
    ),
    message("privileged ", v("c", "name")),
  ),
  rule("other", lit(false)),
]);

const pod = (name: string, namespace: string, images: string[], labels = {}) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace, labels },
  spec: {
    containers: images.map((image, i) => ({
      name: `c${i}`,
      image,
      securityContext: { privileged: true },
    })),
  },
});

const base: PolicyException = {
  name: "legacy-agent",
  policy: "no-privileged",
  rules: ["privileged"],
  match: { namespaces: ["monitoring"] },
  reason: "the node agent needs host access until its 2.0 release",
  owner: "team-observability",
  expires: "2027-01-31",
};

const NOW = Date.parse("2027-01-15T12:00:00Z");

describe("exception expiry", () => {
  it("a date applies through the end of that day, UTC; a date-time until that instant", () => {
    expect(expiryInstant("2027-01-31")).toBe(Date.parse("2027-02-01T00:00:00Z"));
    expect(inForce(base, Date.parse("2027-01-31T23:59:59Z"))).toBe(true);
    expect(inForce(base, Date.parse("2027-02-01T00:00:00Z"))).toBe(false);
    const precise = { ...base, expires: "2027-01-31T12:00:00+02:00" };
    expect(inForce(precise, Date.parse("2027-01-31T09:59:59Z"))).toBe(true);
    expect(inForce(precise, Date.parse("2027-01-31T10:00:00Z"))).toBe(false);
  });

  it("knows valid dates from invalid ones", () => {
    expect(isValidExpiry("2027-02-28")).toBe(true);
    expect(isValidExpiry("2027-02-29")).toBe(false);
    expect(isValidExpiry("2027-13-01")).toBe(false);
    expect(isValidExpiry("2027-01-31T00:00:00Z")).toBe(true);
    expect(isValidExpiry("next tuesday")).toBe(false);
  });

  it("lists exceptions that expire within the window, soonest first, not expired ones", () => {
    const soon = { ...base, name: "soon", expires: "2027-01-20" };
    const later = { ...base, name: "later", expires: "2027-03-01" };
    const gone = { ...base, name: "gone", expires: "2027-01-01" };
    expect(expiringWithin([later, base, soon, gone], NOW, 14).map((e) => e.name)).toEqual(["soon"]);
  });
});

describe("exception matching", () => {
  const matches = (exception: PolicyException, object: ReturnType<typeof pod>) =>
    exceptionMatches(exception, object, identityOf(object));

  it("every given field must hold", () => {
    const both = { ...base, match: { namespaces: ["monitoring"], names: ["agent-*"] } };
    expect(matches(both, pod("agent-1", "monitoring", ["x"]))).toBe(true);
    expect(matches(both, pod("web", "monitoring", ["x"]))).toBe(false);
    expect(matches(both, pod("agent-1", "default", ["x"]))).toBe(false);
  });

  it("kinds by group and kind; labels by the resource's own labels", () => {
    const kinds = { ...base, match: { kinds: [{ group: "", kind: "Pod" }] } };
    expect(matches(kinds, pod("p", "a", ["x"]))).toBe(true);
    const deployments = { ...base, match: { kinds: [{ group: "apps", kind: "Deployment" }] } };
    expect(matches(deployments, pod("p", "a", ["x"]))).toBe(false);
    const labels = { ...base, match: { labels: { matchLabels: { tier: "agent" } } } };
    expect(matches(labels, pod("p", "a", ["x"], { tier: "agent" }))).toBe(true);
    expect(matches(labels, pod("p", "a", ["x"], { tier: "web" }))).toBe(false);
  });

  it("images: every container must match, so a sidecar's exception never excuses the app", () => {
    const images = { ...base, match: { images: ["registry.example.com/agent:*"] } };
    expect(matches(images, pod("p", "a", ["registry.example.com/agent:2.1"]))).toBe(true);
    expect(matches(images, pod("p", "a", ["registry.example.com/agent:2.1", "nginx:1.27"]))).toBe(
      false,
    );
    expect(matches(images, pod("p", "a", []))).toBe(false);
  });
});

describe("applyExceptions", () => {
  const resources = [
    { object: pod("agent", "monitoring", ["a"]) },
    { object: pod("web", "shop", ["b"]) },
  ];
  const findings = createIrEngine([privileged]).evaluateSync(resources);

  it("turns the covered rows into skips naming the exception, and only those", () => {
    const { findings: applied, used } = applyExceptions(findings, resources, [base], NOW);
    const rows = applied.map((f) => `${f.resourceIndex} ${f.rule} ${f.result}`);
    expect(rows).toEqual([
      "0 privileged skip",
      "0 other pass",
      "1 privileged fail",
      "1 other pass",
    ]);
    expect(applied[0]?.exception).toEqual({
      name: "legacy-agent",
      reason: base.reason,
      owner: "team-observability",
      expires: "2027-01-31",
    });
    expect(applied[0]?.message).toMatch(
      /^excused by exception legacy-agent \(owner team-observability, until 2027-01-31\)/,
    );
    expect([...used]).toEqual(["legacy-agent"]);
  });

  it("stops applying after expiry, and reports unused exceptions by omission", () => {
    const later = Date.parse("2027-02-01T00:00:00Z");
    const { findings: applied, used } = applyExceptions(findings, resources, [base], later);
    expect(applied).toEqual(findings);
    expect(used.size).toBe(0);
  });
});
