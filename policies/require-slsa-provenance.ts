/**
 * SLSA provenance from an allowed builder: an in-toto attestation of predicate type
 * `https://slsa.dev/provenance/v1` (`cosign attest --type slsaprovenance1`), signed by one of
 * your keys, whose `runDetails.builder.id` starts with an allowed prefix. An image rule
 * (packages/ir README, item 18): Kyverno's ImageValidatingPolicy, Charter's webhook and
 * `charter check --verify-images` enforce it; Rego, Gatekeeper and the VAP cannot reach a
 * registry. Like require-signed-images it is not configured until `publicKeys` lists a key.
 */
import { list, pod, policy, string, when } from "@charter/dsl";
import { asDeployment, asJob, asPod, asStatefulSet, container } from "./support/workloads.js";

const IMAGE = "registry.example.com/todo/api:1.4.2";
const SLSA_V1 = "https://slsa.dev/provenance/v1";
const GENERATOR = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/";
const NO_REGISTRY = "a Rego, Gatekeeper or CEL admission policy cannot read a registry";

const builtBy = (builderId: string) => ({
  [IMAGE]: {
    reference: IMAGE,
    signatures: [{ attestor: "signer" }],
    attestations: [
      {
        attestor: "signer",
        predicateType: SLSA_V1,
        predicate: {
          buildDefinition: {
            buildType: "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
          },
          runDetails: { builder: { id: builderId } },
        },
      },
    ],
  },
});

export default policy("require-slsa-provenance", {
  title: "Images carry SLSA provenance from an allowed builder",
  description:
    "Provenance says where and how an image was built; a signature alone does not. Every image " +
    "a pod runs must have an attestation of SLSA provenance v1 signed by one of the cosign " +
    "public keys in `publicKeys`, whose `runDetails.builder.id` starts with one of `builders` " +
    "(by default the SLSA GitHub generator's workflows). Set `publicKeys` in charter.config.ts: " +
    "until it lists a key the policy is not built and not judged.",
  severity: "medium",
  category: "Supply chain",
  controls: [
    "cis:5.5.1",
    "nsa:pod-security:secure-images",
    "nsa:threat-model:supply-chain",
    "area:image-signing",
  ],
  match: pod,
  params: {
    publicKeys: list(string()).default([]),
    builders: list(string()).default([GENERATOR]),
  },
  images: {
    attestors: { signer: { keysFrom: "publicKeys" } },
    require: {
      provenance: {
        attestation: SLSA_V1,
        by: ["signer"],
        where: when`any b in params.builders: predicate.runDetails.builder.id startsWith b`,
      },
    },
  },
  excludeTargets: { rego: NO_REGISTRY, gatekeeper: NO_REGISTRY, vap: NO_REGISTRY },
  cases: {
    pass: [
      {
        name: "Pod whose image was built by the SLSA GitHub generator",
        resource: asPod("api", { containers: [container("api", undefined, IMAGE)] }),
        images: builtBy(`${GENERATOR}generator_container_slsa3.yml@refs/tags/v2.1.0`),
      },
      {
        name: "Deployment whose image was built by the SLSA GitHub generator",
        resource: asDeployment("api", { containers: [container("api", undefined, IMAGE)] }),
        images: builtBy(`${GENERATOR}generator_generic_slsa3.yml@refs/tags/v2.0.0`),
      },
      {
        name: "Job whose image was built by a builder given in builders",
        resource: asJob("migrate", { containers: [container("migrate", undefined, IMAGE)] }),
        images: builtBy("https://ci.example.com/builders/hardened@v3"),
        params: { builders: ["https://ci.example.com/builders/"] },
      },
    ],
    fail: [
      {
        name: "Pod whose image was built by another builder",
        resource: asPod("api", { containers: [container("api", undefined, IMAGE)] }),
        images: builtBy(
          "https://github.com/someone/fork/.github/workflows/build.yml@refs/heads/main",
        ),
        rules: ["provenance"],
      },
      {
        name: "Deployment whose image has no provenance",
        resource: asDeployment("api", { containers: [container("api", undefined, IMAGE)] }),
        images: {
          [IMAGE]: { reference: IMAGE, signatures: [{ attestor: "signer" }], attestations: [] },
        },
        rules: ["provenance"],
      },
      {
        name: "StatefulSet whose provenance names no builder",
        resource: asStatefulSet("db", { containers: [container("db", undefined, IMAGE)] }),
        images: {
          [IMAGE]: {
            reference: IMAGE,
            signatures: [],
            attestations: [
              { attestor: "signer", predicateType: SLSA_V1, predicate: { runDetails: {} } },
            ],
          },
        },
        rules: ["provenance"],
      },
    ],
  },
});
