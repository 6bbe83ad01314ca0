/**
 * The two image policies the webhook's image tests judge with (test/webhook-images.test.ts
 * in process, test/cluster/webhook-images.test.ts behind a real API server): a signature by CI's
 * key, and a vulnerability gate on the image's scan.
 */
import { pod, policy, when } from "@charter/dsl";
import type { Policy } from "@charter/ir";

/** Every image signed by the key `publicKey` (PEM), attestor `ci`; requirement `signed`. */
export function signedPolicy(publicKey: string): Policy {
  return policy("signed-by-ci", {
    title: "Images are signed by CI",
    severity: "high",
    category: "Supply chain",
    match: pod,
    enforcement: "deny",
    params: {},
    images: {
      references: [],
      attestors: { ci: { key: publicKey } },
      require: { signed: { signedBy: ["ci"] } },
    },
  });
}

/** No CRITICAL finding that has a fix in the image's scan; requirement `noFixableCritical`. */
export const scannedPolicy: Policy = policy("block-critical-vulnerabilities", {
  title: "No CRITICAL finding with a fix",
  severity: "high",
  category: "Supply chain",
  match: pod,
  enforcement: "deny",
  params: {},
  images: {
    references: [],
    attestors: {},
    require: {
      noFixableCritical: {
        vulnerabilities: when`not any v in scan.vulnerabilities: v.severity == "CRITICAL" and exists(v.fixedVersion)`,
      },
    },
  },
});
