/**
 * The API server's EncryptionConfiguration (`apiserver.config.k8s.io/v1`, the file
 * `--encryption-provider-config` names) encrypts Secrets with a strong provider. It is a file,
 * not an API object: it has no `metadata`, and admission never sees it; only a scan judges it.
 *
 * Which entry of `resources` applies to Secrets, as the API server (1.27+) decides: the entry
 * listing `secrets`; else the one listing `*.` (every core resource); else the one listing
 * `*.*`. The server refuses a file where `secrets` comes after `*.` or `*.*` ("masked by
 * earlier rule"), so in a file it accepts, that is the first entry covering Secrets. When
 * `secrets` is listed in several entries the server chains their providers; each such entry is
 * judged here as if it were first (stricter). The resource must be spelled `secrets`.
 * Rules, on that entry:
 * - `secretsCovered`: some entry covers Secrets.
 * - `identityFirst`: its first provider (the one that writes) is not `identity`, and it has one.
 * - `kmsV1`: every `kms` provider has `apiVersion: v2` (KMS v1 is deprecated and off by
 *   default since 1.29).
 * - `unknownProvider`: every provider is kms, aescbc, aesgcm, secretbox or identity; identity
 *   may follow the first provider, to read Secrets written before encryption was turned on.
 */
import { fromYaml, kinds, policy, when } from "@charter/dsl";
import { ADMISSION_TARGETS, type JsonObject } from "@charter/ir";

const SCAN_ONLY =
  "scan only: the API server reads the EncryptionConfiguration file at start-up and never " +
  "admits it as an object, so an admission policy would match nothing; check the file with " +
  "`charter check`";

const AESCBC = {
  aescbc: { keys: [{ name: "key1", secret: "c2VjcmV0IGlzIHNlY3VyZSwgdGhpcyBpcyAzMmJ5dGU=" }] },
};
const KMS_V2 = {
  kms: { apiVersion: "v2", name: "cloud-kms", endpoint: "unix:///var/run/kms.sock" },
};
const IDENTITY = { identity: {} };

function encryptionConfiguration(resources: JsonObject[]): JsonObject {
  return { apiVersion: "apiserver.config.k8s.io/v1", kind: "EncryptionConfiguration", resources };
}

/** `e` is the entry of `resources` that applies to Secrets (see the file comment). */
const appliesToSecrets = when`"secrets" in e.resources
  or ("*." in e.resources and not any x in object.resources: "secrets" in x.resources)
  or ("*.*" in e.resources
      and not any y in object.resources: "secrets" in y.resources or "*." in y.resources)`;

export default policy("require-encryption-config", {
  title: "Secrets are encrypted at rest with a strong provider",
  description:
    "Without encryption at rest, anyone who reads etcd or its backups reads every Secret. In " +
    "the API server's EncryptionConfiguration file, the entry of `resources` that applies to " +
    "Secrets (the one listing `secrets`, else `*.`, else `*.*`) must exist, its first provider " +
    "(the one that encrypts new writes) must not be `identity`, and its providers must be " +
    "`kms` with `apiVersion: v2`, `aescbc`, `aesgcm` or `secretbox` (`identity` may follow, " +
    "to read Secrets written in plain text before). Scan the file with `charter check`.",
  severity: "critical",
  category: "Secrets",
  controls: ["cis:1.2.28", "nsa:network:secrets", "area:secrets-encryption"],
  match: kinds("apiserver.config.k8s.io/v1/EncryptionConfiguration"),
  // Scan only: the API server reads this file at start-up; no request ever carries it.
  excludeTargets: Object.fromEntries(ADMISSION_TARGETS.map((target) => [target, SCAN_ONLY])),
  rules: {
    secretsCovered: {
      fail: when`not any e in object.resources: ${appliesToSecrets}`,
      message:
        "the EncryptionConfiguration has no resources[] entry for secrets, so Secrets are " +
        "stored in plain text; add an entry listing secrets with a kms v2 or aescbc provider",
      remediation:
        "Add `{resources: [secrets], providers: [{kms: {apiVersion: v2, …}}, {identity: {}}]}` " +
        "as the first entry of `resources`, restart the API server, then rewrite every Secret " +
        "(`kubectl get secrets -A -o json | kubectl replace -f -`).",
    },
    identityFirst: {
      fail: when`any e in object.resources: ${appliesToSecrets}
        and (exists(e.providers[0].identity) or not (len(e.providers) > 0))`,
      message:
        "the EncryptionConfiguration's first provider for secrets (resources[].providers[0]) " +
        "is identity or missing, so new Secrets are written in plain text; use kms v2 or " +
        "aescbc as the first provider and move identity after it",
      remediation:
        "Put a `kms` (apiVersion v2), `aescbc`, `aesgcm` or `secretbox` provider first; keep " +
        "`identity` last only while plain-text Secrets are being rewritten.",
    },
    kmsV1: {
      fail: when`any e in object.resources: ${appliesToSecrets}
        and any p in e.providers: exists(p.kms) and not (p.kms.apiVersion == "v2")`,
      message:
        'the EncryptionConfiguration\'s kms provider "{{p.kms.name ?? ""}}" for secrets ' +
        "(resources[].providers[].kms) uses KMS v1; set apiVersion: v2 on it",
      remediation:
        "Set `apiVersion: v2` on the kms provider (with a KMS v2 plugin), and migrate with " +
        "both providers listed until every Secret has been rewritten.",
    },
    unknownProvider: {
      fail: when`any e in object.resources: ${appliesToSecrets}
        and any p in e.providers:
          not (exists(p.kms) or exists(p.aescbc) or exists(p.aesgcm) or exists(p.secretbox)
               or exists(p.identity))`,
      message:
        "the EncryptionConfiguration has a provider for secrets (resources[].providers[]) " +
        "that is not kms, aescbc, aesgcm, secretbox or identity; use one of kms v2, aescbc, " +
        "aesgcm or secretbox",
      remediation:
        "Replace the provider with `kms` (apiVersion v2), `aescbc`, `aesgcm` or `secretbox`, " +
        "each with its keys.",
    },
  },
  cases: {
    pass: [
      fromYaml("cases/require-encryption-config/pass-kms-v2-with-identity-fallback.yaml"),
      {
        name: "aescbc for secrets, identity for every other resource",
        resource: encryptionConfiguration([
          { resources: ["secrets"], providers: [AESCBC, IDENTITY] },
          { resources: ["*.*"], providers: [IDENTITY] },
        ]),
      },
      {
        name: "secretbox for every core resource (*.)",
        resource: encryptionConfiguration([
          {
            resources: ["*."],
            providers: [
              {
                secretbox: {
                  keys: [{ name: "key1", secret: "c2VjcmV0IGlzIHNlY3VyZSwgdGhpcyBpcyAzMmJ5dGU=" }],
                },
              },
            ],
          },
        ]),
      },
      {
        name: "aesgcm for everything (*.*)",
        resource: encryptionConfiguration([
          {
            resources: ["*.*"],
            providers: [
              { aesgcm: { keys: [{ name: "key1", secret: "c2VjcmV0IGlzIHNlY3VyZQ==" }] } },
            ],
          },
        ]),
      },
    ],
    fail: [
      {
        name: "only configmaps are encrypted",
        resource: encryptionConfiguration([{ resources: ["configmaps"], providers: [AESCBC] }]),
        rules: ["secretsCovered"],
      },
      {
        name: "identity first for secrets",
        resource: encryptionConfiguration([
          { resources: ["secrets"], providers: [IDENTITY, AESCBC] },
        ]),
        rules: ["identityFirst"],
      },
      {
        name: "identity for every core resource (*.), which holds before an encrypted *.*",
        resource: encryptionConfiguration([
          { resources: ["*."], providers: [IDENTITY] },
          { resources: ["*.*"], providers: [AESCBC] },
        ]),
        rules: ["identityFirst"],
      },
      {
        name: "KMS v1 (no apiVersion) for secrets",
        resource: encryptionConfiguration([
          {
            resources: ["secrets"],
            providers: [
              { kms: { name: "legacy-kms", endpoint: "unix:///var/run/kms.sock" } },
              KMS_V2,
            ],
          },
        ]),
        rules: ["kmsV1"],
      },
      {
        name: "an unknown provider after kms v2",
        resource: encryptionConfiguration([
          { resources: ["secrets"], providers: [KMS_V2, { rot13: {} }] },
        ]),
        rules: ["unknownProvider"],
      },
      {
        name: "a secrets entry with no providers",
        resource: encryptionConfiguration([
          { resources: ["secrets", "configmaps"], providers: [] },
        ]),
        rules: ["identityFirst"],
      },
    ],
  },
});
