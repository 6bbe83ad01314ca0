/**
 * Image policies built by hand in IR (no DSL for image rules yet), for the tests of the Kyverno
 * image emitters: `IMAGE_POLICIES_BOTH` both Kyverno APIs can say, `IMAGE_POLICIES_IVP_ONLY` only
 * the ImageValidatingPolicy. The key is the public key of the shared local cosign rig
 * (../shared/conformance/supply-chain/local-cosign-rig/cosign.pub).
 */
import type { Attestor, ImageRequirement, ImageRules, Policy } from "@charter/ir";
import { eq, lit, message, podMatch, policy, rule, v } from "./build-ir.js";

/** The public keys of the shared local cosign rig (../shared/conformance/supply-chain). */
export const RIG_PUBLIC_KEY =
  "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEMqgpxVx3/FtXOi3z2HRT/Np5mjtC\nO1w/9weGvBnUShpvlBFa3Y2pwC/3hApyr/gjPpRMbgdvgsoHIRyCOMZvtA==\n-----END PUBLIC KEY-----\n";

export const release: Attestor = { name: "release", kind: "key", publicKey: RIG_PUBLIC_KEY };
export const ci: Attestor = {
  name: "ci",
  kind: "keyless",
  issuer: { exact: "https://token.actions.githubusercontent.com" },
  subject: {
    regex: "https://github\\.com/acme/.+/\\.github/workflows/release\\.yml@refs/tags/v.*",
  },
};
export const security: Attestor = {
  name: "security-team",
  kind: "keyless",
  issuer: { regex: "https://accounts\\.(google|example)\\.com" },
  subject: { exact: "security@example.com" },
};

export const VULN = "https://cosign.sigstore.dev/attestation/vuln/v1";
export const predicate = (...path: string[]) => v("predicate", ...path);

/** An image policy: `images` on a pod match, plain rules optional. */
export function imagePolicy(
  name: string,
  images: ImageRules,
  options: Partial<Pick<Policy, "enforcement" | "match" | "rules">> = {},
): Policy {
  return {
    ...policy(name, [...(options.rules ?? [])], {
      enforcement: options.enforcement ?? "deny",
      match: options.match ?? podMatch(),
    }),
    images,
  };
}

export const signature = (name: string, attestors: string[], count = 1): ImageRequirement => ({
  kind: "signature",
  name,
  attestors,
  count,
});

/** Policies both Kyverno APIs can say. */
export const IMAGE_POLICIES_BOTH: readonly Policy[] = [
  imagePolicy("signed-by-release", {
    references: [],
    attestors: [release],
    requirements: [signature("signed", ["release"])],
  }),
  imagePolicy(
    "two-of-three",
    {
      references: ["registry.example.com/*", "ghcr.io/acme/*"],
      attestors: [release, ci, security],
      requirements: [signature("signed", ["release", "ci", "security-team"], 2)],
    },
    { enforcement: "warn" },
  ),
  imagePolicy(
    "pinned-and-attested",
    {
      references: ["registry.example.com/*"],
      attestors: [release],
      requirements: [
        { kind: "digest", name: "pinned" },
        { kind: "attestation", name: "scanned", predicateType: VULN, attestors: ["release"] },
      ],
    },
    {
      enforcement: "audit",
      match: podMatch(false, { include: ["prod"] }),
      rules: [
        rule(
          "no-host-network",
          eq({ kind: "ref", root: { kind: "pod" }, path: ["spec", "hostNetwork"] }, lit(true)),
          message("host network"),
        ),
      ],
    },
  ),
];

/** Policies only the ImageValidatingPolicy can say. */
export const IMAGE_POLICIES_IVP_ONLY: readonly Policy[] = [
  imagePolicy("fresh-clean-scan", {
    references: ["registry.example.com/[team]/{a,b}/*", "quay.io/acme/app:v?"],
    attestors: [release],
    requirements: [
      {
        kind: "attestation",
        name: "clean-scan",
        predicateType: VULN,
        attestors: ["release"],
        condition: eq(predicate("scanner", "result", "ArtifactType"), lit("container_image")),
        maxAge: { path: ["metadata", "scanFinishedOn"], days: 7 },
      },
    ],
  }),
];
