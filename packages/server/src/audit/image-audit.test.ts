/**
 * Images and vulnerabilities in the audit report, on the folder of image-scenario.ts. Every
 * expected number is worked out by hand from that folder, in the comments beside it.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeScenario } from "@charter/test-support/audit-scenario";
import {
  admissionReview,
  decisionEvent,
  writeDecisionLog,
} from "@charter/test-support/decision-logs";
import { writeImageScenario } from "@charter/test-support/image-scenario";
import { beforeAll, describe, expect, it } from "vitest";
import { auditLogs } from "./audit-logs.js";
import type { ImageCounts, ImagesReport } from "./audit-report.js";
import { renderMarkdown } from "./render-markdown.js";

const scratch = () => mkdtempSync(join(tmpdir(), "charter-audit-images-"));

const sev = (CRITICAL: number, HIGH: number, MEDIUM: number, LOW: number, UNKNOWN: number) => ({
  CRITICAL,
  HIGH,
  MEDIUM,
  LOW,
  UNKNOWN,
});
const NONE = sev(0, 0, 0, 0, 0);
const unscanned = (images: number): ImageCounts => ({
  images,
  scanned: 0,
  withCritical: 0,
  withFixable: 0,
  vulnerabilities: NONE,
  fixable: NONE,
});

// shop, 2026-03-01: D1 at its newest scan (scannedAt 03-01T13:00: 3/3/2/1/0, fixable 2/1/0/0/0;
// not the 10:00 event's older scan, not the 15:00 event's scan of 02-27) and D2 (1/0/0/0/2, no
// fixable): 2 images, both with a CRITICAL, one saying what is fixable.
const SHOP_DAY1: ImageCounts = {
  images: 2,
  scanned: 2,
  withCritical: 2,
  withFixable: 1,
  vulnerabilities: sev(3 + 1, 3, 2, 1, 0 + 2),
  fixable: sev(2, 1, 0, 0, 0),
};
// shop, 03-02: D3 (0/1/0/0/0, fixable 0/1/0/0/0) and D2 (1/0/0/0/2).
const SHOP_DAY2: ImageCounts = {
  images: 2,
  scanned: 2,
  withCritical: 1,
  withFixable: 1,
  vulnerabilities: sev(1, 1, 0, 0, 2),
  fixable: sev(0, 1, 0, 0, 0),
};
// shop, 03-03: D3 at its newer scan (0/1/0/3/2); the digest-less api:1.1 sighting is D3; the
// malformed entry is not counted.
const SHOP_DAY3: ImageCounts = {
  images: 1,
  scanned: 1,
  withCritical: 0,
  withFixable: 1,
  vulnerabilities: sev(0, 1, 0, 3, 2),
  fixable: sev(0, 1, 0, 0, 0),
};
// shop over the range: D1 (3/3/2/1/0), D2 (1/0/0/0/2), D3 at 03-03 (0/1/0/3/2).
const SHOP_TOTAL: ImageCounts = {
  images: 3,
  scanned: 3,
  withCritical: 2,
  withFixable: 2,
  vulnerabilities: sev(3 + 1 + 0, 3 + 0 + 1, 2, 1 + 3, 2 + 2),
  fixable: sev(2, 1 + 1, 0, 0, 0),
};

const window = (day: string) => ({
  start: `2026-03-${day}T00:00:00.000Z`,
  end: `2026-03-${String(Number(day) + 1).padStart(2, "0")}T00:00:00.000Z`,
});

let dir: string;
let images: ImagesReport;

beforeAll(async () => {
  dir = scratch();
  writeImageScenario(dir);
  const report = await auditLogs({ dir, policies: [], generator: "t" });
  if (!report.images) throw new Error("no images section");
  images = report.images;
});

describe("audit: images and vulnerabilities", () => {
  it("reads 5 webhook decisions' images and 5 OPA inputs' (the ConfigMap has none)", () => {
    expect(images.decisions).toEqual({ logged: 5, input: 5 });
  });

  it("per namespace: worst first; the ConfigMap's namespace has no row", () => {
    expect(images.namespaces.map((n) => n.namespace)).toEqual(["shop", "web"]);
  });

  it("shop: distinct images per day, each at its newest scan; a re-deploy adds nothing", () => {
    const shop = images.namespaces.find((n) => n.namespace === "shop");
    expect(shop?.windows).toEqual([
      { ...window("01"), ...SHOP_DAY1 },
      { ...window("02"), ...SHOP_DAY2 },
      { ...window("03"), ...SHOP_DAY3 },
    ]);
    expect(shop?.total).toEqual(SHOP_TOTAL);
  });

  it("shop: the trend from the first window to the last, per severity", () => {
    const shop = images.namespaces.find((n) => n.namespace === "shop");
    expect(shop?.trend).toEqual({
      from: "2026-03-01T00:00:00.000Z",
      to: "2026-03-03T00:00:00.000Z",
      vulnerabilities: {
        CRITICAL: { first: 4, last: 0, direction: "down" },
        HIGH: { first: 3, last: 1, direction: "down" },
        MEDIUM: { first: 2, last: 0, direction: "down" },
        LOW: { first: 1, last: 3, direction: "up" },
        UNKNOWN: { first: 2, last: 2, direction: "flat" },
      },
      withCritical: { first: 2, last: 0, direction: "down" },
    });
  });

  it("web (OPA): images from Pods' and Deployments' container lists, no scans, no trend", () => {
    const web = images.namespaces.find((n) => n.namespace === "web");
    expect(web?.windows).toEqual([
      // docker.io/library/nginx:1.27 (twice, as written two ways), busybox:latest (init),
      // debug:1 (ephemeral).
      { ...window("01"), ...unscanned(3) },
      // nginx:1.27 again, nginx@D4, envoy:v1.30.
      { ...window("02"), ...unscanned(3) },
    ]);
    // nginx, busybox, debug, D4, envoy.
    expect(web?.total).toEqual(unscanned(5));
    expect(web?.trend).toBeNull();
  });

  it("all namespaces: an image in two namespaces counts once (web's envoy by tag is shop's D2)", () => {
    expect(images.all.windows.map((w) => [w.start.slice(0, 10), w.images, w.scanned])).toEqual([
      ["2026-03-01", 2 + 3, 2],
      // D3, D2 (shop and web's envoy), nginx, D4.
      ["2026-03-02", 4, 2],
      ["2026-03-03", 1, 1],
    ]);
    // D1, D2, D3, nginx, busybox, debug, D4.
    expect(images.all.total).toEqual({ ...SHOP_TOTAL, images: 7 });
    expect(images.all.trend?.vulnerabilities.CRITICAL).toEqual({
      first: 4,
      last: 0,
      direction: "down",
    });
  });

  it("a malformed images entry, or images that is not a list, is listed and not counted", () => {
    expect(images.malformed).toEqual({
      count: 2,
      shown: [
        {
          file: "decisions-000002.jsonl",
          line: 5,
          decisionId: expect.any(String),
          timestamp: "2026-03-03T09:00:00.000Z",
          index: 2,
          message: "images[2]: `vulnerabilities.CRITICAL` is not a whole number ≥ 0",
        },
        {
          file: "decisions-000002.jsonl",
          line: 6,
          decisionId: expect.any(String),
          timestamp: "2026-03-03T10:00:00.000Z",
          index: null,
          message: "`images` is not a list of images",
        },
      ],
    });
  });

  it("renders a section per namespace with the trend", async () => {
    const report = await auditLogs({ dir, policies: [], generator: "t" });
    const text = renderMarkdown(report);
    expect(text).toContain("## Images and vulnerabilities (1d windows, UTC)");
    expect(text).toContain(
      "Read from the `images` of 5 webhook decisions and the inputs of 5 others (OPA: no digest, no scan).",
    );
    expect(text).toContain("All namespaces: 7 images, 3 scanned.");
    expect(text).toContain(
      "### shop\n\nTrend 2026-03-01T00:00:00.000Z → 2026-03-03T00:00:00.000Z: CRITICAL 4 → 0 ↓, HIGH 3 → 1 ↓, MEDIUM 2 → 0 ↓, LOW 1 → 3 ↑, UNKNOWN 2 → 2 →, images with a CRITICAL 2 → 0 ↓.",
    );
    expect(text).toContain(
      "| 2026-03-01T00:00:00.000Z | 2 | 2 | 2 | 4 (2 fixable) | 3 (1 fixable) | 2 (0 fixable) | 1 (0 fixable) | 2 (0 fixable) |",
    );
    // Unscanned: findings are "–", not 0.
    expect(text).toContain("### web\n\nNo trend: no image here has a scan.");
    expect(text).toContain("| whole range | 5 | 0 | – | – | – | – | – | – |");
    expect(text).toMatch(
      /### Malformed image entries \(not counted\)[\s\S]*\| decisions-000002\.jsonl:6 \| .* \| `images` is not a list of images \|/,
    );
  });

  it("a time range narrows the images too; one scanned window gives no trend", async () => {
    const report = await auditLogs({
      dir,
      policies: [],
      generator: "t",
      since: "2026-03-02",
      until: "2026-03-02",
    });
    const shop = report.images?.namespaces.find((n) => n.namespace === "shop");
    expect(shop?.total).toEqual(SHOP_DAY2);
    expect(shop?.trend).toBeNull();
    expect(renderMarkdown(report)).toContain(
      "### shop\n\nNo trend: fewer than two windows have a scanned image.",
    );
  });
});

describe("audit: logs without images", () => {
  it("the report has no images section and the Markdown no image heading", async () => {
    const logs = scratch();
    writeDecisionLog(logs, {
      1: [
        decisionEvent({
          timestamp: "2026-03-01T00:00:00Z",
          input: admissionReview({
            apiVersion: "v1",
            kind: "Namespace",
            metadata: { name: "team-a" },
          }),
          result: [],
        }),
        // A webhook event about an object with no pod view logs no images.
        decisionEvent({
          timestamp: "2026-03-01T01:00:00Z",
          input: { apiVersion: "v1", kind: "Service", metadata: { name: "s", namespace: "a" } },
          result: [],
          images: [],
        }),
      ],
    });
    const report = await auditLogs({ dir: logs, policies: [], generator: "t" });
    expect(report.totals.decisions).toBe(2);
    expect(Object.hasOwn(report, "images")).toBe(false);
    expect(renderMarkdown(report)).not.toContain("Images and vulnerabilities");
  });

  it("the existing scenario's images are only its OPA pods' nginx:1.27, unscanned", async () => {
    const logs = scratch();
    writeScenario(logs);
    const report = await auditLogs({ dir: logs, policies: [], generator: "t" });
    // 6 judged decisions, all Pods running nginx:1.27 (one as an AdmissionReview).
    expect(report.images?.decisions).toEqual({ logged: 0, input: 6 });
    expect(report.images?.all.total).toEqual(unscanned(1));
    expect(report.images?.namespaces.map((n) => [n.namespace, n.total.images])).toEqual([
      ["team-a", 1],
      ["team-b", 1],
      ["team-c", 1],
    ]);
  });
});
