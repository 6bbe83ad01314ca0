/**
 * The IR engine on the cross-resource table: the results the IR semantics give, the messages
 * that read the Namespace and the inventory, and the batch-as-scanned-set default.
 */

import {
  CROSS_RESOURCE_CASES,
  crossResourceBatch,
  crossResourcePolicies,
} from "@charter/test-support/cross-resource-table";
import { describe, expect, it } from "vitest";
import { createIrEngine } from "../ir-engine/engine.js";
import type { Finding } from "../types.js";

const policies = crossResourcePolicies();
const findings = createIrEngine(policies).evaluateSync(crossResourceBatch(policies));

function rowsOf(note: string, policy: string): Finding[] {
  const index = CROSS_RESOURCE_CASES.findIndex((c) => c.note.startsWith(note));
  expect(index, note).toBeGreaterThanOrEqual(0);
  return findings.filter((f) => f.resourceIndex === index && f.policy === policy);
}

describe("cross-resource rules on the IR engine", () => {
  it.each(CROSS_RESOURCE_CASES.map((c, index) => ({ ...c, index })))("$note", (testCase) => {
    const results = Object.fromEntries(
      rowsOf(testCase.note, testCase.policy).map((f) => [f.rule, f.result]),
    );
    expect(results).toEqual(testCase.expected);
  });

  it("fills messages from the Namespace and names skips' reasons", () => {
    const [untrusted] = rowsOf("untrusted namespace, no runtime class", "xr-runtime-class");
    expect(untrusted?.message).toBe("namespace apps is untrusted; set a runtime class");
    const [skipped] = rowsOf("the Namespace is not in the scanned set", "xr-runtime-class");
    expect(skipped?.message).toMatch(/^Namespace "apps" is not in the scanned set/);
    const [noNamespace] = rowsOf("a pod naming no namespace: the rule", "xr-runtime-class");
    expect(noNamespace?.message).toMatch(/^Pod "p" names no namespace/);
  });

  it("takes witnesses over the inventory in name order", () => {
    const named = rowsOf("witnesses over the inventory", "xr-default-deny").find(
      (f) => f.rule === "named",
    );
    expect(named?.messages).toEqual([
      "policy alpha is bad",
      "policy zeta is bad",
      "policy \uffff is bad",
      "policy \u{1F600} is bad",
    ]);
    const keys = rowsOf("label keys are judged", "xr-namespace-keys")[0];
    expect(keys?.message).toBe("team label team-b on apps");
    const permissive = rowsOf("the first PERMISSIVE by name", "xr-mesh").find(
      (f) => f.rule === "permissive",
    );
    expect(permissive?.message).toBe("PERMISSIVE: aa");
  });

  it("judges a batch without inventories as one scanned set", () => {
    const engine = createIrEngine(crossResourcePolicies());
    const batch = [
      {
        object:
          CROSS_RESOURCE_CASES.find((c) => c.note.startsWith("untrusted namespace"))?.resource ??
          null,
      },
      {
        object: {
          apiVersion: "v1",
          kind: "Namespace",
          metadata: { name: "apps", labels: { "charter.dev/untrusted": "true" } },
        },
      },
    ];
    const rows = engine.evaluateSync(batch).filter((f) => f.rule === "untrusted");
    expect(rows.map((f) => f.result)).toEqual(["fail"]);
  });
});
