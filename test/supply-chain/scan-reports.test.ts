/**
 * Scanner reports, pinned: every Trivy golden of ../shared/conformance/supply-chain/trivy, the
 * Trivy Operator fixtures and the cosign vuln predicate, read by @charter/images, with the
 * verdicts of the two gates Charter's library will ship — "no finding at or above a severity
 * that has a fix" and "a scan no older than N days". Expected values come from the
 * conformance MANIFEST (its §1 table is also parsed below and compared with this one, so a
 * transcription slip fails) and from the upstream files, never from running the readers.
 * YAML files are read by the runtime's manifest loader, as the CLI will feed them.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  canonicalReference,
  type ImageReference,
  instantNanos,
  parseImageReference,
  type ReadScanReport,
  readCosignVulnPredicate,
  readTrivyReport,
  readVulnerabilityReport,
  type ScanReport,
  type Severity,
  scanForImage,
  severityRank,
} from "@charter/images";
import type { ImageScan, ImageVulnerability } from "@charter/ir";
import { loadResources } from "@charter/runtime";
import { beforeAll, describe, expect, it } from "vitest";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const root = path.resolve(repoRoot, "../shared/conformance/supply-chain");
const goldens = "trivy/integration/testdata";

// ---------------------------------------------------------------------------------------------
// The two gates, as small pure functions over the scan (what the library's policies will say).

/** The findings at or above `threshold`; with `fixedOnly`, only those that have a fix. */
function findingsAtOrAbove(
  scan: ImageScan,
  threshold: Severity,
  options: { fixedOnly: boolean },
): ImageVulnerability[] {
  return scan.vulnerabilities.filter(
    (v) =>
      severityRank(v.severity as Severity) >= severityRank(threshold) &&
      (!options.fixedOnly || v.fixedVersion !== undefined),
  );
}

const DAY_NANOS = 86_400_000_000_000n;

/** The scan finished at most `days` days before `now`; no readable finishedAt is too old. */
function scannedWithin(scan: ImageScan, now: string, days: number): boolean {
  const finished = instantNanos(scan.finishedAt);
  const at = instantNanos(now);
  if (finished === undefined || at === undefined) return false;
  return at - finished <= BigInt(days) * DAY_NANOS;
}

const NOW = "2023-12-01T00:00:00Z";

// ---------------------------------------------------------------------------------------------
// The table. counts: CRITICAL/HIGH/MEDIUM/LOW/UNKNOWN (the MANIFEST's order).
// critical: the gate "no CRITICAL with a fix" — how many findings fail it, and its verdict.
// high: the same gate with threshold HIGH. fresh: "scanned within 30 days" and "within 1000
// days" at NOW. The goldens' CreatedAt (Trivy's test clock) is 2021-08-25T12:20:30.000000005Z,
// 828 days before NOW.

type Verdict = "pass" | "fail";
interface Row {
  readonly file: string;
  readonly reader: "trivy" | "operator" | "cosign";
  /** Canonical tags and digests; null: not about an image. */
  readonly about: { tags: string[]; digests: string[] } | null;
  readonly source?: string;
  readonly finishedAt?: string;
  readonly counts: readonly [number, number, number, number, number];
  readonly critical: readonly [number, Verdict];
  readonly high: readonly [number, Verdict];
  readonly fresh: readonly [boolean, boolean];
}

const TEST_IMAGES = "ghcr.io/aquasecurity/trivy-test-images";
const GOLDEN_TIME = "2021-08-25T12:20:30.000000005Z";
const golden = (
  name: string,
  tag: string | null,
  counts: Row["counts"],
  critical: Row["critical"],
  high: Row["high"],
): Row => ({
  file: `${goldens}/${name}.json.golden`,
  reader: "trivy",
  about: tag === null ? null : { tags: [`${TEST_IMAGES}:${tag}`], digests: [] },
  finishedAt: GOLDEN_TIME,
  counts,
  critical,
  high,
  fresh: [false, true],
});

const ROWS: readonly Row[] = [
  golden("alpine-39", "alpine-39", [2, 0, 4, 0, 0], [2, "fail"], [2, "fail"]),
  golden("alpine-39-high-critical", "alpine-39", [2, 0, 0, 0, 0], [2, "fail"], [2, "fail"]),
  golden("alpine-39-skip", "alpine-39", [0, 0, 0, 0, 0], [0, "pass"], [0, "pass"]),
  golden(
    "busybox-with-lockfile",
    "busybox-with-lockfile",
    [0, 1, 1, 0, 0],
    [0, "pass"],
    [1, "fail"],
  ),
  golden("centos-6", "centos-6", [0, 0, 2, 0, 0], [0, "pass"], [0, "pass"]),
  golden("centos-7", "centos-7", [0, 0, 1, 2, 0], [0, "pass"], [0, "pass"]),
  golden("debian-buster", "debian-buster", [1, 0, 0, 1, 0], [1, "fail"], [1, "fail"]),
  golden(
    "debian-buster-ignore-unfixed",
    "debian-buster",
    [1, 0, 0, 0, 0],
    [1, "fail"],
    [1, "fail"],
  ),
  golden("fluentd-gems", "fluentd-multiple-lockfiles", [1, 1, 0, 0, 0], [1, "fail"], [2, "fail"]),
  golden("gomod", null, [0, 0, 1, 0, 4], [0, "pass"], [0, "pass"]),
  golden("photon-30", "photon-30", [2, 1, 0, 0, 0], [2, "fail"], [3, "fail"]),
  golden("pom", null, [1, 1, 0, 0, 0], [1, "fail"], [2, "fail"]),
  golden(
    "sl-micro-rancher5.4",
    "sle-micro-rancher-5.4_ndb",
    [0, 0, 0, 0, 0],
    [0, "pass"],
    [0, "pass"],
  ),
  golden("spring4shell-jre11", "spring4shell-jre11", [1, 0, 0, 0, 0], [1, "fail"], [1, "fail"]),
  golden("ubi-7-comprehensive", "ubi-7", [0, 1, 0, 1, 0], [0, "pass"], [1, "fail"]),
  golden("ubuntu-1804", "ubuntu-1804", [0, 0, 4, 1, 0], [0, "pass"], [0, "pass"]),
  {
    // MANIFEST §2: 2 CRITICAL, one with fixedVersion '' (no fix); no digest; no updateTimestamp.
    file: "trivy-operator/extracted/vulnerability-report.example-1.yaml",
    reader: "operator",
    about: { tags: ["docker.io/library/nginx:1.16"], digests: [] },
    source: "default/replicaset-nginx-6d4cf56db6-nginx",
    counts: [2, 0, 0, 0, 0],
    critical: [1, "fail"],
    high: [1, "fail"],
    fresh: [false, false],
  },
  {
    // MANIFEST §2: high 4, medium 9, low 2 = 15 entries; every entry has a fixedVersion.
    file: "trivy-operator/extracted/clustervulnerability-report.example-1.yaml",
    reader: "operator",
    about: { tags: ["k8s.io/kubernetes:1.21.1"], digests: [] },
    source: "clustersbomreport-584b5cdcd5-k8s-cluster",
    finishedAt: "2023-11-30T08:29:42Z",
    counts: [0, 4, 9, 2, 0],
    critical: [0, "pass"],
    high: [4, "fail"],
    fresh: [true, true],
  },
  {
    // MANIFEST §2: the list has 1 HIGH (CVE-2021-3121, fixed in 1.3.2); its summary says 12
    // HIGH, 6 MEDIUM, 9 UNKNOWN. The list is authoritative (see the test below).
    file: "trivy-operator/tests/envtest/testdata/fixture/vulnerability-ttl.yaml",
    reader: "operator",
    about: { tags: ["k8s.gcr.io/coredns/coredns:v1.8.0"], digests: [] },
    source: "kube-system/replicaset-coredns-558bd4d5db-coredns",
    finishedAt: "2022-12-08T15:50:37Z",
    counts: [0, 1, 0, 0, 0],
    critical: [0, "pass"],
    high: [1, "fail"],
    fresh: [false, true],
  },
  {
    // MANIFEST §2: no Severity field; MEDIUM and LOW from VendorSeverity.nvd (2, 1); the digest
    // from RepoDigests; no CreatedAt.
    file: "trivy-operator/pkg/plugins/trivy/testdata/fixture/vulnerability_report.json",
    reader: "trivy",
    about: {
      tags: ["docker.io/library/alpine:3.10.2"],
      digests: [
        "docker.io/library/alpine@sha256:72c42ed48c3a2db31b7dafe17d275b634664a708d901ec9fd57b1529280f01fb",
      ],
    },
    counts: [0, 0, 1, 1, 0],
    critical: [0, "pass"],
    high: [0, "pass"],
    fresh: [false, false],
  },
  ...["trivy/extracted/cosign-vuln.example-1.json", "local-cosign-rig/vuln.json"].map(
    (file): Row => ({
      // MANIFEST §1/§7: 1 CRITICAL, CVE-2021-36159 apk-tools 2.10.6-r0 → 2.10.7-r0.
      file,
      reader: "cosign",
      about: {
        tags: ["docker.io/library/alpine:3.10"],
        digests: [
          "docker.io/library/alpine@sha256:451eee8bedcb2f029756dc3e9d73bab0e7943c1ac55cff3a4861c52a0fdd3e98",
        ],
      },
      finishedAt: "2022-07-24T17:14:04.864682+09:00",
      counts: [1, 0, 0, 0, 0],
      critical: [1, "fail"],
      high: [1, "fail"],
      fresh: [false, true],
    }),
  ),
];

// ---------------------------------------------------------------------------------------------

async function readRow(row: Row): Promise<ReadScanReport> {
  const full = path.join(root, row.file);
  if (row.reader === "operator") {
    const loaded = await loadResources([full]);
    expect(loaded.problems).toEqual([]);
    expect(loaded.resources).toHaveLength(1);
    return readVulnerabilityReport(loaded.resources[0]?.object);
  }
  const json: unknown = JSON.parse(readFileSync(full, "utf8"));
  if (row.reader === "cosign") return readCosignVulnPredicate(json, row.file);
  return readTrivyReport(json, row.file);
}

function countsOf(scan: ImageScan): number[] {
  const order: Severity[] = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"];
  return order.map(
    (severity) => scan.vulnerabilities.filter((v) => v.severity === severity).length,
  );
}

const read = new Map<string, ScanReport>();

beforeAll(async () => {
  for (const row of ROWS) {
    const outcome = await readRow(row);
    if (!outcome.ok) throw new Error(outcome.reason);
    read.set(row.file, outcome.report);
  }
});

function reportOf(file: string): ScanReport {
  const report = read.get(file);
  if (report === undefined) throw new Error(`${file} was not read`);
  return report;
}

describe("scanner reports: the pinned table", () => {
  it.each(ROWS.map((row) => [row.file, row] as const))("%s", (_file, row) => {
    const { identity, scan } = reportOf(row.file);
    expect({
      about:
        identity.kind === "image"
          ? {
              tags: identity.tags.map(canonicalReference),
              digests: identity.digests.map(canonicalReference),
            }
          : null,
      source: scan.source,
      finishedAt: scan.finishedAt,
      counts: countsOf(scan),
      critical: findingsAtOrAbove(scan, "CRITICAL", { fixedOnly: true }).length,
      high: findingsAtOrAbove(scan, "HIGH", { fixedOnly: true }).length,
      fresh: [scannedWithin(scan, NOW, 30), scannedWithin(scan, NOW, 1000)],
    }).toEqual({
      about: row.about,
      source: row.source ?? row.file,
      finishedAt: row.finishedAt,
      counts: row.counts,
      critical: row.critical[0],
      high: row.high[0],
      fresh: row.fresh,
    });
    const verdict = (n: number): Verdict => (n === 0 ? "pass" : "fail");
    expect(verdict(row.critical[0])).toBe(row.critical[1]);
    expect(verdict(row.high[0])).toBe(row.high[1]);
  });

  it("covers every Trivy golden there is", () => {
    const files = readdirSync(path.join(root, goldens)).filter((f) => f.endsWith(".json.golden"));
    expect(files).toHaveLength(16);
    expect(
      ROWS.filter((row) => row.file.startsWith(goldens))
        .map((row) => path.basename(row.file))
        .sort(),
    ).toEqual(files.sort());
  });

  it("agrees with the MANIFEST's §1 table: image or not, number of findings, counts by severity", () => {
    const manifest = readFileSync(path.join(root, "MANIFEST.md"), "utf8");
    const stated = new Map<string, { type: string; vulns: number; severities: number[] }>();
    for (const line of manifest.split("\n")) {
      const cells = line.split("|").map((cell) => cell.trim());
      const name = /^`([^`]+\.json\.golden)`$/.exec(cells[1] ?? "")?.[1];
      if (name === undefined) continue;
      const [type = "", vulns = "", severities = ""] = [cells[3], cells[6], cells[7]];
      stated.set(name, {
        type,
        vulns: Number(vulns),
        severities: severities === "—" ? [0, 0, 0, 0, 0] : severities.split("/").map(Number),
      });
    }
    expect(stated.size).toBe(16);
    for (const row of ROWS.filter((r) => r.file.startsWith(goldens))) {
      const says = stated.get(path.basename(row.file));
      expect(says, row.file).toBeDefined();
      expect(
        {
          image: row.about !== null,
          vulns: row.counts.reduce((a, b) => a + b, 0),
          severities: [...row.counts],
        },
        row.file,
      ).toEqual({
        image: says?.type === "container_image",
        vulns: says?.vulns,
        severities: says?.severities,
      });
    }
  });
});

describe("scanner reports: what the fixtures show", () => {
  const scanOf = (name: string) => reportOf(`${goldens}/${name}.json.golden`).scan;

  it("the filter pairs: Trivy's --ignore-unfixed --severity HIGH,CRITICAL is the gate's selection", () => {
    expect(findingsAtOrAbove(scanOf("alpine-39"), "HIGH", { fixedOnly: true })).toEqual(
      scanOf("alpine-39-high-critical").vulnerabilities,
    );
    expect(findingsAtOrAbove(scanOf("debian-buster"), "UNKNOWN", { fixedOnly: true })).toEqual(
      scanOf("debian-buster-ignore-unfixed").vulnerabilities,
    );
  });

  it("no FixedVersion is no fix, whatever the Status (centos-6 end_of_life, centos-7 will_not_fix, debian affected)", () => {
    const unfixed = (name: string) =>
      scanOf(name)
        .vulnerabilities.filter((v) => v.fixedVersion === undefined)
        .map((v) => `${v.id} ${v.package}`);
    expect(unfixed("centos-6")).toEqual(["CVE-2020-29573 glibc"]);
    expect(unfixed("centos-7")).toEqual(["CVE-2019-18276 bash"]);
    expect(unfixed("debian-buster")).toEqual(["CVE-2019-18276 bash"]);
  });

  it("the cosign example's one CRITICAL, with its fix", () => {
    expect(reportOf("trivy/extracted/cosign-vuln.example-1.json").scan.vulnerabilities).toEqual([
      {
        id: "CVE-2021-36159",
        severity: "CRITICAL",
        package: "apk-tools",
        installedVersion: "2.10.6-r0",
        fixedVersion: "2.10.7-r0",
      },
    ]);
  });

  it("trivy-operator's plugin fixture: severities from VendorSeverity.nvd (MEDIUM, LOW), as the operator expects", () => {
    const { scan } = reportOf(
      "trivy-operator/pkg/plugins/trivy/testdata/fixture/vulnerability_report.json",
    );
    expect(scan.vulnerabilities.map((v) => [v.id, v.package, v.severity])).toEqual([
      ["CVE-2019-1549", "openssl", "MEDIUM"],
      ["CVE-2019-1547", "openssl", "LOW"],
    ]);
  });

  it("the operator's example: the CRITICAL with fixedVersion '' has no fix", () => {
    const { scan } = reportOf("trivy-operator/extracted/vulnerability-report.example-1.yaml");
    expect(scan.vulnerabilities.map((v) => [v.id, v.fixedVersion])).toEqual([
      ["CVE-2019-20367", "0.9.1-2+deb10u1"],
      ["CVE-2018-25009", undefined],
    ]);
  });

  it("vulnerability-ttl.yaml: the list wins over a summary that disagrees with it", async () => {
    const file = path.join(
      root,
      "trivy-operator/tests/envtest/testdata/fixture/vulnerability-ttl.yaml",
    );
    const loaded = await loadResources([file]);
    const object = loaded.resources[0]?.object as
      | { report: { summary: Record<string, number> } }
      | undefined;
    const summary = object?.report.summary ?? {};
    // What the summary claims (MANIFEST §2) …
    expect([
      summary.criticalCount,
      summary.highCount,
      summary.mediumCount,
      summary.lowCount,
      summary.unknownCount,
    ]).toEqual([0, 12, 6, 0, 9]);
    // … and what the gate sees: the one HIGH of the list.
    const { scan } = reportOf(
      "trivy-operator/tests/envtest/testdata/fixture/vulnerability-ttl.yaml",
    );
    expect(scan.vulnerabilities).toEqual([
      {
        id: "CVE-2021-3121",
        severity: "HIGH",
        package: "github.com/gogo/protobuf",
        installedVersion: "v1.3.1",
        fixedVersion: "1.3.2",
      },
    ]);
  });

  it("gomod: the same advisory in three go.mod files is three findings, each UNKNOWN", () => {
    expect(
      reportOf(`${goldens}/gomod.json.golden`)
        .scan.vulnerabilities.filter((v) => v.id === "GMS-2022-20")
        .map((v) => v.severity),
    ).toEqual(["UNKNOWN", "UNKNOWN", "UNKNOWN"]);
  });

  it("says why a repository scan is not about an image", () => {
    const identity = reportOf(`${goldens}/pom.json.golden`).identity;
    expect(identity).toEqual({
      kind: "not-image",
      name: "testdata/fixtures/repo/pom",
      artifactType: "repository",
      reason:
        'the report is about a source repository (testdata/fixtures/repo/pom), not a container image (ArtifactType "repository")',
    });
  });

  it("warns that alpine-39-skip's image had no OS detected (its clean scan scanned no OS packages)", async () => {
    const file = `${goldens}/alpine-39-skip.json.golden`;
    const outcome = readTrivyReport(JSON.parse(readFileSync(path.join(root, file), "utf8")), file);
    expect(outcome.ok && outcome.warnings).toEqual([
      'Trivy detected no operating system (Metadata.OS.Family "none"): the image\'s OS packages were not scanned',
    ]);
  });
});

describe("scanner reports that are refused", () => {
  it("the invalid YAML example: the loader names its file, line and column", async () => {
    // MANIFEST §2: wrongly indented at line 40 (`   - cvss:`, a list at 3 spaces); lines 40–48
    // still read as that list's first item, and line 49 (`    description:` at 4 spaces, left
    // of the item's content at 5) is the first that cannot be read.
    const file = path.join(root, "trivy-operator/extracted/vulnerability-report.example-2.yaml");
    const loaded = await loadResources([file]);
    expect(loaded.resources).toEqual([]);
    expect(loaded.problems).toHaveLength(1);
    expect(loaded.problems[0]).toMatchObject({ file, line: 49, column: expect.any(Number) });
    expect(loaded.problems[0]?.message).toMatch(/YAML does not parse/);
  });

  it("the e2e partial report (a chainsaw assertion with no list of findings)", async () => {
    const file = path.join(root, "trivy-operator/tests/e2e/image-mode/workload/00-assert.yaml");
    const loaded = await loadResources([file]);
    expect(loaded.problems).toEqual([]);
    expect(readVulnerabilityReport(loaded.resources[0]?.object)).toEqual({
      ok: false,
      reason:
        "VulnerabilityReport pod-my-pod-app: report.vulnerabilities is missing: a report without its list of findings is not a clean report",
    });
  });

  it("cosign's e2e vuln predicate, whose scanner.result is null", () => {
    const file = "cosign/test/testdata/attestations/vuln-predicate.json";
    const predicate: unknown = JSON.parse(readFileSync(path.join(root, file), "utf8"));
    expect(readCosignVulnPredicate(predicate, file)).toEqual({
      ok: false,
      reason: `vulnerability attestation ${file}: scanner.result is missing: the attestation holds no scan report, and no report is not a clean report`,
    });
  });
});

describe("scanForImage over the fixtures", () => {
  function ref(written: string): ImageReference {
    const parsed = parseImageReference(written);
    if (!parsed.ok) throw new Error(parsed.reason);
    return parsed.reference;
  }
  const all = () => ROWS.map((row) => reportOf(row.file));
  const sourceFor = (written: string, digest?: string) =>
    scanForImage(ref(written), digest, all())?.source;
  const ALPINE_310 = "sha256:451eee8bedcb2f029756dc3e9d73bab0e7943c1ac55cff3a4861c52a0fdd3e98";
  const ALPINE_3102 = "sha256:72c42ed48c3a2db31b7dafe17d275b634664a708d901ec9fd57b1529280f01fb";

  it("finds the operator's report for the pod image nginx:1.16 (index.docker.io/library/nginx)", () => {
    expect(sourceFor("nginx:1.16")).toBe("default/replicaset-nginx-6d4cf56db6-nginx");
  });

  it("finds a report by its RepoDigest, and by the digest the reference pins", () => {
    expect(sourceFor("alpine:3.10", ALPINE_310)).toBe("trivy/extracted/cosign-vuln.example-1.json");
    expect(sourceFor(`docker.io/library/alpine@${ALPINE_3102}`)).toBe(
      "trivy-operator/pkg/plugins/trivy/testdata/fixture/vulnerability_report.json",
    );
  });

  it("goes by the digest, whatever the tag: alpine:3.10 resolved to the content scanned as alpine:3.10.2", () => {
    expect(sourceFor("alpine:3.10", ALPINE_3102)).toBe(
      "trivy-operator/pkg/plugins/trivy/testdata/fixture/vulnerability_report.json",
    );
  });

  it("finds nothing for alpine:3.10 at a digest no report names: the reports of that tag scanned 451eee…", () => {
    expect(sourceFor("alpine:3.10", `sha256:${"0".repeat(64)}`)).toBeUndefined();
  });

  it("ties among the three alpine-39 goldens (one image, one CreatedAt) keep the first given", () => {
    expect(sourceFor(`${TEST_IMAGES}:alpine-39`)).toBe(`${goldens}/alpine-39.json.golden`);
  });

  it("finds nothing for the e2e pod's nginx:1.14.2 (its report was refused) or another registry", () => {
    expect(sourceFor("nginx:1.14.2")).toBeUndefined();
    expect(sourceFor("ghcr.io/library/nginx:1.16")).toBeUndefined();
    expect(sourceFor("k8s.gcr.io/coredns/coredns:v1.8.0")).toBe(
      "kube-system/replicaset-coredns-558bd4d5db-coredns",
    );
  });
});
