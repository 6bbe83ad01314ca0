import type { Attestor } from "@charter/ir";
import { describe, expect, it } from "vitest";
import { VerificationCache } from "./verification-cache.js";

const D1 = `sha256:${"1".repeat(64)}`;
const D2 = `sha256:${"2".repeat(64)}`;
const ci: Attestor = { name: "ci", kind: "key", publicKey: "PEM-A" };
const ciElsewhere: Attestor = { name: "ci", kind: "key", publicKey: "PEM-B" };
const release: Attestor = { name: "release", kind: "key", publicKey: "PEM-A" };

describe("VerificationCache", () => {
  it("keeps a signature per digest and attestor key for its TTL", () => {
    let now = 100;
    const cache = new VerificationCache({ ttlMs: 50, now: () => now });
    cache.addSignature(D1, ci, "");
    expect(cache.hasSignature(D1, ci, "")).toBe(true);
    expect(cache.hasSignature(D1, release, "")).toBe(true);
    expect(cache.hasSignature(D1, ciElsewhere, "")).toBe(false);
    expect(cache.hasSignature(D2, ci, "")).toBe(false);
    expect(cache.hasSignature(D1, ci, "/other/trusted_root.json")).toBe(false);
    now = 149;
    expect(cache.hasSignature(D1, ci, "")).toBe(true);
    now = 150;
    expect(cache.hasSignature(D1, ci, "")).toBe(false);
    expect(cache.size).toBe(0);
  });

  it("keeps attestations per predicate type, never an empty list", () => {
    const cache = new VerificationCache();
    cache.addAttestations(D1, ci, "", "t", []);
    expect(cache.attestations(D1, ci, "", "t")).toBeUndefined();
    cache.addAttestations(D1, ci, "", "t", [{ predicateType: "t", predicate: { a: 1 } }]);
    expect(cache.attestations(D1, ci, "", "t")).toEqual([
      { predicateType: "t", predicate: { a: 1 } },
    ]);
    expect(cache.attestations(D1, ci, "", "u")).toBeUndefined();
    expect(cache.hasSignature(D1, ci, "")).toBe(false);
  });

  it("drops the oldest entries past its size", () => {
    const cache = new VerificationCache({ maxEntries: 2 });
    cache.addSignature(D1, ci, "");
    cache.addSignature(D2, ci, "");
    cache.addSignature(D2, ciElsewhere, "");
    expect(cache.size).toBe(2);
    expect(cache.hasSignature(D1, ci, "")).toBe(false);
    expect(cache.hasSignature(D2, ciElsewhere, "")).toBe(true);
  });
});
