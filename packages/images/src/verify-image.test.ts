/** What verifyImage decides before it reads a registry (the registry tests are in test/supply-chain). */
import type { ImageRules } from "@charter/ir";
import { describe, expect, it } from "vitest";
import { verifyImage } from "./verify-image.js";

const DIGEST = `sha256:${"a".repeat(64)}`;
/** A name no test can reach: verifyImage must not try, or it would say so. */
const NOWHERE = "registry.invalid";

const rules = (over: Partial<ImageRules>): ImageRules => ({
  references: [],
  attestors: [
    {
      name: "ci",
      kind: "key",
      publicKey: "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n",
    },
  ],
  requirements: [],
  ...over,
});

describe("verifyImage before the registry", () => {
  it("an image reference that does not parse is an error", async () => {
    const facts = await verifyImage("Not/An:Image:ref", rules({}));
    expect(facts.error).toMatch(/^image reference "Not\/An:Image:ref" is not valid/);
    expect(facts.signatures).toEqual([]);
  });

  it("only a digest requirement: no registry read, the pinned digest is the digest", async () => {
    const pinned = await verifyImage(
      `${NOWHERE}/app@${DIGEST}`,
      rules({ requirements: [{ kind: "digest", name: "pinned" }] }),
    );
    expect(pinned).toEqual({
      reference: `${NOWHERE}/app@${DIGEST}`,
      digest: DIGEST,
      signatures: [],
      attestations: [],
    });
    const tagged = await verifyImage(
      `${NOWHERE}/app:1`,
      rules({ requirements: [{ kind: "digest", name: "pinned" }] }),
    );
    expect(tagged).toEqual({ reference: `${NOWHERE}/app:1`, signatures: [], attestations: [] });
  });

  it("an attestor whose key is not a key, or a name no attestor has, is an error", async () => {
    const badKey = await verifyImage(
      `${NOWHERE}/app@${DIGEST}`,
      rules({ requirements: [{ kind: "signature", name: "signed", attestors: ["ci"], count: 1 }] }),
    );
    expect(badKey.error).toMatch(/^the attestor "ci": the public key is not a PEM public key/);
    const unknown = await verifyImage(
      `${NOWHERE}/app@${DIGEST}`,
      rules({
        requirements: [{ kind: "signature", name: "signed", attestors: ["release"], count: 1 }],
      }),
    );
    expect(unknown.error).toBe(
      'the requirement "signed" names the attestor "release", which the policy\'s attestors do not define',
    );
  });
});
