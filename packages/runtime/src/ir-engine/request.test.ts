/**
 * The `request` root and `match.operations` on the IR engine (packages/ir README, item 17):
 * the shared table's results, and the messages that show what the root reads.
 */
import { REQUEST_CASES, REQUEST_POLICIES, requestBatch } from "@charter/test-support/request-table";
import { describe, expect, it } from "vitest";
import { requestValueOf } from "../request-value.js";
import { createIrEngine } from "./engine.js";

describe("admission requests on the IR engine", () => {
  const findings = createIrEngine(REQUEST_POLICIES).evaluateSync(requestBatch());

  it("gives every case of the table its results", () => {
    REQUEST_CASES.forEach((testCase, index) => {
      const got = Object.fromEntries(
        findings
          .filter((f) => f.resourceIndex === index && f.policy === testCase.policy)
          .map((f) => [f.rule, f.result]),
      );
      expect(got, testCase.note).toEqual(testCase.expected);
    });
  });

  it("renders what the request root reads in messages", () => {
    const messageOf = (index: number, rule: string) =>
      findings.find((f) => f.resourceIndex === index && f.rule === rule)?.message;
    expect(messageOf(0, "protected")).toBe("namespace prod is protected; DELETE");
    expect(messageOf(5, "changed")).toBe("team red became blue");
    expect(messageOf(6, "changed")).toBe("team red became");
    expect(messageOf(10, "robot")).toBe("CREATE by system:serviceaccount:apps:deployer");
    expect(messageOf(11, "masters")).toBe("group system:masters uid 7");
    expect(messageOf(20, "critical")).toBe("pod runs critical image critical/db:1 on DELETE");
  });

  it("reads a DELETE's old object as the object being deleted, and a CREATE's as missing", () => {
    const object = { kind: "ConfigMap" };
    const stale = { kind: "ConfigMap", data: { a: "old" } };
    expect(requestValueOf({ object })).toEqual({ operation: "CREATE" });
    expect(requestValueOf({ object, request: { operation: "CREATE", oldObject: stale } })).toEqual({
      operation: "CREATE",
    });
    expect(requestValueOf({ object, request: { operation: "DELETE", oldObject: stale } })).toEqual({
      operation: "DELETE",
      oldObject: object,
    });
    expect(requestValueOf({ object, request: { operation: "UPDATE", oldObject: stale } })).toEqual({
      operation: "UPDATE",
      oldObject: stale,
    });
  });
});
