/**
 * Real cosign v3.1.3 output (shared/conformance/supply-chain/local-cosign-rig, MANIFEST §7) on a
 * real registry (go-containerregistry's `registry`, which has no referrers API, so the bundles are
 * found through the referrers tag schema), read and verified by `verifyImage`: with `cosign.pub`
 * all 5 signatures verify (the legacy `.sig`, 2 legacy `.att`, 2 bundle referrers); with
 * `other.pub` none does, and the notes say why.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  COSIGN_SIGN_PREDICATE_TYPE,
  collect,
  keyPolicy,
  parseImageReference,
  RegistryClient,
  VerificationCache,
  verifyBundle,
  verifyImage,
} from "@charter/images";
import type { ImageRules } from "@charter/ir";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  findRegistryBinary,
  pushBlob,
  pushManifest,
  type RunningRegistry,
  startRegistry,
} from "./support/oci-registry.js";

const RIG = join(import.meta.dirname, "../../../shared/conformance/supply-chain/local-cosign-rig");
const read = (name: string) => readFileSync(join(RIG, name));
const DIGEST = read("image.digest").toString("utf8").trim();
const HEX = DIGEST.slice("sha256:".length);
const VULN = "https://cosign.sigstore.dev/attestation/vuln/v1";
const SLSA = "https://slsa.dev/provenance/v1";
const COSIGN_PUB = read("cosign.pub").toString("utf8");
const OTHER_PUB = read("other.pub").toString("utf8");

function rules(publicKey: string): ImageRules {
  return {
    references: [],
    attestors: [{ name: "ci", kind: "key", publicKey }],
    requirements: [
      { kind: "signature", name: "signed", attestors: ["ci"], count: 1 },
      { kind: "attestation", name: "scanned", predicateType: VULN, attestors: ["ci"] },
      { kind: "attestation", name: "built", predicateType: SLSA, attestors: ["ci"] },
    ],
  };
}

/** Pushes the rig's image and, as asked, its legacy tags and its bundle referrers. */
async function pushRig(
  host: string,
  repository: string,
  parts: { legacy: boolean; bundles: boolean; referrersTag?: boolean },
) {
  await pushManifest(host, repository, "v1", read("image.manifest.json"));
  const files = readdirSync(RIG);
  if (parts.legacy) {
    for (const file of files.filter((f) => /^(sig|att)\.layer\..*\.blob$/.test(f))) {
      await pushBlob(host, repository, read(file));
    }
    await pushManifest(
      host,
      repository,
      `sha256-${HEX}.sig`,
      read(`sha256-${HEX}.sig.manifest.json`),
    );
    await pushManifest(
      host,
      repository,
      `sha256-${HEX}.att`,
      read(`sha256-${HEX}.att.manifest.json`),
    );
  }
  if (parts.bundles) {
    for (const file of files.filter((f) => /^referrer\..*\.sigstore\.json$/.test(f))) {
      await pushBlob(host, repository, read(file));
    }
    for (const file of files.filter((f) => /^referrer\..*\.manifest\.json$/.test(f))) {
      const digest = `sha256:${file.split(".")[1]}`;
      expect(await pushManifest(host, repository, digest, read(file))).toBe(digest);
    }
    if (parts.referrersTag !== false) {
      const index = read(`sha256-${HEX}.referrers-index.json`);
      await pushManifest(host, repository, `sha256-${HEX}`, index);
    }
  }
}

const binary = findRegistryBinary("the cosign-rig registry tests");

describe.skipIf(binary === undefined)("real cosign output on a real registry", () => {
  let registry: RunningRegistry;
  let host: string;

  beforeAll(async () => {
    registry = await startRegistry(binary as string);
    host = registry.host;
    await pushRig(host, "demo", { legacy: true, bundles: true });
    await pushRig(host, "legacy-only", { legacy: true, bundles: false });
    await pushRig(host, "bundles-only", { legacy: false, bundles: true });
    // A tag that names another manifest: what was signed is the other digest.
    await pushManifest(host, "demo", "moved", read(`sha256-${HEX}.sig.manifest.json`));
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it("finds the 5 signatures, and each verifies under cosign.pub and not under other.pub", async () => {
    const parsed = parseImageReference(`${host}/demo@${DIGEST}`);
    if (!parsed.ok) throw new Error(parsed.reason);
    const collected = await collect(new RegistryClient(), parsed.reference, DIGEST, {
      signatures: true,
      predicateTypes: new Set([VULN, SLSA]),
    });
    expect(collected.candidates.map((c) => c.format)).toEqual([
      "legacy-sig",
      "legacy-att",
      "legacy-att",
      "bundle",
      "bundle",
    ]);
    expect(collected.looked).toEqual([
      `sha256-${HEX}.sig`,
      `sha256-${HEX}.att`,
      `the referrers tag sha256-${HEX}`,
    ]);
    const good = keyPolicy(COSIGN_PUB);
    const other = keyPolicy(OTHER_PUB);
    const types: string[] = [];
    for (const candidate of collected.candidates) {
      const subject =
        candidate.format === "legacy-sig" ? { artifact: candidate.payload } : { digest: DIGEST };
      const verdict = verifyBundle(candidate.bundle, subject, good);
      expect(verdict.ok, `${candidate.source}: ${verdict.ok ? "" : verdict.reason}`).toBe(true);
      if (verdict.ok) types.push(verdict.statement?.predicateType ?? "simple-signing");
      if (candidate.format === "legacy-sig") expect(candidate.signedDigest).toBe(DIGEST);
      const refused = verifyBundle(candidate.bundle, subject, other);
      expect(refused.ok).toBe(false);
      if (!refused.ok) {
        expect(refused.malformed).toBe(false);
        expect(refused.reason).toMatch(/signature verification failed/);
      }
    }
    expect(types.sort()).toEqual(
      ["simple-signing", VULN, SLSA, COSIGN_SIGN_PREDICATE_TYPE, VULN].sort(),
    );
  });

  it("with cosign.pub: signed, both attestations verified with their predicates, no notes", async () => {
    const facts = await verifyImage(`${host}/demo:v1`, rules(COSIGN_PUB));
    expect(facts.error).toBeUndefined();
    expect(facts.digest).toBe(DIGEST);
    expect(facts.signatures).toEqual([{ attestor: "ci" }]);
    const predicates = Object.fromEntries(facts.attestations.map((a) => [a.predicateType, a]));
    expect(facts.attestations.map((a) => a.predicateType).sort()).toEqual([SLSA, VULN].sort());
    expect(predicates[VULN]?.predicate).toEqual(JSON.parse(read("vuln.json").toString("utf8")));
    expect(predicates[SLSA]?.predicate).toEqual(JSON.parse(read("slsa.json").toString("utf8")));
    expect(predicates[VULN]?.attestor).toBe("ci");
    expect(facts.notes).toBeUndefined();
  });

  it("with other.pub: nothing verified, and a note for each requirement says why", async () => {
    const facts = await verifyImage(`${host}/demo@${DIGEST}`, rules(OTHER_PUB));
    expect(facts.error).toBeUndefined();
    expect(facts.digest).toBe(DIGEST);
    expect(facts.signatures).toEqual([]);
    expect(facts.attestations).toEqual([]);
    expect(facts.notes).toHaveLength(3);
    expect(facts.notes?.[0]).toMatch(
      /^signature by key ci did not verify: sha256-.*\.sig layer 0: signature verification failed/,
    );
    expect(facts.notes?.[1]).toMatch(new RegExp(`^no attestation of ${VULN} by key ci verified: `));
    expect(facts.notes?.[2]).toMatch(new RegExp(`^no attestation of ${SLSA} by key ci verified: `));
  });

  it("the legacy tags alone and the bundle referrers alone each sign the image", async () => {
    const legacy = await verifyImage(`${host}/legacy-only:v1`, rules(COSIGN_PUB));
    expect(legacy.error).toBeUndefined();
    expect(legacy.signatures).toEqual([{ attestor: "ci" }]);
    expect(legacy.attestations.map((a) => a.predicateType).sort()).toEqual([SLSA, VULN].sort());

    const bundles = await verifyImage(`${host}/bundles-only:v1`, rules(COSIGN_PUB));
    expect(bundles.error).toBeUndefined();
    expect(bundles.signatures).toEqual([{ attestor: "ci" }]);
    expect(bundles.attestations.map((a) => a.predicateType)).toEqual([VULN]);
    expect(bundles.notes).toEqual([
      `no attestation of ${SLSA} found for key ci (looked at sha256-${HEX}.sig, sha256-${HEX}.att, the referrers tag sha256-${HEX})`,
    ]);
  });

  it("a tag that names another manifest is unsigned (404 for its .sig is no signature, not an error)", async () => {
    const facts = await verifyImage(`${host}/demo:moved`, rules(COSIGN_PUB));
    expect(facts.error).toBeUndefined();
    expect(facts.digest).not.toBe(DIGEST);
    expect(facts.signatures).toEqual([]);
    expect(facts.notes?.[0]).toMatch(
      /^no signature found for key ci \(looked at sha256-[0-9a-f]{64}\.sig, sha256-[0-9a-f]{64}\.att, the referrers tag sha256-[0-9a-f]{64}\)$/,
    );
  });

  it("a 404 for the image's tag is an error", async () => {
    const facts = await verifyImage(`${host}/demo:nope`, rules(COSIGN_PUB));
    expect(facts.error).toMatch(/demo:nope: the registry has no manifest for this tag \(404\)/);
    expect(facts.signatures).toEqual([]);
  });

  it("the cache keeps what verified and reads the registry only for the rest", async () => {
    let now = 0;
    const cache = new VerificationCache({ ttlMs: 1000, now: () => now });
    const client = new RegistryClient();
    const first = await verifyImage(`${host}/demo:v1`, rules(COSIGN_PUB), {
      cache,
      registry: client,
    });
    expect(first.signatures).toEqual([{ attestor: "ci" }]);
    expect(cache.size).toBe(3);
    // other.pub verified nothing: nothing is cached for it.
    await verifyImage(`${host}/demo:v1`, rules(OTHER_PUB), { cache, registry: client });
    expect(cache.size).toBe(3);
    // The registry forgets the signatures; the cache still has them (same key, whatever its name).
    const renamed: ImageRules = {
      ...rules(COSIGN_PUB),
      attestors: [{ name: "release", kind: "key", publicKey: COSIGN_PUB }],
      requirements: [{ kind: "signature", name: "signed", attestors: ["release"], count: 1 }],
    };
    await fetch(`http://${host}/v2/demo/manifests/sha256-${HEX}.sig`, { method: "DELETE" });
    await fetch(`http://${host}/v2/demo/manifests/sha256-${HEX}`, { method: "DELETE" });
    const cached = await verifyImage(`${host}/demo:v1`, renamed, { cache, registry: client });
    expect(cached.signatures).toEqual([{ attestor: "release" }]);
    now = 1001;
    const expired = await verifyImage(`${host}/demo:v1`, renamed, { cache, registry: client });
    expect(expired.signatures).toEqual([]);
    expect(expired.notes?.[0]).toMatch(/^no signature found for key release/);
  });
});

const referrersBinary = findRegistryBinary(
  "the referrers-API registry test",
  "referrers-registry",
  "CHARTER_REFERRERS_REGISTRY",
);

describe.skipIf(referrersBinary === undefined)(
  "the same output on a registry with the referrers API",
  () => {
    let registry: RunningRegistry;

    beforeAll(async () => {
      registry = await startRegistry(referrersBinary as string, "referrers");
      // No referrers tag: the bundles are found only if the API is asked.
      await pushRig(registry.host, "demo", { legacy: true, bundles: true, referrersTag: false });
      await pushRig(registry.host, "api-only", {
        legacy: false,
        bundles: true,
        referrersTag: false,
      });
    });
    afterAll(async () => {
      await registry?.stop();
    });

    it("lists the bundles through GET /v2/<name>/referrers/<digest>", async () => {
      const parsed = parseImageReference(`${registry.host}/api-only@${DIGEST}`);
      if (!parsed.ok) throw new Error(parsed.reason);
      const referrers = await new RegistryClient().referrers(parsed.reference, DIGEST);
      expect(referrers.source).toBe("api");
      expect(referrers.descriptors.map((d) => d.digest).sort()).toEqual([
        "sha256:475486403aae7ebbdf336ee25275f2c574948563f6272fc7aca8e1274548d522",
        "sha256:ca1d430ba8a1c976978fe3f3fa98326f93903b187c1a792aed2616a6c0f87f69",
      ]);
    });

    it("with cosign.pub: the bundles alone sign the image; with everything, all verify", async () => {
      const api = await verifyImage(`${registry.host}/api-only:v1`, rules(COSIGN_PUB));
      expect(api.error).toBeUndefined();
      expect(api.signatures).toEqual([{ attestor: "ci" }]);
      expect(api.attestations.map((a) => a.predicateType)).toEqual([VULN]);
      expect(api.notes).toEqual([
        `no attestation of ${SLSA} found for key ci (looked at sha256-${HEX}.sig, sha256-${HEX}.att, the referrers API)`,
      ]);
      const all = await verifyImage(`${registry.host}/demo:v1`, rules(COSIGN_PUB));
      expect(all.signatures).toEqual([{ attestor: "ci" }]);
      expect(all.attestations.map((a) => a.predicateType).sort()).toEqual([SLSA, VULN].sort());
      expect(all.notes).toBeUndefined();
    });

    it("with other.pub: nothing verifies", async () => {
      const facts = await verifyImage(`${registry.host}/api-only:v1`, rules(OTHER_PUB));
      expect(facts.error).toBeUndefined();
      expect(facts.signatures).toEqual([]);
      expect(facts.attestations).toEqual([]);
      expect(facts.notes?.[0]).toMatch(
        /^signature by key ci did not verify: referrer sha256:[0-9a-f]{64}: signature verification failed/,
      );
    });
  },
);
