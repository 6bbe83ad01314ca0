/**
 * `verifyImage` against the real cosign v3.1.3 on the signing rig's 44 images (2 formats × 2
 * registries × 11 cases, @charter/test-support/signing-rig): for each image and each key, Charter's
 * facts must agree with what cosign answers — a verified signature where `cosign verify` passes, a
 * verified vuln / SLSA attestation where `cosign verify-attestation --type …` passes — except in
 * `DIVERGENCES`, each with the reason.
 */
import { verifyImage } from "@charter/images";
import type { ImageRules } from "@charter/ir";
import { KEY_NAMES } from "@charter/test-support/signing-rig/cosign-keys";
import { PREDICATE_TYPES } from "@charter/test-support/signing-rig/predicates";
import { type SigningRig, signingRigForTests } from "@charter/test-support/signing-rig/signing-rig";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** `<format>/<case>/<key>/<check>` where Charter answers otherwise than cosign, and why. */
const DIVERGENCES: Readonly<Record<string, string>> = {
  "bundle/attested-unsigned/trusted/verify":
    "cosign verify (bundle format) accepts any bundle the key verifies, attestations included; Charter counts only cosign's sign predicate (https://sigstore.dev/cosign/sign/v1) as a signature (IR item 18)",
  "bundle/vuln-other-key/other/verify":
    "the same: the other key only attested (vuln), which cosign verify takes for a signature and Charter does not",
};

let rig: SigningRig | undefined;

beforeAll(async () => {
  rig = await signingRigForTests("verifyImage against cosign");
}, 900_000);
afterAll(async () => {
  await rig?.dispose();
});

function rules(publicKey: string): ImageRules {
  return {
    references: [],
    attestors: [{ name: "k", kind: "key", publicKey }],
    requirements: [
      { kind: "signature", name: "verify", attestors: ["k"], count: 1 },
      { kind: "attestation", name: "vuln", predicateType: PREDICATE_TYPES.vuln, attestors: ["k"] },
      {
        kind: "attestation",
        name: "slsaprovenance1",
        predicateType: PREDICATE_TYPES.slsaprovenance1,
        attestors: ["k"],
      },
    ],
  };
}

describe("verifyImage agrees with cosign v3.1.3 on the signing rig", () => {
  it("on every image, with each key", async () => {
    if (rig === undefined) return;
    expect(rig.images).toHaveLength(44);
    const disagreements: string[] = [];
    const divergencesSeen = new Set<string>();
    for (const image of rig.images) {
      for (const key of KEY_NAMES) {
        const facts = await verifyImage(image.tagRef, rules(rig.keys[key].publicKeyPem));
        expect(facts.error, `${image.tagRef} with ${key}`).toBeUndefined();
        expect(facts.digest).toBe(image.digest);
        const expected = image.expected[key];
        const ours = {
          verify: facts.signatures.length > 0,
          vuln: facts.attestations.some((a) => a.predicateType === PREDICATE_TYPES.vuln),
          slsaprovenance1: facts.attestations.some(
            (a) => a.predicateType === PREDICATE_TYPES.slsaprovenance1,
          ),
        };
        const theirs = {
          verify: expected.verify === "pass",
          vuln: expected.verifyAttestation.vuln === "pass",
          slsaprovenance1: expected.verifyAttestation.slsaprovenance1 === "pass",
        };
        for (const check of ["verify", "vuln", "slsaprovenance1"] as const) {
          if (ours[check] === theirs[check]) continue;
          const id = `${image.format}/${image.case}/${key}/${check}`;
          if (DIVERGENCES[id] !== undefined) {
            divergencesSeen.add(id);
            continue;
          }
          disagreements.push(
            `${id} (${image.registry}): charter ${ours[check] ? "pass" : "fail"}, cosign ${theirs[check] ? "pass" : "fail"}; notes: ${(facts.notes ?? []).join(" | ")}`,
          );
        }
      }
      if (image.signedBeforeRetag !== undefined) {
        const before = await verifyImage(
          image.signedBeforeRetag.digestRef,
          rules(rig.keys[image.signedBeforeRetag.signedBy].publicKeyPem),
        );
        expect(before.signatures, image.signedBeforeRetag.digestRef).toEqual([{ attestor: "k" }]);
      }
    }
    expect(disagreements).toEqual([]);
    // Each divergence is seen (once per registry): the table can only shrink.
    expect([...divergencesSeen].sort()).toEqual(Object.keys(DIVERGENCES).sort());
  });
});
