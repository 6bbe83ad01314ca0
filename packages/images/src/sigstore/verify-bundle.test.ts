/**
 * `verifyBundle` on real bundles: cosign v3.1.3's key-signed referrers (local-cosign-rig),
 * cosign's public-good keyless attestation (oci-attestation.sigstore.json), and the legacy
 * `.sig`/`.att` layers rewritten as bundles — what is signed must name the digest, identities
 * match exactly or as an anchored RE2 pattern.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { legacyAttestation, legacySignature } from "../cosign/legacy.js";
import { keylessPolicy, keyPolicy, parsePublicKey, rootTrustMaterial } from "./trust.js";
import { verifyBundle } from "./verify-bundle.js";

const SUPPLY_CHAIN = join(import.meta.dirname, "../../../../../shared/conformance/supply-chain");
const RIG = join(SUPPLY_CHAIN, "local-cosign-rig");
const TESTDATA = join(SUPPLY_CHAIN, "cosign/pkg/cosign/testdata");
const rig = (name: string) => readFileSync(join(RIG, name));
const json = (buffer: Buffer) => JSON.parse(buffer.toString("utf8")) as unknown;
const DIGEST = rig("image.digest").toString("utf8").trim();
const OTHER_DIGEST = `sha256:${"0".repeat(64)}`;
const COSIGN = keyPolicy(rig("cosign.pub").toString("utf8"));
const OTHER = keyPolicy(rig("other.pub").toString("utf8"));
const SIGN_BUNDLE = json(
  rig("referrer.475486403aae7ebbdf336ee25275f2c574948563f6272fc7aca8e1274548d522.sigstore.json"),
);
const VULN_BUNDLE = json(
  rig("referrer.ca1d430ba8a1c976978fe3f3fa98326f93903b187c1a792aed2616a6c0f87f69.sigstore.json"),
);

describe("cosign v3 key-signed bundles", () => {
  it("the signature bundle verifies under cosign.pub as cosign's sign predicate about the digest", () => {
    const verdict = verifyBundle(SIGN_BUNDLE, { digest: DIGEST }, COSIGN);
    expect(verdict.ok).toBe(true);
    if (verdict.ok) {
      expect(verdict.statement?.predicateType).toBe("https://sigstore.dev/cosign/sign/v1");
      expect(verdict.signer).toEqual({});
    }
  });

  it("the vuln attestation bundle carries its predicate", () => {
    const verdict = verifyBundle(VULN_BUNDLE, { digest: DIGEST }, COSIGN);
    expect(verdict.ok && verdict.statement?.predicate).toEqual(json(rig("vuln.json")));
  });

  it("another digest, another key, a changed payload: each fails with its reason", () => {
    expect(verifyBundle(SIGN_BUNDLE, { digest: OTHER_DIGEST }, COSIGN)).toEqual({
      ok: false,
      reason: `the statement's subject is not ${OTHER_DIGEST}`,
      malformed: false,
    });
    expect(verifyBundle(SIGN_BUNDLE, { digest: DIGEST }, OTHER)).toEqual({
      ok: false,
      reason: "signature verification failed",
      malformed: false,
    });
    const bundle = structuredClone(SIGN_BUNDLE) as { dsseEnvelope: { payload: string } };
    const statement = JSON.parse(
      Buffer.from(bundle.dsseEnvelope.payload, "base64").toString("utf8"),
    );
    statement.predicate = { tampered: true };
    bundle.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString("base64");
    expect(verifyBundle(bundle, { digest: DIGEST }, COSIGN)).toMatchObject({
      ok: false,
      reason: "signature verification failed",
    });
  });

  it("a key attestor ignores the bundle's own key hint, and a keyless policy refuses a key-signed bundle", () => {
    const bundle = structuredClone(SIGN_BUNDLE) as {
      verificationMaterial: { publicKey: { hint: string } };
    };
    bundle.verificationMaterial.publicKey.hint = "something else";
    expect(verifyBundle(bundle, { digest: DIGEST }, COSIGN).ok).toBe(true);
    const root = readFileSync(join(TESTDATA, "trusted_root_pgi.json"), "utf8");
    const keyless = keylessPolicy(root, { issuer: { regex: ".*" }, subject: { regex: ".*" } });
    expect(verifyBundle(SIGN_BUNDLE, { digest: DIGEST }, keyless).ok).toBe(false);
  });

  it("what cannot be read is malformed, not merely unverified", () => {
    expect(verifyBundle("text", { digest: DIGEST }, COSIGN)).toMatchObject({
      ok: false,
      malformed: true,
    });
    expect(
      verifyBundle(
        { ...(SIGN_BUNDLE as object), mediaType: "application/vnd.dev.sigstore.bundle.v0.9+json" },
        { digest: DIGEST },
        COSIGN,
      ),
    ).toEqual({
      ok: false,
      reason:
        'the bundle\'s mediaType "application/vnd.dev.sigstore.bundle.v0.9+json" is not a Sigstore bundle v0.1–v0.3',
      malformed: true,
    });
    const bundle = structuredClone(SIGN_BUNDLE) as { dsseEnvelope: { payloadType: string } };
    bundle.dsseEnvelope.payloadType = "text/plain";
    expect(verifyBundle(bundle, { digest: DIGEST }, COSIGN)).toEqual({
      ok: false,
      reason: 'the DSSE payload type is "text/plain", not application/vnd.in-toto+json',
      malformed: true,
    });
  });
});

describe("cosign's public-good keyless attestation (bundle v0.3, Rekor v1 dsse entry)", () => {
  const bundle = json(readFileSync(join(TESTDATA, "oci-attestation.sigstore.json")));
  const root = readFileSync(join(TESTDATA, "trusted_root_pgi.json"), "utf8");
  const subject = "sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4";
  const issuer = { exact: "https://github.com/login/oauth" };

  it("verifies for cody@soyland.com and github's OAuth issuer", () => {
    const verdict = verifyBundle(
      bundle,
      { digest: subject },
      keylessPolicy(root, { issuer, subject: { exact: "cody@soyland.com" } }),
    );
    expect(verdict).toMatchObject({
      ok: true,
      signer: { subject: "cody@soyland.com", issuer: "https://github.com/login/oauth" },
    });
  });

  it("fails for another SAN, another issuer; regexes are anchored RE2", () => {
    const cases: [Parameters<typeof keylessPolicy>[1], boolean, string?][] = [
      [
        { issuer, subject: { exact: "someone@soyland.com" } },
        false,
        'the certificate\'s subject "cody@soyland.com" is not "someone@soyland.com"',
      ],
      [
        {
          issuer: { exact: "https://accounts.google.com" },
          subject: { exact: "cody@soyland.com" },
        },
        false,
        'the certificate\'s issuer "https://github.com/login/oauth" is not "https://accounts.google.com"',
      ],
      [
        { issuer, subject: { regex: "cody" } },
        false,
        'the certificate\'s subject "cody@soyland.com" is not /cody/',
      ],
      [{ issuer, subject: { regex: "soyland\\.com" } }, false],
      [{ issuer, subject: { regex: ".*@soyland\\.com" } }, true],
      [
        {
          issuer: { regex: "https://github\\.com/.*" },
          subject: { regex: "cody@soyland\\.com|x" },
        },
        true,
      ],
    ];
    for (const [identity, ok, reason] of cases) {
      const verdict = verifyBundle(bundle, { digest: subject }, keylessPolicy(root, identity));
      expect(verdict.ok, JSON.stringify(identity)).toBe(ok);
      if (reason !== undefined && !verdict.ok) expect(verdict.reason).toBe(reason);
    }
  });

  it("fails under a root whose authorities did not issue it, and for another digest", () => {
    const other = readFileSync(
      join(
        SUPPLY_CHAIN,
        "sigstore-conformance/test/assets/bundle-verify/intoto-with-custom-trust-root/trusted_root.json",
      ),
      "utf8",
    );
    const identity = { issuer, subject: { exact: "cody@soyland.com" } };
    expect(verifyBundle(bundle, { digest: subject }, keylessPolicy(other, identity)).ok).toBe(
      false,
    );
    expect(
      verifyBundle(bundle, { digest: OTHER_DIGEST }, keylessPolicy(root, identity)),
    ).toMatchObject({
      ok: false,
      reason: `the statement's subject is not ${OTHER_DIGEST}`,
    });
  });
});

describe("legacy .sig and .att layers, as bundles", () => {
  const payload = rig(
    "sig.layer.ccefa5f337276470c3f96692739fdb5b7b56450fa8cc7cf83709a8741ddaa4bd.blob",
  );
  const manifest = json(rig(`sha256-${DIGEST.slice(7)}.sig.manifest.json`)) as {
    layers: { annotations: Record<string, string> }[];
  };
  const signature = manifest.layers[0]?.annotations["dev.cosignproject.cosign/signature"];

  it("the simple-signing payload verifies under cosign.pub and names the digest", () => {
    const legacy = legacySignature(payload, signature);
    expect(legacy).toMatchObject({ ok: true, signedDigest: DIGEST });
    if (!legacy.ok) return;
    expect(verifyBundle(legacy.bundle, { artifact: legacy.payload }, COSIGN).ok).toBe(true);
    expect(verifyBundle(legacy.bundle, { artifact: legacy.payload }, OTHER).ok).toBe(false);
    const changed = Buffer.from(payload.toString("utf8").replace("5057", "5058"));
    const forged = legacySignature(changed, signature);
    expect(forged.ok && verifyBundle(forged.bundle, { artifact: forged.payload }, COSIGN).ok).toBe(
      false,
    );
  });

  it("payloads and annotations that are not what cosign writes are refused with the reason", () => {
    expect(legacySignature(payload, undefined)).toEqual({
      ok: false,
      reason: "the layer has no dev.cosignproject.cosign/signature annotation",
    });
    expect(legacySignature(payload, "not base64!")).toEqual({
      ok: false,
      reason: "the signature annotation is not base64",
    });
    expect(legacySignature(Buffer.from("{"), signature)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^the simple-signing payload is not JSON/),
    });
    expect(legacySignature(Buffer.from('{"critical":{}}'), signature)).toEqual({
      ok: false,
      reason: "the simple-signing payload has no critical.image.docker-manifest-digest",
    });
    expect(
      legacySignature(
        Buffer.from(`{"critical":{"type":"x","image":{"docker-manifest-digest":"${DIGEST}"}}}`),
        signature,
      ),
    ).toMatchObject({ ok: false });
  });

  it("both .att envelopes verify under cosign.pub about the digest, with their predicate types", () => {
    const types: string[] = [];
    for (const name of [
      "att.layer.41ec391ed5eb29f9d4e6774cff5cae4eaac34dc8d02839b6f76cb2eec195f937.blob",
      "att.layer.4270d16719b9f51a0c12ed3bd08b04ca529a7ab1587b7722d7f30667f502b0b4.blob",
    ]) {
      const legacy = legacyAttestation(rig(name));
      expect(legacy.ok).toBe(true);
      if (!legacy.ok) continue;
      const verdict = verifyBundle(legacy.bundle, { digest: DIGEST }, COSIGN);
      if (verdict.ok) types.push(verdict.statement?.predicateType ?? "");
      expect(verifyBundle(legacy.bundle, { digest: DIGEST }, OTHER).ok).toBe(false);
      expect(verifyBundle(legacy.bundle, { digest: OTHER_DIGEST }, COSIGN).ok).toBe(false);
    }
    expect(types.sort()).toEqual([
      "https://cosign.sigstore.dev/attestation/vuln/v1",
      "https://slsa.dev/provenance/v1",
    ]);
    expect(
      legacyAttestation(Buffer.from('{"payload":"e30=","payloadType":"x","signatures":[]}')),
    ).toEqual({
      ok: false,
      reason: "the DSSE envelope has 0 signatures, not 1",
    });
  });
});

describe("trust material", () => {
  it("a public key that is not PEM, and a trusted root that is not JSON, say so", () => {
    expect(() => parsePublicKey("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE")).toThrow(/not PEM/);
    expect(() => rootTrustMaterial("{")).toThrow(/not JSON/);
  });
});
