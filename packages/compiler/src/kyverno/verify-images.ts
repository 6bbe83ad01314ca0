/**
 * Image requirements on the deprecated ClusterPolicy (`--kyverno-api clusterpolicy`): each
 * `signature` and `attestation` requirement is one Kyverno rule, named as the requirement, with
 * one `verifyImages` entry; the `digest` requirement needs no registry and is a `validate.cel`
 * rule (image-rule-ir.ts `digestRule`, through the one CEL emitter), so it is exactly the IR's.
 *
 * - `signature` (N of attestors a, b, …) → `attestors: [{count: N, entries: [a, b, …]}]`:
 *   Kyverno counts the entries that verified (`verifyAttestorSet`, `RequiredCount`). A `keys`
 *   attestor's keys are entries side by side when N is 1, else one nested `attestor` set
 *   `{count: 1, entries: [key…]}`, which Kyverno counts as one entry.
 * - `attestation` → `attestations: [{type: <predicateType>, attestors: [{count: 1, entries}]}]`;
 *   a condition or `maxAge` is a compile error: ClusterPolicy judges a predicate with JMESPath
 *   `conditions` only, and Charter compiles conditions to CEL (use the ImageValidatingPolicy).
 * - `vulnerabilities` → compile error (Kyverno cannot read scanner reports).
 * - `mutateDigest: false`, `verifyDigest: false`, `required: false` (Charter validates only; the
 *   `digest` rule says what `verifyDigest` would), `failureAction` as the policy's enforcement.
 * - Which images: the kinds and match of the policy's other rules (Kyverno's own extractors read
 *   the three container lists of a Pod and of each controller's template, ReplicationController
 *   and CronJob included: pkg/utils/api/image.go), and `imageReferences` (image-references.ts).
 *
 * Measured with Kyverno 1.19.1's CLI (test/supply-chain/kyverno-images.test.ts): this API reads
 * cosign's legacy `.sig`/`.att` tags only — an image signed only in cosign v3's bundle format
 * fails (stricter than the IR, which reads both); `type: SigstoreBundle` would read bundles only.
 */
import { CharterError, type ImageRequirement, type Policy } from "@charter/ir";
import {
  clusterPolicyAttestorEntry,
  type KyvernoAttestor,
  kyvernoAttestorsOf,
} from "./image-attestors.js";
import { clusterPolicyImageReferences } from "./image-references.js";

const FAILURE_ACTION = { deny: "Enforce", warn: "Audit", audit: "Audit" } as const;

function unsupported(policy: Policy, requirement: string, what: string): CharterError {
  return new CharterError(
    `policy "${policy.name}", rule "${requirement}": ${what}; target "kyverno" (--kyverno-api clusterpolicy) cannot express it`,
    policy.source ?? {},
    "use the ImageValidatingPolicy (the default Kyverno API)",
  );
}

/** The `verifyImages` entry of one requirement; undefined for `digest` (a `validate.cel` rule). */
export function verifyImagesEntry(
  policy: Policy,
  requirement: ImageRequirement,
): object | undefined {
  const common = {
    imageReferences: clusterPolicyImageReferences(policy, requirement.name),
    failureAction: FAILURE_ACTION[policy.enforcement],
    mutateDigest: false,
    verifyDigest: false,
    required: false,
  };
  const entry = (attestor: KyvernoAttestor) =>
    clusterPolicyAttestorEntry(policy, requirement.name, attestor);
  // Any one of them: every Kyverno attestor of the named ones, side by side.
  const entries = (names: readonly string[]) =>
    names.flatMap((name) => kyvernoAttestorsOf(policy, name)).map(entry);
  // A `keys` attestor is one entry however many keys it has: a nested attestor set of its keys
  // that needs one (Kyverno's verifyAttestorSet counts a nested set as one entry).
  const counted = (names: readonly string[]) =>
    names.map((name) => {
      const group = kyvernoAttestorsOf(policy, name);
      return group.length === 1
        ? entry(group[0] as KyvernoAttestor)
        : { attestor: { count: 1, entries: group.map(entry) } };
    });
  switch (requirement.kind) {
    case "digest":
      return undefined;
    case "signature":
      return {
        ...common,
        attestors: [
          {
            count: requirement.count,
            entries:
              requirement.count === 1
                ? entries(requirement.attestors)
                : counted(requirement.attestors),
          },
        ],
      };
    case "attestation":
      if (requirement.condition !== undefined || requirement.maxAge !== undefined) {
        throw unsupported(
          policy,
          requirement.name,
          "an attestation condition or maxAge: ClusterPolicy judges a predicate with JMESPath conditions only, and Charter compiles conditions to CEL",
        );
      }
      return {
        ...common,
        attestations: [
          {
            type: requirement.predicateType,
            attestors: [{ count: 1, entries: entries(requirement.attestors) }],
          },
        ],
      };
    case "vulnerabilities":
      throw unsupported(
        policy,
        requirement.name,
        "Kyverno cannot read scanner reports; use a cosign vuln attestation requirement or Charter's webhook",
      );
  }
}
