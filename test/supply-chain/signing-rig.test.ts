/**
 * The signing rig (@charter/test-support/signing-rig) judged by the real cosign v3.1.3: for every
 * image of the standard set, in both signature formats (cosign v3's bundles and the legacy
 * `.sig`/`.att` tags) and on both registries (without and with the OCI referrers API),
 * `cosign verify` and `cosign verify-attestation --type vuln|slsaprovenance1` with each of the
 * rig's keys answer exactly what the rig says they answer — passes and failures both, so every
 * line of the table can fail. Two content gates (no CRITICAL in a fresh scan; the trusted SLSA
 * builder) are judged by cosign's own `--policy`. The attested predicates are read back out of cosign's own output,
 * and the registry's layout of one image per format and registry is written out below.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  SIGNATURE_FORMATS,
  verifyArgs,
  verifyAttestationArgs,
} from "@charter/test-support/signing-rig/cosign-commands";
import { KEY_NAMES, type KeyName } from "@charter/test-support/signing-rig/cosign-keys";
import { GATE_NAMES, GATE_TYPES } from "@charter/test-support/signing-rig/cosign-policies";
import {
  type AttestationType,
  criticalFindings,
  EXPIRED_SCAN,
  OTHER_BUILDER_ID,
  PREDICATE_TYPES,
  TRUSTED_BUILDER_ID,
} from "@charter/test-support/signing-rig/predicates";
import { registryLayout } from "@charter/test-support/signing-rig/registry-layout";
import {
  processExists,
  REGISTRY_KINDS,
  startRegistry,
} from "@charter/test-support/signing-rig/registry-process";
import { inBatches } from "@charter/test-support/signing-rig/run-tool";
import {
  createSigningRig,
  type RigImage,
  type SigningRig,
} from "@charter/test-support/signing-rig/signing-rig";
import {
  PINNED_COSIGN,
  PINNED_GO_CONTAINERREGISTRY,
  signingToolsForTests,
} from "@charter/test-support/signing-rig/signing-tools";
import { STANDARD_IMAGES } from "@charter/test-support/signing-rig/standard-images";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const tools = signingToolsForTests(
  "the signing rig's tests (test/supply-chain/signing-rig.test.ts)",
);

/** cosign runs at once while judging (the machine has 2 cores; cosign mostly waits on HTTP). */
const JUDGES = 4;
const ATTESTATION_TYPES: readonly AttestationType[] = ["vuln", "slsaprovenance1"];

interface Judged {
  readonly image: string;
  readonly key: KeyName;
  readonly command: string;
  readonly expected: "pass" | "fail";
  readonly cosign: "pass" | "fail";
  readonly output: string;
}

const label = (image: RigImage): string => `${image.format}/${image.registry}/${image.case}`;

describe.skipIf(tools === undefined)("the signing rig, judged by cosign", () => {
  let rig: SigningRig;

  beforeAll(async () => {
    if (tools === undefined) return;
    rig = await createSigningRig(tools);
    console.log(
      `signing rig: ${rig.images.length} images (${SIGNATURE_FORMATS.length} formats × ${REGISTRY_KINDS.length} registries × ${STANDARD_IMAGES.length} cases) built in ${(rig.setupMs / 1000).toFixed(1)} s`,
    );
  }, 900_000);

  afterAll(async () => {
    if (rig === undefined) return;
    const pids = Object.values(rig.registries).map((r) => r?.pid ?? 0);
    await rig.dispose();
    expect(pids.filter(processExists)).toEqual([]);
  }, 60_000);

  it("runs the pinned cosign and crane", async () => {
    const cosign = await rig.cosign(["version"]);
    expect(cosign.code).toBe(0);
    expect(`${cosign.stdout}${cosign.stderr}`).toMatch(
      new RegExp(`GitVersion:\\s+${PINNED_COSIGN.replaceAll(".", "\\.")}\\n`),
    );
    const crane = await rig.crane(["version"]);
    expect(crane.stdout.trim()).toBe(PINNED_GO_CONTAINERREGISTRY);
  });

  it("has a registry without and one with the OCI referrers API", async () => {
    const image = rig.image("bundle", "plain", "signed");
    const status = async (kind: "plain" | "referrers"): Promise<number> => {
      const registry = rig.registries[kind];
      if (registry === undefined) throw new Error(`no ${kind} registry`);
      const path = rig.image("bundle", kind, "signed").repository.replace(`${registry.host}/`, "");
      const response = await fetch(`${registry.url}/v2/${path}/referrers/${image.digest}`);
      await response.arrayBuffer();
      return response.status;
    };
    expect(await status("plain")).toBe(404);
    expect(await status("referrers")).toBe(200);
  });

  it("builds every image of the standard set, each with its own digest, its tag resolving to it", async () => {
    expect(rig.images.map(label).sort()).toEqual(
      SIGNATURE_FORMATS.flatMap((format) =>
        REGISTRY_KINDS.flatMap((registry) =>
          STANDARD_IMAGES.map((plan) => `${format}/${registry}/${plan.case}`),
        ),
      ).sort(),
    );
    const digests = rig.images.flatMap((i) => [
      i.digest,
      ...(i.signedBeforeRetag ? [i.signedBeforeRetag.digest] : []),
    ]);
    expect(new Set(digests).size).toBe(digests.length);
    const resolved = await inBatches(
      JUDGES,
      rig.images.map((image) => async () => {
        const run = await rig.crane(["digest", image.tagRef]);
        return { image: label(image), digest: run.stdout.trim() };
      }),
    );
    expect(resolved).toEqual(
      rig.images.map((image) => ({ image: label(image), digest: image.digest })),
    );
    for (const image of rig.images) {
      expect(image.digestRef).toBe(`${image.repository}@${image.digest}`);
      expect(image.tagRef).toBe(`${image.repository}:v1`);
    }
  });

  /** Runs cosign on every (image, key) with the command `args` makes; the table of answers. */
  const judge = async (
    command: string,
    args: (publicKey: string, ref: string) => string[],
    expected: (image: RigImage, key: KeyName) => "pass" | "fail",
    ref: (image: RigImage) => string = (image) => image.tagRef,
  ): Promise<Judged[]> =>
    inBatches(
      JUDGES,
      rig.images.flatMap((image) =>
        KEY_NAMES.map((key) => async (): Promise<Judged> => {
          const run = await rig.cosign(args(rig.keys[key].publicKeyPath, ref(image)));
          return {
            image: label(image),
            key,
            command,
            expected: expected(image, key),
            cosign: run.code === 0 ? "pass" : "fail",
            output: `${run.stdout}${run.stderr}`.slice(-600),
          };
        }),
      ),
    );

  /** Both outcomes occur, and every answer is the expected one (the table shows the others). */
  const expectAgreement = (table: readonly Judged[]): void => {
    expect(new Set(table.map((row) => row.expected))).toEqual(new Set(["pass", "fail"]));
    const disagreements = table.filter((row) => row.cosign !== row.expected);
    expect(disagreements).toEqual([]);
  };

  it("cosign verify passes exactly for the images the key signed (by tag, resolved to a digest)", async () => {
    const table = await judge("verify", verifyArgs, (image, key) => image.expected[key].verify);
    expectAgreement(table);
    // The trusted key's passes, named: a change to the rig or to cosign shows here first.
    expect(
      table
        .filter((row) => row.key === "trusted" && row.cosign === "pass")
        .map((row) => row.image)
        .sort(),
    ).toEqual(
      SIGNATURE_FORMATS.flatMap((format) =>
        REGISTRY_KINDS.flatMap((registry) =>
          [
            "signed",
            "vuln-clean",
            "vuln-critical",
            "vuln-expired",
            "vuln-other-key",
            "slsa-trusted-builder",
            "slsa-other-builder",
            // cosign verify takes any bundle the key verifies as a signature (standard-images.ts)
            ...(format === "bundle" ? ["attested-unsigned"] : []),
          ].map((c) => `${format}/${registry}/${c}`),
        ),
      ).sort(),
    );
  }, 600_000);

  it("cosign verify by digest passes for the signed image whose tag was moved", async () => {
    for (const image of rig.images.filter((i) => i.case === "retagged")) {
      const signed = image.signedBeforeRetag;
      if (signed === undefined) throw new Error(`${label(image)} has no signed digest`);
      const trusted = await rig.cosign(
        verifyArgs(rig.keys.trusted.publicKeyPath, signed.digestRef),
      );
      expect({ image: label(image), code: trusted.code }).toEqual({ image: label(image), code: 0 });
      const other = await rig.cosign(verifyArgs(rig.keys.other.publicKeyPath, signed.digestRef));
      expect({ image: label(image), code: other.code }).not.toEqual({
        image: label(image),
        code: 0,
      });
      const now = await rig.cosign(verifyArgs(rig.keys.trusted.publicKeyPath, image.digestRef));
      expect({ image: label(image), code: now.code }).not.toEqual({ image: label(image), code: 0 });
    }
  }, 120_000);

  for (const type of ATTESTATION_TYPES) {
    it(`cosign verify-attestation --type ${type} passes exactly for the images the key attested so`, async () => {
      const table = await judge(
        `verify-attestation --type ${type}`,
        (key, ref) => verifyAttestationArgs(key, type, ref),
        (image, key) => image.expected[key].verifyAttestation[type],
      );
      expectAgreement(table);
    }, 600_000);
  }

  for (const gate of GATE_NAMES) {
    it(`cosign verify-attestation --policy ${gate}.rego passes exactly the images whose predicates meet it`, async () => {
      const table = await judge(
        `verify-attestation --type ${GATE_TYPES[gate]} --policy ${gate}.rego`,
        (key, ref) => verifyAttestationArgs(key, GATE_TYPES[gate], ref, rig.gatePolicies[gate]),
        (image, key) => image.expected[key].gates[gate],
      );
      expectAgreement(table);
      const passes = table
        .filter((row) => row.key === "trusted" && row.cosign === "pass")
        .map((row) => row.image.replace(/^.*\//, ""));
      expect([...new Set(passes)].sort()).toEqual(
        gate === "vuln-no-critical-fresh"
          ? ["attested-unsigned", "vuln-clean"]
          : ["slsa-trusted-builder"],
      );
      expect(passes).toHaveLength(gate === "vuln-no-critical-fresh" ? 8 : 4);
    }, 600_000);
  }

  it("attests the predicates the rig describes (read back from cosign verify-attestation)", async () => {
    const statements = async (image: RigImage, type: AttestationType) => {
      const run = await rig.cosign(
        verifyAttestationArgs(rig.keys.trusted.publicKeyPath, type, image.digestRef),
      );
      expect({
        image: label(image),
        code: run.code,
        output: run.code === 0 ? "" : run.stderr,
      }).toEqual({
        image: label(image),
        code: 0,
        output: "",
      });
      return run.stdout
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => {
          const envelope = JSON.parse(line) as { payload: string };
          return JSON.parse(Buffer.from(envelope.payload, "base64").toString("utf8")) as {
            predicateType: string;
            subject: { digest: { sha256: string } }[];
            predicate: Record<string, never>;
          };
        });
    };
    for (const format of SIGNATURE_FORMATS) {
      for (const registry of REGISTRY_KINDS) {
        const seen = async (
          imageCase: Parameters<SigningRig["image"]>[2],
          type: AttestationType,
        ) => {
          const image = rig.image(format, registry, imageCase);
          const found = await statements(image, type);
          expect(found.map((s) => s.predicateType)).toEqual([PREDICATE_TYPES[type]]);
          expect(found[0]?.subject[0]?.digest.sha256).toBe(image.digest.replace("sha256:", ""));
          return found[0]?.predicate as unknown;
        };
        const clean = (await seen("vuln-clean", "vuln")) as Parameters<typeof criticalFindings>[0];
        const critical = (await seen("vuln-critical", "vuln")) as Parameters<
          typeof criticalFindings
        >[0];
        const expired = (await seen("vuln-expired", "vuln")) as Parameters<
          typeof criticalFindings
        >[0];
        expect(criticalFindings(clean)).toEqual([]);
        expect(criticalFindings(critical).map((v) => [v.VulnerabilityID, v.FixedVersion])).toEqual([
          ["CVE-2021-36159", "2.10.7-r0"],
        ]);
        expect(criticalFindings(expired)).toEqual([]);
        expect(new Date(expired.metadata.scanFinishedOn).toISOString()).toBe(
          new Date(EXPIRED_SCAN.scanFinishedOn).toISOString(),
        );
        expect(Date.parse(clean.metadata.scanFinishedOn)).toBeGreaterThan(Date.parse("2026-01-01"));
        const builder = async (imageCase: "slsa-trusted-builder" | "slsa-other-builder") =>
          (
            (await seen(imageCase, "slsaprovenance1")) as {
              runDetails: { builder: { id: string } };
            }
          ).runDetails.builder.id;
        expect(await builder("slsa-trusted-builder")).toBe(TRUSTED_BUILDER_ID);
        expect(await builder("slsa-other-builder")).toBe(OTHER_BUILDER_ID);
      }
    }
  }, 300_000);

  it("lays the signatures out in the registry as each format and registry kind do", async () => {
    const layouts = Object.fromEntries(
      await Promise.all(
        SIGNATURE_FORMATS.flatMap((format) =>
          REGISTRY_KINDS.map(async (registry) => {
            const image = rig.image(format, registry, "vuln-clean");
            const running = rig.registries[registry];
            if (running === undefined) throw new Error(`no ${registry} registry`);
            return [
              `${format}/${registry}`,
              await registryLayout(running, image.repository, image.digest),
            ];
          }),
        ),
      ),
    );
    expect(layouts).toEqual(EXPECTED_LAYOUTS);
  });
});

describe.skipIf(tools === undefined)("a smaller rig", () => {
  it("builds only the formats, registries and cases asked for", async () => {
    if (tools === undefined) return;
    const rig = await createSigningRig(tools, {
      formats: ["legacy"],
      registries: ["referrers"],
      cases: ["signed", "unsigned"],
    });
    try {
      expect(rig.images.map(label)).toEqual([
        "legacy/referrers/signed",
        "legacy/referrers/unsigned",
      ]);
      expect(Object.keys(rig.registries)).toEqual(["referrers"]);
      expect(() => rig.image("bundle", "referrers", "signed")).toThrow(/no bundle signed image/);
      const signed = await rig.cosign(
        verifyArgs(
          rig.keys.trusted.publicKeyPath,
          rig.image("legacy", "referrers", "signed").tagRef,
        ),
      );
      expect(signed.code).toBe(0);
    } finally {
      await rig.dispose();
    }
    expect(processExists(rig.registries.referrers?.pid ?? 0)).toBe(false);
  }, 120_000);
});

describe.skipIf(tools === undefined)("a rig registry", () => {
  for (const kind of REGISTRY_KINDS) {
    it(`${kind}: listens on 127.0.0.1, answers /v2/, and is gone once stopped`, async () => {
      if (tools === undefined) return;
      const dir = mkdtempSync(join(tmpdir(), "charter-registry-"));
      try {
        const registry = await startRegistry({
          kind,
          binary: kind === "plain" ? tools.registry : tools["referrers-registry"],
          logFile: join(dir, "registry.log"),
        });
        expect(registry.host).toMatch(/^127\.0\.0\.1:\d+$/);
        expect((await fetch(`${registry.url}/v2/`)).status).toBe(200);
        expect(processExists(registry.pid)).toBe(true);
        await registry.stop();
        expect(processExists(registry.pid)).toBe(false);
        await expect(fetch(`${registry.url}/v2/`)).rejects.toThrow();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

const BUNDLE = "application/vnd.dev.sigstore.bundle.v0.3+json";
const SIGN_PREDICATE = "https://sigstore.dev/cosign/sign/v1";
const VULN_PREDICATE = "https://cosign.sigstore.dev/attestation/vuln/v1";
/** A bundle artifact (a signature or an attestation) as a reader of the registry finds it. */
const bundleReferrer = (predicateType: string, listedArtifactType: string) => ({
  listedArtifactType,
  artifactType: BUNDLE,
  layerMediaTypes: [BUNDLE],
  predicateType,
  subjectIsImage: true,
});
const legacyTags = {
  sigTag: {
    layers: [
      {
        mediaType: "application/vnd.dev.cosign.simplesigning.v1+json",
        annotations: ["dev.cosignproject.cosign/signature"],
      },
    ],
  },
  attTag: {
    layers: [
      {
        mediaType: "application/vnd.dsse.envelope.v1+json",
        annotations: ["dev.cosignproject.cosign/signature", "predicateType"],
        predicateType: VULN_PREDICATE,
      },
    ],
  },
};

/**
 * The `vuln-clean` image (signed, and one vuln attestation) as each registry holds it. The
 * referrers registry lists each referrer with its config's media type as the artifact type (the
 * empty config's), where the referrers tag index cosign writes has the bundle's: a quirk of
 * go-containerregistry's in-memory registry (pkg/registry/manifest.go, handleReferrers).
 */
const EXPECTED_LAYOUTS = {
  "bundle/plain": {
    tags: ["sha256-<image>", "v1"],
    referrersApi: "no referrers API",
    referrersTag: [bundleReferrer(VULN_PREDICATE, BUNDLE), bundleReferrer(SIGN_PREDICATE, BUNDLE)],
  },
  "bundle/referrers": {
    tags: ["v1"],
    referrersApi: [
      bundleReferrer(VULN_PREDICATE, "application/vnd.oci.empty.v1+json"),
      bundleReferrer(SIGN_PREDICATE, "application/vnd.oci.empty.v1+json"),
    ],
  },
  "legacy/plain": {
    tags: ["sha256-<image>.att", "sha256-<image>.sig", "v1"],
    referrersApi: "no referrers API",
    ...legacyTags,
  },
  "legacy/referrers": {
    tags: ["sha256-<image>.att", "sha256-<image>.sig", "v1"],
    referrersApi: [],
    ...legacyTags,
  },
};
