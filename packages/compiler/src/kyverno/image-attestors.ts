/**
 * Charter's attestors (packages/ir images.ts) as Kyverno writes them: an ImageValidatingPolicy
 * `spec.attestors[]` entry, or a ClusterPolicy `verifyImages[].attestors[].entries[]` entry.
 * What Kyverno 1.19.1 does with each field was read in its source
 * (pkg/image/verifiers/ivpol/cosign/opts.go and verifier.go, pkg/image/verifiers/cosign) and
 * in cosign v3.1.2 (pkg/cosign/verify.go), and checked with the real `kyverno apply` against a
 * local registry (test/supply-chain/kyverno-images.test.ts).
 *
 * - `key`: the PEM public key, and the transparency log and SCT checks off
 *   (`ctlog.insecureIgnoreTlog`/`insecureIgnoreSCT`; ClusterPolicy `rekor.ignoreTlog`,
 *   `ctlog.ignoreSCT`). The IR verifies a key signature by the key alone; with the log on,
 *   Kyverno would also need a Rekor entry (and, to get Rekor's keys, the Sigstore TUF repository
 *   on the network), a stricter and network-bound policy. With them off, Kyverno loads no
 *   Sigstore trust material at all (`skipSigstoreInfra`).
 * - `keyless`: one identity; an exact issuer/subject as `issuer`/`subject`, a regular
 *   expression as `issuerRegExp`/`subjectRegExp` wrapped in `^(?:…)$`: cosign matches these with
 *   Go's `regexp.MatchString` (RE2, unanchored: pkg/cosign/verify.go `CheckCertificatePolicy`),
 *   and the IR anchors them at both ends. The log and SCT checks stay on (the IR needs the
 *   signature witnessed by the root's log or timestamp authority), against Sigstore's
 *   public-good root, which Kyverno reads from its TUF repository.
 * - `keys` (a list parameter's keys): a Kyverno cosign attestor holds one key, so each key is an
 *   attestor of its own, named `<name>-<i>` (no Charter attestor name has a `-`), and a
 *   requirement counts the group as one (`kyvernoAttestorsOf`; image-validations.ts,
 *   verify-images.ts). The keys are those of the parameter's value at build time.
 * - `keyless` with `trustedRoot` (a path to a `trusted_root.json`): a compile error. Kyverno's
 *   `cosign.trustedRoot` takes the JSON inline and is used for Sigstore bundles only: legacy
 *   `.sig` signatures are still checked against the Fulcio roots of the TUF repository (or
 *   `keyless.roots`), and the TUF repository is still initialised over the network for every
 *   keyless attestor (`initTUFAndFetch`) — not the IR's "chaining to a CA of its trusted root".
 *
 * Every string that reaches a ClusterPolicy is free of `{{` and `$(`, which Kyverno would
 * substitute as variables anywhere in a rule (escape.ts).
 */
import {
  type Attestor,
  CharterError,
  type IdentityMatch,
  imageRulesOf,
  type Policy,
  unconfiguredReason,
} from "@charter/ir";
import { kyvernoPlainText } from "./escape.js";

function unsupported(policy: Policy, requirement: string, what: string, target: string) {
  return new CharterError(
    `policy "${policy.name}", rule "${requirement}": ${what}; target "${target}" cannot express it`,
    policy.source ?? {},
  );
}

/** An attestor with one key or one identity: what a Kyverno attestor entry holds. */
export type KyvernoAttestor = Exclude<Attestor, { readonly kind: "keys" }>;

/**
 * The attestor named `name` of the policy, its keys read from the parameters (`imageRulesOf`);
 * the IR validator guarantees it exists. A policy still waiting for its keys is an error: the
 * build leaves such a policy out (`policiesFor`) before it gets here.
 */
export function attestorNamed(policy: Policy, name: string): Attestor {
  const unconfigured = unconfiguredReason(policy);
  if (unconfigured !== undefined) throw new CharterError(unconfigured, policy.source ?? {});
  const attestor = imageRulesOf(policy)?.attestors.find((a) => a.name === name);
  if (attestor === undefined) {
    throw new CharterError(
      `policy "${policy.name}" names the attestor "${name}", which it does not declare; this is a bug in charter; please report it`,
    );
  }
  return attestor;
}

/** The Kyverno attestors of the Charter attestor `name`: itself, or one per key of a `keys` one. */
export function kyvernoAttestorsOf(policy: Policy, name: string): KyvernoAttestor[] {
  const attestor = attestorNamed(policy, name);
  if (attestor.kind !== "keys") return [attestor];
  return (attestor.publicKeys ?? []).map((publicKey, index) => ({
    name: `${attestor.name}-${index}`,
    kind: "key",
    publicKey,
  }));
}

/** RE2 matched against the whole value, as cosign's unanchored MatchString must be told. */
export function anchored(pattern: string): string {
  return `^(?:${pattern})$`;
}

function identity(field: "issuer" | "subject", match: IdentityMatch): Record<string, string> {
  return "exact" in match
    ? { [field]: match.exact }
    : { [`${field}RegExp`]: anchored(match.regex) };
}

function refuseTrustedRoot(
  policy: Policy,
  requirement: string,
  attestor: Attestor,
  target: string,
) {
  if (attestor.kind === "keyless" && attestor.trustedRoot !== undefined) {
    throw unsupported(
      policy,
      requirement,
      `the keyless attestor "${attestor.name}" has its own trusted root ("${attestor.trustedRoot}"), and Kyverno checks legacy signatures against its TUF repository's Fulcio roots whatever cosign.trustedRoot says, and needs that repository on the network`,
      target,
    );
  }
}

/** An ImageValidatingPolicy `spec.attestors[]` entry (`cosign`), named as in the IR. */
export function imageValidatingAttestor(
  policy: Policy,
  requirement: string,
  attestor: KyvernoAttestor,
): object {
  refuseTrustedRoot(policy, requirement, attestor, "kyverno");
  if (attestor.kind === "key") {
    return {
      name: attestor.name,
      cosign: {
        key: { data: attestor.publicKey },
        ctlog: { insecureIgnoreTlog: true, insecureIgnoreSCT: true },
      },
    };
  }
  return {
    name: attestor.name,
    cosign: {
      keyless: {
        identities: [
          { ...identity("issuer", attestor.issuer), ...identity("subject", attestor.subject) },
        ],
      },
    },
  };
}

/** A ClusterPolicy `verifyImages[].attestors[].entries[]` entry. */
export function clusterPolicyAttestorEntry(
  policy: Policy,
  requirement: string,
  attestor: KyvernoAttestor,
): object {
  const target = "kyverno";
  refuseTrustedRoot(policy, requirement, attestor, target);
  const plain = (text: string, what: string) =>
    kyvernoPlainText(text, () =>
      unsupported(
        policy,
        requirement,
        `${what} contains "{{" or "$(", which Kyverno substitutes as a variable in a ClusterPolicy`,
        target,
      ),
    );
  if (attestor.kind === "key") {
    return {
      keys: {
        publicKeys: plain(attestor.publicKey, `the public key of attestor "${attestor.name}"`),
        rekor: { ignoreTlog: true },
        ctlog: { ignoreSCT: true },
      },
    };
  }
  const fields = {
    ...identity("issuer", attestor.issuer),
    ...identity("subject", attestor.subject),
  };
  return {
    keyless: Object.fromEntries(
      Object.entries(fields).map(([key, value]) => [
        key,
        plain(value, `the ${key} of attestor "${attestor.name}"`),
      ]),
    ),
  };
}
