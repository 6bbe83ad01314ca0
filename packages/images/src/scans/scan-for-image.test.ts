import type { ImageScan } from "@charter/ir";
import { describe, expect, it } from "vitest";
import { type ImageReference, parseImageReference } from "../image-reference.js";
import { scanForImage } from "./scan-for-image.js";
import type { ScanReport } from "./scan-report.js";

const A = `sha256:${"aa".repeat(32)}`;
const B = `sha256:${"bb".repeat(32)}`;

function ref(written: string): ImageReference {
  const parsed = parseImageReference(written);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.reference;
}

function report(
  source: string,
  about: { tags?: string[]; digests?: string[]; finishedAt?: string },
): ScanReport {
  const scan: ImageScan = {
    source,
    ...(about.finishedAt !== undefined ? { finishedAt: about.finishedAt } : {}),
    vulnerabilities: [],
  };
  return {
    identity: {
      kind: "image",
      tags: (about.tags ?? []).map(ref),
      digests: (about.digests ?? []).map(ref),
    },
    scan,
  };
}

const source = (scan: ImageScan | undefined) => scan?.source;

describe("scanForImage: which report is an image's scan", () => {
  it("reads nginx:1.27, docker.io/library/nginx:1.27 and index.docker.io/library/nginx:1.27 as one image", () => {
    const reports = [report("r", { tags: ["index.docker.io/library/nginx:1.27"] })];
    for (const written of [
      "nginx:1.27",
      "docker.io/library/nginx:1.27",
      "index.docker.io/library/nginx:1.27",
    ]) {
      expect(source(scanForImage(ref(written), undefined, reports))).toBe("r");
    }
  });

  it("takes a report about the digest before a newer one about the tag", () => {
    const reports = [
      report("by-tag", { tags: ["nginx:1.27"], finishedAt: "2024-06-01T00:00:00Z" }),
      report("by-digest", { digests: [`nginx@${A}`], finishedAt: "2024-01-01T00:00:00Z" }),
    ];
    expect(source(scanForImage(ref("nginx:1.27"), A, reports))).toBe("by-digest");
  });

  it("matches the digest the reference pins when no digest is given", () => {
    const reports = [report("by-digest", { digests: [`nginx@${A}`] })];
    expect(source(scanForImage(ref(`nginx@${A}`), undefined, reports))).toBe("by-digest");
  });

  it("takes the newest of several, to the nanosecond and across offsets", () => {
    const reports = [
      report("older", { tags: ["nginx:1.27"], finishedAt: "2024-05-01T10:00:00.000000001Z" }),
      report("newer", { tags: ["nginx:1.27"], finishedAt: "2024-05-01T10:00:00.000000002Z" }),
      report("oldest", { tags: ["nginx:1.27"], finishedAt: "2024-05-01T18:59:59+09:00" }),
    ];
    expect(source(scanForImage(ref("nginx:1.27"), undefined, reports))).toBe("newer");
  });

  it("ranks a report with no finishing time below any that has one, and keeps the first of a tie", () => {
    const reports = [
      report("untimed", { tags: ["nginx:1.27"] }),
      report("first", { tags: ["nginx:1.27"], finishedAt: "2024-05-01T10:00:00Z" }),
      report("second", { tags: ["nginx:1.27"], finishedAt: "2024-05-01T19:00:00+09:00" }),
    ];
    expect(source(scanForImage(ref("nginx:1.27"), undefined, reports))).toBe("first");
    expect(source(scanForImage(ref("nginx:1.27"), undefined, reports.slice(0, 1)))).toBe("untimed");
  });

  it("of reports equally new, takes the one with the most findings, in either order", () => {
    const at = "2024-05-01T10:00:00Z";
    const clean = report("clean", { tags: ["nginx:1.27"], finishedAt: at });
    const finding = { id: "CVE-1", severity: "CRITICAL", package: "musl" };
    const dirty: ScanReport = {
      ...report("dirty", { tags: ["nginx:1.27"], finishedAt: at }),
      scan: { source: "dirty", finishedAt: at, vulnerabilities: [finding] },
    };
    expect(source(scanForImage(ref("nginx:1.27"), undefined, [clean, dirty]))).toBe("dirty");
    expect(source(scanForImage(ref("nginx:1.27"), undefined, [dirty, clean]))).toBe("dirty");
  });

  it("never takes a report about another repository, whatever its digest or tag", () => {
    const reports = [
      report("other-registry", {
        tags: ["ghcr.io/library/nginx:1.27"],
        digests: [`ghcr.io/library/nginx@${A}`],
      }),
      report("other-path", {
        tags: ["docker.io/bitnami/nginx:1.27"],
        digests: [`bitnami/nginx@${A}`],
      }),
      report("other-tag", { tags: ["nginx:1.26"] }),
    ];
    expect(scanForImage(ref("nginx:1.27"), A, reports)).toBeUndefined();
    expect(scanForImage(ref("nginx:1.27"), undefined, reports)).toBeUndefined();
  });

  it("does not take a report that scanned another digest of the repository: the tag has moved since", () => {
    const reports = [report("before-the-move", { tags: ["nginx:1.27"], digests: [`nginx@${B}`] })];
    expect(scanForImage(ref("nginx:1.27"), A, reports)).toBeUndefined();
    // Without a resolved digest there is nothing to say it moved.
    expect(source(scanForImage(ref("nginx:1.27"), undefined, reports))).toBe("before-the-move");
  });

  it("has no tag to match for a reference that pins only a digest", () => {
    const reports = [report("by-tag", { tags: ["nginx:latest"] })];
    expect(scanForImage(ref(`nginx@${A}`), undefined, reports)).toBeUndefined();
  });

  it("reads `nginx` as nginx:latest", () => {
    const reports = [report("latest", { tags: ["docker.io/library/nginx:latest"] })];
    expect(source(scanForImage(ref("nginx"), undefined, reports))).toBe("latest");
  });

  it("never takes a report that is not about an image", () => {
    const reports: ScanReport[] = [
      {
        identity: { kind: "not-image", artifactType: "repository", reason: "a source repository" },
        scan: { source: "repo", vulnerabilities: [] },
      },
    ];
    expect(scanForImage(ref("nginx:1.27"), undefined, reports)).toBeUndefined();
  });

  it("finds nothing in no reports", () => {
    expect(scanForImage(ref("nginx:1.27"), A, [])).toBeUndefined();
  });
});
