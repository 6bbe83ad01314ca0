/**
 * A vulnerability gate on scanner reports (Trivy JSON given with `--vuln-reports`, Trivy
 * Operator VulnerabilityReports): no finding at or above the severity threshold that has a fix.
 * It is an image rule (packages/ir README, item 18) on scanner reports, which no admission
 * engine reads: it is scan-only, judged by `charter check --vuln-reports`. To gate admission on
 * the Trivy Operator's VulnerabilityReports, copy it without `excludeTargets` into a project
 * served by Charter's webhook (docs/webhook.md).
 */
import { boolean, pod, policy, string, when } from "@charter/dsl";
import { asCronJob, asDeployment, asPod, asStatefulSet, container } from "./support/workloads.js";

const IMAGE = "registry.example.com/todo/api:1.4.2";
/** The severities a threshold counts: itself and every one above it. */
const AT_OR_ABOVE = {
  CRITICAL: ["CRITICAL"],
  HIGH: ["CRITICAL", "HIGH"],
  MEDIUM: ["CRITICAL", "HIGH", "MEDIUM"],
  LOW: ["CRITICAL", "HIGH", "MEDIUM", "LOW"],
};
const NOT_IN_ADMISSION =
  "admission engines cannot read scanner reports; charter check --vuln-reports judges it";

const scan = (...vulnerabilities: { severity: string; fixedVersion?: string }[]) => ({
  [IMAGE]: {
    reference: IMAGE,
    signatures: [],
    attestations: [],
    scan: {
      source: "reports/api.json",
      finishedAt: "2026-11-30T09:00:00Z",
      vulnerabilities: vulnerabilities.map((v, i) => ({
        id: `CVE-2026-${1000 + i}`,
        package: "openssl",
        installedVersion: "3.0.1",
        ...v,
      })),
    },
  },
});

export default policy("block-vulnerable-images", {
  title: "Images have no fixable vulnerabilities at or above the threshold",
  description:
    "A vulnerability with a fix available is one a rebuild removes. Every image a pod runs must " +
    "have a scan (a Trivy JSON report given to `charter check --vuln-reports`, or the Trivy " +
    "Operator's VulnerabilityReport) with no finding at or above `threshold` (CRITICAL by " +
    "default; HIGH, MEDIUM or LOW widen it) — counting only findings with a fix unless " +
    "`fixedOnly` is false. An image with no scan fails: no report is not a clean report.",
  severity: "high",
  category: "Supply chain",
  controls: [
    "nsa:pod-security:secure-images",
    "nsa:upgrade:patching",
    "nsa:upgrade:vuln-scanning",
    "area:image-scanning",
  ],
  match: pod,
  params: {
    threshold: string().default("CRITICAL"),
    fixedOnly: boolean().default(true),
  },
  images: {
    require: {
      noVulnerabilities: {
        vulnerabilities: when`not any v in scan.vulnerabilities: v.severity in ${AT_OR_ABOVE}[params.threshold] and (not params.fixedOnly or exists(v.fixedVersion))`,
      },
    },
  },
  excludeTargets: {
    rego: NOT_IN_ADMISSION,
    gatekeeper: NOT_IN_ADMISSION,
    kyverno: NOT_IN_ADMISSION,
    vap: NOT_IN_ADMISSION,
  },
  cases: {
    pass: [
      {
        name: "image whose only CRITICAL finding has no fix",
        resource: asPod("api", { containers: [container("api", undefined, IMAGE)] }),
        images: scan({ severity: "CRITICAL" }, { severity: "HIGH", fixedVersion: "3.0.2" }),
      },
      {
        name: "clean scan of a Deployment's image",
        resource: asDeployment("api", { containers: [container("api", undefined, IMAGE)] }),
        images: scan(),
      },
      {
        name: "CronJob whose image has only a LOW finding with a fix",
        resource: asCronJob("report", { containers: [container("report", undefined, IMAGE)] }),
        images: scan({ severity: "LOW", fixedVersion: "3.0.2" }),
      },
    ],
    fail: [
      {
        name: "CRITICAL finding with a fix",
        resource: asPod("api", { containers: [container("api", undefined, IMAGE)] }),
        images: scan({ severity: "CRITICAL", fixedVersion: "3.0.2" }),
        rules: ["noVulnerabilities"],
      },
      {
        name: "HIGH finding with a fix, threshold HIGH",
        resource: asPod("api", { containers: [container("api", undefined, IMAGE)] }),
        images: scan({ severity: "HIGH", fixedVersion: "3.0.2" }),
        params: { threshold: "HIGH" },
        rules: ["noVulnerabilities"],
      },
      {
        name: "CRITICAL finding without a fix, fixedOnly false",
        resource: asPod("api", { containers: [container("api", undefined, IMAGE)] }),
        images: scan({ severity: "CRITICAL" }),
        params: { fixedOnly: false },
        rules: ["noVulnerabilities"],
      },
      {
        name: "StatefulSet's init container with a CRITICAL finding with a fix",
        resource: asStatefulSet("db", {
          initContainers: [container("migrate", undefined, IMAGE)],
          containers: [container("db", undefined, "registry.example.com/todo/db:2")],
        }),
        images: {
          ...scan({ severity: "CRITICAL", fixedVersion: "3.0.2" }),
          "registry.example.com/todo/db:2": {
            reference: "registry.example.com/todo/db:2",
            signatures: [],
            attestations: [],
            scan: { source: "reports/db.json", vulnerabilities: [] },
          },
        },
        rules: ["noVulnerabilities"],
      },
      {
        name: "image with no scan",
        resource: asPod("api", { containers: [container("api", undefined, IMAGE)] }),
        images: { [IMAGE]: { reference: IMAGE, signatures: [], attestations: [] } },
        rules: ["noVulnerabilities"],
      },
    ],
  },
});
