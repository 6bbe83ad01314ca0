/**
 * A decision-log folder for the audit's image and vulnerability counts: three days
 * (2026-03-01 to 03), namespace `shop` judged by Charter's webhook (events with `images`,
 * digests and scans), namespace `web` judged by OPA (AdmissionReviews of Pods and Deployments,
 * images only in the input), two malformed `images`. The expected counts are worked out by hand
 * in the tests that read it, not here.
 */
import {
  admissionReview,
  decisionEvent,
  deploymentRunning,
  podRunning,
  writeDecisionLog,
} from "./decision-logs.js";

export const D1 = `sha256:${"1".repeat(64)}`;
export const D2 = `sha256:${"2".repeat(64)}`;
export const D3 = `sha256:${"3".repeat(64)}`;
export const D4 = `sha256:${"4".repeat(64)}`;

export const API_1_0 = "registry.example.com/shop/api:1.0";
export const API_1_1 = "registry.example.com/shop/api:1.1";
export const ENVOY = "envoyproxy/envoy:v1.30";

const counts = (CRITICAL: number, HIGH: number, MEDIUM: number, LOW: number, UNKNOWN: number) => ({
  CRITICAL,
  HIGH,
  MEDIUM,
  LOW,
  UNKNOWN,
});

/** A webhook decision about a Pod in `shop` with these logged images. */
const webhook = (timestamp: string, images: unknown) =>
  decisionEvent({
    timestamp,
    input: admissionReview(podRunning("shop", { containers: ["placeholder:1"] })),
    result: [],
    images,
  });

const opa = (timestamp: string, object: Record<string, unknown>) =>
  decisionEvent({ timestamp, input: admissionReview(object), result: [] });

export function writeImageScenario(dir: string): void {
  writeDecisionLog(dir, {
    1: [
      // Day 1, shop: api 1.0 (D1) and envoy (D2), scanned.
      webhook("2026-03-01T10:00:00Z", [
        {
          container: "api",
          reference: API_1_0,
          digest: D1,
          vulnerabilities: counts(5, 3, 2, 1, 0),
          fixable: counts(4, 1, 0, 0, 0),
          scannedAt: "2026-02-28T12:00:00Z",
          scanSource: "shop/replicaset-api-1-0",
        },
        {
          container: "envoy",
          reference: ENVOY,
          digest: D2,
          vulnerabilities: counts(1, 0, 0, 0, 2),
          scannedAt: "2026-02-28T00:00:00Z",
        },
      ]),
      // Re-deployed with a newer scan: it replaces the first, it does not add to it.
      webhook("2026-03-01T14:00:00Z", [
        {
          container: "api",
          reference: API_1_0,
          digest: D1,
          vulnerabilities: counts(3, 3, 2, 1, 0),
          fixable: counts(2, 1, 0, 0, 0),
          scannedAt: "2026-03-01T13:00:00.000000001Z",
        },
      ]),
      // Logged later, but an older scan: the newest scan wins, not the latest event.
      webhook("2026-03-01T15:00:00Z", [
        {
          container: "api",
          reference: API_1_0,
          digest: D1,
          vulnerabilities: counts(9, 9, 9, 9, 9),
          scannedAt: "2026-02-27T00:00:00Z",
        },
      ]),
      // Day 1, web (OPA): a Deployment (nginx + init busybox) and a Pod (nginx again, written
      // in full, and an ephemeral debug container).
      opa(
        "2026-03-01T11:00:00Z",
        deploymentRunning("web", { containers: ["nginx:1.27"], initContainers: ["busybox"] }),
      ),
      opa(
        "2026-03-01T12:00:00Z",
        podRunning("web", {
          containers: ["docker.io/library/nginx:1.27"],
          ephemeralContainers: ["debug:1"],
        }),
      ),
    ],
    2: [
      // Day 2, shop: api 1.1 (D3) and envoy (D2).
      webhook("2026-03-02T09:00:00Z", [
        {
          container: "api",
          reference: API_1_1,
          digest: D3,
          vulnerabilities: counts(0, 1, 0, 0, 0),
          fixable: counts(0, 1, 0, 0, 0),
          scannedAt: "2026-03-02T08:00:00Z",
        },
        {
          container: "envoy",
          reference: ENVOY,
          digest: D2,
          vulnerabilities: counts(1, 0, 0, 0, 2),
          scannedAt: "2026-02-28T00:00:00Z",
        },
      ]),
      // Day 2, web: nginx once more, nginx pinned to D4, and envoy by tag (the image shop runs).
      opa(
        "2026-03-02T10:00:00Z",
        podRunning("web", { containers: ["index.docker.io/nginx:1.27"] }),
      ),
      opa(
        "2026-03-02T11:00:00Z",
        deploymentRunning("web", { containers: [`nginx@${D4}`] }, "pinned"),
      ),
      opa("2026-03-02T12:00:00Z", podRunning("web", { containers: [ENVOY] }, "edge")),
      // Day 3, shop: api 1.1 with a newer scan, the same image without a digest (the registry
      // was not read), and a malformed entry.
      webhook("2026-03-03T09:00:00Z", [
        {
          container: "api",
          reference: API_1_1,
          digest: D3,
          vulnerabilities: counts(0, 1, 0, 3, 2),
          fixable: counts(0, 1, 0, 0, 0),
          scannedAt: "2026-03-03T01:00:00Z",
        },
        { container: "api-canary", reference: API_1_1 },
        {
          container: "bad",
          reference: "registry.example.com/shop/bad:1",
          vulnerabilities: counts(-1, 0, 0, 0, 0),
        },
      ]),
      webhook("2026-03-03T10:00:00Z", "not a list"),
      // Not a pod: no images, and no namespace row for it.
      opa("2026-03-03T11:00:00Z", {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "settings", namespace: "config" },
        data: { image: "nginx:1.27" },
      }),
    ],
  });
}
