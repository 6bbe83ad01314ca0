/** Which exceptions Kyverno carries as PolicyExceptions, which are folded, and their expiry. */
import type { Policy, PolicyException } from "@charter/ir";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { emitKyverno } from "./emit-kyverno.js";
import { kyvernoExpiry, splitExceptions } from "./exceptions.js";

const policy = {
  name: "p",
  rules: [{ name: "a" }, { name: "b" }],
  match: { subject: "pod", controllers: true },
} as unknown as Policy;
const ex = (name: string, rest: Partial<PolicyException>): PolicyException => ({
  name,
  policy: "p",
  reason: "r",
  owner: "o",
  expires: "2027-01-25",
  match: { namespaces: ["n"] },
  ...rest,
});
const names = (list: readonly PolicyException[]) => list.map((e) => e.name);

describe("splitExceptions", () => {
  const all = [
    ex("whole", {}),
    ex("both-rules", { rules: ["b", "a"] }),
    ex("one-rule", { rules: ["a"] }),
    ex("images", { match: { images: ["r/*"] } }),
    ex("question", { match: { names: ["x-?"] } }),
    ex("star", { match: { names: ["x-*"] } }),
    ex("other-policy", { policy: "q" }),
  ];
  it("ValidatingPolicy: a PolicyException exempts the whole policy, so partial ones fold", () => {
    const split = splitExceptions(policy, all, "validatingpolicy");
    expect(names(split.native)).toEqual(["whole", "both-rules", "images", "question", "star"]);
    expect(names(split.folded)).toEqual(["one-rule"]);
  });
  it("ClusterPolicy: images and names fold (Kyverno's names miss generateName), rule lists are native", () => {
    const split = splitExceptions(policy, all, "clusterpolicy");
    expect(names(split.native)).toEqual(["whole", "both-rules", "one-rule"]);
    expect(names(split.folded)).toEqual(["images", "question", "star"]);
  });
  it("ClusterPolicy: namespaces fold on a policy matching Namespaces (Kyverno reads their name)", () => {
    const namespaces = {
      ...policy,
      match: { subject: "kinds", kinds: [{ group: "", kind: "Namespace" }] },
    } as unknown as Policy;
    expect(names(splitExceptions(namespaces, all, "clusterpolicy").folded)).toContain("whole");
  });
});

describe("kyvernoExpiry", () => {
  it("is the first instant the exception no longer applies", () => {
    expect(kyvernoExpiry("2027-01-25")).toEqual({
      expiresAt: "2027-01-26T00:00:00Z",
      ttl: "2027-01-26T000000Z",
    });
    expect(kyvernoExpiry("2027-12-31T18:00:00.5+01:00")).toEqual({
      expiresAt: "2027-12-31T17:00:00.500Z",
      ttl: "2027-12-31T170001Z",
    });
  });
});

describe("emitKyverno with exceptions (library policy)", () => {
  it("writes a v2 PolicyException naming the ClusterPolicy's rules", async () => {
    const { default: library } = await import("../../../../policies/index.js");
    const latest = library.find((p: Policy) => p.name === "disallow-latest-tag") as Policy;
    const files = emitKyverno([latest], {
      api: "clusterpolicy",
      exceptions: [ex("one", { policy: latest.name, match: { namespaces: ["web"] } })],
    });
    const doc = parse(files.get("exceptions/one.yaml") as string);
    expect(doc.apiVersion).toBe("kyverno.io/v2");
    expect(doc.spec.exceptions).toEqual([
      { policyName: latest.name, ruleNames: latest.rules.map((r) => r.name) },
    ]);
    expect(doc.spec.match.any[0].resources).toMatchObject({ namespaces: ["web"] });
    expect(doc.metadata.labels["cleanup.kyverno.io/ttl"]).toBe("2027-01-26T000000Z");
  });

  it("puts every PolicyException in the namespace Kyverno reads exceptions from", async () => {
    const { default: library } = await import("../../../../policies/index.js");
    const latest = library.find((p: Policy) => p.name === "disallow-latest-tag") as Policy;
    const exceptions = [ex("one", { policy: latest.name, match: { namespaces: ["web"] } })];
    for (const api of ["validatingpolicy", "clusterpolicy"] as const) {
      const namespaceOf = (files: Map<string, string>) =>
        parse(files.get("exceptions/one.yaml") as string).metadata.namespace;
      expect(namespaceOf(emitKyverno([latest], { api, exceptions }))).toBe("kyverno");
      const chosen = emitKyverno([latest], { api, exceptions, exceptionNamespace: "policy-ex" });
      expect(namespaceOf(chosen)).toBe("policy-ex");
      expect(() =>
        emitKyverno([latest], { api, exceptions, exceptionNamespace: "Bad_NS" }),
      ).toThrow(/not a namespace name/);
    }
  });
});
