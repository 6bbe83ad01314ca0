/**
 * Charter's verdicts on the signing rig's 44 images (2 formats × 2 registries × 11 cases,
 * @charter/test-support/signing-rig), against two real peers:
 *
 * - cosign v3.1.3: for each image and each key, `verifyImage`'s facts must agree with what cosign
 *   answers — a verified signature where `cosign verify` passes, a verified vuln / SLSA
 *   attestation where `cosign verify-attestation --type …` passes — except in `DIVERGENCES`.
 * - Kyverno 1.19.1: the real `kyverno apply` runs what Charter emits (ImageValidatingPolicy, and
 *   ClusterPolicy `verifyImages` where it can say the policy) for the rig's image policies
 *   (signed by the trusted key, by the other key, a clean and fresh vuln attestation, any vuln /
 *   SLSA attestation, SLSA provenance from the trusted builder, two of two attestors one of which
 *   is a `keysFrom` group of two keys) and the library's require-signed-images and
 *   require-slsa-provenance configured with the rig's keys, registry and builder — on a Pod per
 *   image, against the same registries; its verdict per Pod and policy must equal Charter's (`verifyImage` then the IR
 *   engine) — except in `KYVERNO_STRICTER`, each with the reason, and never where Kyverno passes
 *   what Charter fails.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { emitKyverno, type KyvernoApi } from "@charter/compiler";
import { list, pod, podWith, policy, string, when } from "@charter/dsl";
import { verifyImage } from "@charter/images";
import {
  CharterError,
  type ImageFacts,
  type ImageRules,
  imageRulesOf,
  type Policy,
  withParams,
} from "@charter/ir";
import { createIrEngine } from "@charter/runtime";
import { reportResults, requireKyverno, runKyverno } from "@charter/test-support/kyverno-binary";
import { KEY_NAMES } from "@charter/test-support/signing-rig/cosign-keys";
import { PREDICATE_TYPES, TRUSTED_BUILDER_ID } from "@charter/test-support/signing-rig/predicates";
import { type SigningRig, signingRigForTests } from "@charter/test-support/signing-rig/signing-rig";
import { expectPolicy } from "@charter/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import libraryPolicies from "../../policies/index.js";

/**
 * `<format>/<case>/<key>/<check>` where Charter answers otherwise than cosign, and why. Empty:
 * kept so that a divergence found later is written down here with its reason.
 */
const DIVERGENCES: Readonly<Record<string, string>> = {};

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

/** The rig's image policies, each one requirement (Kyverno reports one result per IVP). */
function rigPolicies(rig: SigningRig): Policy[] {
  const trusted = { trusted: { key: rig.keys.trusted.publicKeyPem } };
  const other = { other: { key: rig.keys.other.publicKeyPem } };
  const imagePolicy = (name: string, require: Parameters<typeof policy>[1]["images"]) =>
    policy(name, {
      title: name,
      severity: "high",
      category: "Supply chain",
      match: pod,
      images: require,
    });
  return [
    imagePolicy("signed-trusted", {
      attestors: trusted,
      require: { signed: { signedBy: ["trusted"] } },
    }),
    imagePolicy("signed-other", { attestors: other, require: { signed: { signedBy: ["other"] } } }),
    imagePolicy("scanned", {
      attestors: trusted,
      require: {
        scanned: {
          attestation: PREDICATE_TYPES.vuln,
          by: ["trusted"],
          where: when`not any r in predicate.scanner.result.Results: any v in r.Vulnerabilities: v.Severity == "CRITICAL"`,
          maxAge: { field: "metadata.scanFinishedOn", days: 30 },
        },
      },
    }),
    // Any attestation of the type, by the trusted key (what a ClusterPolicy can say too).
    imagePolicy("vuln-attested", {
      attestors: trusted,
      require: { attested: { attestation: PREDICATE_TYPES.vuln, by: ["trusted"] } },
    }),
    imagePolicy("provenance-attested", {
      attestors: trusted,
      require: { attested: { attestation: PREDICATE_TYPES.slsaprovenance1, by: ["trusted"] } },
    }),
    imagePolicy("provenance", {
      attestors: trusted,
      require: {
        built: {
          attestation: PREDICATE_TYPES.slsaprovenance1,
          by: ["trusted"],
          where: when`predicate.runDetails.builder.id == ${TRUSTED_BUILDER_ID}`,
        },
      },
    }),
    // Two of two attestors, one of them a `keys` group of two keys counted as one: Kyverno gets
    // a CEL sum (ImageValidatingPolicy) or a nested attestor set (ClusterPolicy).
    withParams(
      policy("signed-both", {
        title: "signed-both",
        severity: "high",
        category: "Supply chain",
        match: pod,
        params: { rotated: list(string()).default([]) },
        images: {
          attestors: { rotated: { keysFrom: "rotated" }, ...trusted },
          require: { signed: { signedBy: ["rotated", "trusted"], count: 2 } },
        },
      }),
      { rotated: [rig.keys.other.publicKeyPem, rig.keys.trusted.publicKeyPem] },
    ),
    // The library's two, configured as a team would: the rig's keys, its registry, its builder.
    withParams(library("require-signed-images"), {
      publicKeys: [rig.keys.other.publicKeyPem, rig.keys.trusted.publicKeyPem],
      registries: [`${rig.images[0]?.tagRef.split("/")[0]}/`],
    }),
    withParams(library("require-slsa-provenance"), {
      publicKeys: [rig.keys.trusted.publicKeyPem],
      builders: [TRUSTED_BUILDER_ID.split("@")[0] as string],
    }),
  ] as Policy[];
}

function library(name: string): Policy {
  const found = libraryPolicies.find((p) => p.name === name);
  if (found === undefined) throw new Error(`the library has no policy ${name}`);
  return found;
}

const LEGACY_ATT =
  "the ImageValidatingPolicy verifies attestations only in the bundle form: with the transparency log off Kyverno refuses a legacy .att attestation (pkg/image/verifiers/ivpol/cosign/verifier.go)";
const BUNDLES_UNREAD =
  "the ClusterPolicy's verifyImages (type Cosign) reads only cosign's legacy .sig/.att tags, never Sigstore bundles";

/**
 * Where Kyverno fails what Charter passes, and why (`<format>/<case>/<policy>`); undefined:
 * they must agree. Every reason must be seen; Kyverno never passes what Charter fails.
 */
const KYVERNO_STRICTER: Readonly<
  Record<KyvernoApi, (format: string, imageCase: string, policy: string) => string | undefined>
> = {
  validatingpolicy: (format, imageCase, policy) =>
    format === "legacy" &&
    ((policy === "scanned" && ["vuln-clean", "attested-unsigned"].includes(imageCase)) ||
      (policy === "vuln-attested" &&
        ["vuln-clean", "vuln-critical", "vuln-expired", "attested-unsigned"].includes(imageCase)) ||
      ((policy.startsWith("provenance") || policy === "require-slsa-provenance") &&
        imageCase.startsWith("slsa-")))
      ? LEGACY_ATT
      : undefined,
  clusterpolicy: (format) => (format === "bundle" ? BUNDLES_UNREAD : undefined),
};

const kyverno = requireKyverno("the Kyverno verdicts on the signing rig");

describe.skipIf(!kyverno)("Kyverno agrees with Charter on the signing rig", () => {
  const podName = (index: number) => `image-${index}`;
  const work = mkdtempSync(join(tmpdir(), "charter-rig-kyverno-"));
  const resources = join(work, "pods.yaml");
  let policies: Policy[] = [];
  /** Charter's verdict by `<pod> <policy>`: the registry's facts, judged by the IR engine. */
  const ours = new Map<string, string>();

  beforeAll(async () => {
    if (rig === undefined) return;
    policies = rigPolicies(rig);
    const pods = rig.images.map((image, index) => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: podName(index), namespace: "default" },
      spec: { containers: [{ name: "app", image: image.tagRef }] },
    }));
    writeFileSync(resources, pods.map((pod) => stringify(pod)).join("---\n"));
    const facts = new Map<string, ImageFacts>();
    for (const p of policies) {
      for (const image of rig.images) {
        facts.set(
          `${p.name} ${image.tagRef}`,
          await verifyImage(image.tagRef, imageRulesOf(p) as ImageRules),
        );
      }
    }
    const findings = createIrEngine(policies).evaluateSync(
      pods.map((object) => ({
        object,
        images: { now: Date.now(), facts: (name, reference) => facts.get(`${name} ${reference}`) },
      })),
    );
    // A policy's verdict on a Pod: its worst rule's, as Kyverno reports one per policy.
    const rank = (result: string) => ["error", "fail", "pass", "skip"].indexOf(result);
    for (const finding of findings) {
      const key = `${finding.resource.name} ${finding.policy}`;
      const before = ours.get(key);
      if (before === undefined || rank(finding.result) < rank(before))
        ours.set(key, finding.result);
    }
  }, 300_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("every policy passes some image and fails another (none agrees by failing everything)", () => {
    if (rig === undefined) return;
    for (const p of policies) {
      const verdicts = new Set(
        rig.images.map((_, index) => ours.get(`${podName(index)} ${p.name}`)),
      );
      expect([...verdicts].sort(), p.name).toEqual(["fail", "pass"]);
    }
    // Signed by the trusted key (one of the two it lists): the library policy passes it.
    const signed = rig.images.findIndex((image) => image.case === "signed");
    expect(ours.get(`${podName(signed)} require-signed-images`)).toBe("pass");
    const unsigned = rig.images.findIndex((image) => image.case === "unsigned");
    expect(ours.get(`${podName(unsigned)} require-signed-images`)).toBe("fail");
  });

  it.each(["validatingpolicy", "clusterpolicy"] as const)(
    "%s: on every image, for each policy, by tag",
    async (api) => {
      if (rig === undefined || kyverno === undefined) return;
      // A ClusterPolicy cannot judge an attestation's contents: those policies are compile
      // errors there (packages/compiler/src/kyverno/verify-images.ts), and left out.
      const refused: string[] = [];
      const files = policies.flatMap((p) => {
        let yaml: string;
        try {
          yaml = emitKyverno([p], { api }).get(`${p.name}.yaml`) ?? "";
        } catch (error) {
          if (!(error instanceof CharterError)) throw error;
          refused.push(p.name);
          return [];
        }
        const file = join(work, `${p.name}.${api}.yaml`);
        writeFileSync(file, yaml);
        return [file];
      });
      expect(refused).toEqual(
        api === "clusterpolicy" ? ["scanned", "provenance", "require-slsa-provenance"] : [],
      );
      const run = await runKyverno(kyverno, [
        "apply",
        ...files,
        "--resource",
        resources,
        "-p",
        "--output-format",
        "json",
      ]);
      const theirs = reportResults(run.stdout).filter((r) => r.result !== "skip");
      const disagreements: string[] = [];
      const reasonsSeen = new Set<string>();
      rig.images.forEach((image, index) => {
        for (const p of policies.filter((p) => !refused.includes(p.name))) {
          const charter = ours.get(`${podName(index)} ${p.name}`);
          // A ClusterPolicy reports one result per rule: the pod passes when all of them pass.
          const rows = theirs.filter(
            (r) => r.policy === p.name && r.resources?.[0]?.name === podName(index),
          );
          const verdict =
            rows.length === 0
              ? "no result"
              : (["error", "fail", "pass"].find((r) => rows.some((row) => row.result === r)) ??
                "other");
          if (charter === verdict) continue;
          const reason = KYVERNO_STRICTER[api](image.format, image.case, p.name);
          if (reason !== undefined && charter === "pass" && verdict === "fail") {
            reasonsSeen.add(reason);
            continue;
          }
          disagreements.push(
            `${image.format}/${image.case}/${p.name} (${image.registry}): charter ${charter}, kyverno ${verdict}: ${rows.map((r) => r.message).join(" | ")}`,
          );
        }
      });
      expect(disagreements, run.stdout.slice(0, 4000)).toEqual([]);
      expect([...reasonsSeen]).toEqual([api === "validatingpolicy" ? LEGACY_ATT : BUNDLES_UNREAD]);
    },
  );
});

describe("expectPolicy(…, { verifyImages: true }) reads the rig's registry", () => {
  it("passes what the trusted key signed and fails the rest, in both formats", async () => {
    if (rig === undefined) return;
    const signedByTrusted = rigPolicies(rig).find((p) => p.name === "signed-trusted") as Policy;
    for (const format of ["bundle", "legacy"] as const) {
      const podOf = (imageCase: "signed" | "signed-other-key" | "unsigned") =>
        podWith({ image: rig?.image(format, "plain", imageCase).tagRef ?? "" });
      await expectPolicy(signedByTrusted).toPass(podOf("signed"), { verifyImages: true });
      for (const imageCase of ["signed-other-key", "unsigned"] as const) {
        await expectPolicy(signedByTrusted).toFail(podOf(imageCase), {
          verifyImages: true,
          rules: ["signed"],
          message: "is not signed by trusted",
        });
      }
    }
  });
});
