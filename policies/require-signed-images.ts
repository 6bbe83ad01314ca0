/**
 * Signed images from the trusted registries: an image rule (packages/ir README, item 18) that
 * needs the registry, so Kyverno (an ImageValidatingPolicy), Charter's webhook and
 * `charter check --verify-images` enforce it; Rego, Gatekeeper and the VAP cannot reach a
 * registry and leave it out. There is no sane default key: until `publicKeys` lists one the
 * policy is not configured — not built, not judged, and said so (never a placeholder key, never
 * a policy that denies every image).
 */
import { list, pod, policy, string, when } from "@charter/dsl";
import { asCronJob, asDeployment, asPod, asStatefulSet, container } from "./support/workloads.js";

const IMAGE = "registry.example.com/todo/api:1.4.2";
const MIGRATE = "registry.example.com/todo/migrate:7";
const PUBLIC = "docker.io/library/nginx:1.27";
const NO_REGISTRY = "a Rego, Gatekeeper or CEL admission policy cannot read a registry";

const signed = (...references: string[]) =>
  Object.fromEntries(
    references.map((reference) => [
      reference,
      { reference, signatures: [{ attestor: "signer" }], attestations: [] },
    ]),
  );
const unsigned = (reference: string) => ({
  [reference]: { reference, signatures: [], attestations: [] },
});

export default policy("require-signed-images", {
  title: "Images come from trusted registries and are signed by your keys",
  description:
    "A tag can be moved and a registry can be compromised; a signature made by your pipeline's " +
    "key cannot be forged. Every container, init container and ephemeral container must use an " +
    "image from one of the trusted registries (reference prefixes, parameter `registries`; end " +
    "each with `/`) whose digest is signed by one of the cosign public keys in `publicKeys` " +
    "(several for key rotation; any one verifying is enough). A tag is resolved to its digest " +
    "once and the signature must be about that digest. Set `publicKeys` in charter.config.ts: " +
    "until it lists a key the policy is not built and not judged.",
  severity: "high",
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
    registries: list(string()).default(["registry.example.com/"]),
  },
  rules: {
    registry: {
      fail: when`any c in pod.containers: not any r in params.registries: c.image startsWith r`,
      message:
        "container {{c.name}} uses image {{c.image}}, which is not from a trusted registry; " +
        "push it to a trusted registry, signed, and reference it from there",
      remediation:
        "Build or mirror the image into a trusted registry (the policy's `registries`), sign it " +
        "with `cosign sign --key cosign.key <image>@<digest>`, and change `image:`.",
    },
  },
  images: {
    attestors: { signer: { keysFrom: "publicKeys" } },
    require: { signed: { signedBy: ["signer"] } },
  },
  excludeTargets: { rego: NO_REGISTRY, gatekeeper: NO_REGISTRY, vap: NO_REGISTRY },
  cases: {
    pass: [
      {
        name: "Pod with a signed image from the trusted registry",
        resource: asPod("api", { containers: [container("api", undefined, IMAGE)] }),
        images: signed(IMAGE),
      },
      {
        name: "Deployment whose init container and container are signed",
        resource: asDeployment("api", {
          initContainers: [container("migrate", undefined, MIGRATE)],
          containers: [container("api", undefined, IMAGE)],
        }),
        images: signed(IMAGE, MIGRATE),
      },
      {
        name: "CronJob with a signed image",
        resource: asCronJob("report", { containers: [container("report", undefined, IMAGE)] }),
        images: signed(IMAGE),
      },
    ],
    fail: [
      {
        name: "Pod with an unsigned image",
        resource: asPod("api", { containers: [container("api", undefined, IMAGE)] }),
        images: unsigned(IMAGE),
        rules: ["signed"],
      },
      {
        name: "Deployment with a signed image from a public registry",
        resource: asDeployment("web", { containers: [container("web", undefined, PUBLIC)] }),
        images: signed(PUBLIC),
        rules: ["registry"],
      },
      {
        name: "StatefulSet whose init container is unsigned",
        resource: asStatefulSet("db", {
          initContainers: [container("migrate", undefined, MIGRATE)],
          containers: [container("db", undefined, IMAGE)],
        }),
        images: { ...signed(IMAGE), ...unsigned(MIGRATE) },
        rules: ["signed"],
      },
    ],
  },
});
