import { admissionReview, decisionEvent, pod } from "@charter/test-support/decision-logs";
import { describe, expect, it } from "vitest";
import { eventImages } from "./event-images.js";

const DIGEST = `sha256:${"a".repeat(64)}`;
const OTHER = `sha256:${"b".repeat(64)}`;
const counts = { CRITICAL: 1, HIGH: 2, MEDIUM: 0, LOW: 0, UNKNOWN: 0 };

const cronJob = {
  apiVersion: "batch/v1",
  kind: "CronJob",
  metadata: { name: "nightly", namespace: "jobs" },
  spec: {
    schedule: "@daily",
    jobTemplate: {
      spec: {
        template: {
          spec: {
            initContainers: [{ name: "fetch", image: `ghcr.io/org/fetch@${DIGEST}` }],
            containers: [{ name: "run", image: "Not A Reference" }],
          },
        },
      },
    },
  },
};

describe("eventImages", () => {
  it("OPA: a pod controller's template in an AdmissionReview; keys by digest, canonical ref, or as written", () => {
    const read = eventImages(decisionEvent({ input: admissionReview(cronJob) }));
    expect(read).toEqual({
      source: "input",
      malformed: [],
      // containers, then initContainers (CONTAINER_LISTS' order).
      images: [
        { key: "raw Not A Reference", hasDigest: false },
        { key: `digest ${DIGEST}`, hasDigest: true },
      ],
    });
  });

  it("OPA: a bare Pod; not a pod, no images", () => {
    expect(eventImages(decisionEvent({ input: pod("a") })).images).toEqual([
      {
        key: "ref docker.io/library/nginx:1.27",
        tagReference: "docker.io/library/nginx:1.27",
        hasDigest: false,
      },
    ]);
    const configMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } };
    expect(eventImages(decisionEvent({ input: configMap })).images).toEqual([]);
  });

  it("webhook: `images` wins over the input; the digest keys it, the tag is kept", () => {
    const read = eventImages(
      decisionEvent({
        input: pod("a"),
        images: [
          {
            container: "app",
            reference: "nginx:1.28",
            digest: DIGEST,
            vulnerabilities: counts,
            fixable: { ...counts, HIGH: 1 },
            scannedAt: "2026-03-01T00:00:00.000000002Z",
            scanSource: "a/report",
          },
        ],
      }),
    );
    expect(read).toEqual({
      source: "logged",
      malformed: [],
      images: [
        {
          key: `digest ${DIGEST}`,
          tagReference: "docker.io/library/nginx:1.28",
          hasDigest: true,
          scan: {
            vulnerabilities: counts,
            fixable: { ...counts, HIGH: 1 },
            scannedAt: BigInt(Date.parse("2026-03-01T00:00:00Z")) * 1_000_000n + 2n,
          },
        },
      ],
    });
  });

  it.each([
    ["not an object", "nginx"],
    ["`container` is not a string", { reference: "nginx" }],
    ["`reference` is not a non-empty string", { container: "c", reference: "" }],
    ["`digest` is not a digest", { container: "c", reference: "nginx", digest: "latest" }],
    [
      `\`digest\` ${OTHER} is not the digest ${DIGEST} the reference pins`,
      { container: "c", reference: `nginx@${DIGEST}`, digest: OTHER },
    ],
    [
      "`vulnerabilities` is not an object",
      { container: "c", reference: "nginx", vulnerabilities: [1, 2] },
    ],
    [
      "`vulnerabilities.HIGH` is not a whole number",
      { container: "c", reference: "nginx", vulnerabilities: { ...counts, HIGH: 1.5 } },
    ],
    [
      "`vulnerabilities.LOW` is not a whole number",
      { container: "c", reference: "nginx", vulnerabilities: { ...counts, LOW: undefined } },
    ],
    [
      '`vulnerabilities` has "NEGLIGIBLE", not a severity',
      { container: "c", reference: "nginx", vulnerabilities: { ...counts, NEGLIGIBLE: 1 } },
    ],
    [
      "`fixable` without `vulnerabilities`",
      { container: "c", reference: "nginx", fixable: counts },
    ],
    [
      "`fixable.HIGH` is more than `vulnerabilities.HIGH`",
      {
        container: "c",
        reference: "nginx",
        vulnerabilities: counts,
        fixable: { ...counts, HIGH: 3 },
      },
    ],
    [
      "`scannedAt` is not an RFC 3339 instant",
      { container: "c", reference: "nginx", vulnerabilities: counts, scannedAt: "yesterday" },
    ],
    ["`scanSource` is not a string", { container: "c", reference: "nginx", scanSource: 3 }],
  ])("a malformed entry (%s) is reported with its index, the others counted", (message, bad) => {
    const read = eventImages(
      decisionEvent({ images: [{ container: "ok", reference: "nginx:1.27" }, bad] }),
    );
    expect(read.images.map((i) => i.key)).toEqual(["ref docker.io/library/nginx:1.27"]);
    expect(read.malformed).toEqual([
      { index: 1, message: expect.stringContaining(`images[1]: ${message}`) },
    ]);
  });

  it("`images` that is not a list is one malformed entry without index", () => {
    expect(eventImages(decisionEvent({ images: { reference: "nginx" } }))).toEqual({
      source: "logged",
      images: [],
      malformed: [{ index: null, message: "`images` is not a list of images" }],
    });
  });
});
