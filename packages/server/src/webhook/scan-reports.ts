/**
 * The scans a Pod's `vulnerabilities` requirements are judged on at admission: the Trivy
 * Operator's VulnerabilityReports of the Pod's own namespace, from the webhook's watch cache
 * (caches/cached-kinds.ts watches them in every namespace; one watch serves every Pod).
 *
 * Why the Pod's namespace, not the cluster: the Operator writes a workload's report beside the
 * workload, so the reports that speak for a namespace's images are its own; and whoever may
 * write VulnerabilityReports in one namespace must not clear an image in another (a tenant's
 * hand-made "clean" report would otherwise admit an image anywhere). The cost: an image never
 * scanned in this namespace has no scan here, and fails — no report is not a clean report
 * (packages/ir README, item 18).
 *
 * Each report object is read once (`readVulnerabilityReport`), the reading kept with the object
 * the cache holds; a report the reader refuses is left out (it names no image it could be
 * matched to with confidence), so an image whose only report is unreadable has no scan, and fails.
 */
import { readVulnerabilityReport, type ScanReport } from "@charter/images";
import type { JsonObject } from "@charter/ir";
import type { InventoryIndex } from "@charter/runtime";
import { VULNERABILITY_REPORT_KIND } from "./caches/cached-kinds.js";

const read = new WeakMap<JsonObject, ScanReport | null>();

function reportOf(object: JsonObject): ScanReport | undefined {
  let known = read.get(object);
  if (known === undefined) {
    const result = readVulnerabilityReport(object);
    known = result.ok ? result.report : null;
    read.set(object, known);
  }
  return known ?? undefined;
}

/** The readable VulnerabilityReports of `namespace` the index holds. */
export function scanReportsIn(index: InventoryIndex, namespace: string | undefined): ScanReport[] {
  if (namespace === undefined || namespace === "") return [];
  const { apiVersion, kind } = VULNERABILITY_REPORT_KIND;
  const reports: ScanReport[] = [];
  for (const object of index.list(apiVersion, kind, namespace)) {
    const report = reportOf(object);
    if (report !== undefined) reports.push(report);
  }
  return reports;
}
