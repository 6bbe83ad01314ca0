import type { Policy } from "@charter/ir";
import { createIrEngine, type Engine } from "@charter/runtime";
import { describe, expect, it } from "vitest";
import privileged from "../../../policies/disallow-privileged-containers.js";
import { runCases } from "./case-runner.js";

/** An engine that answers like the IR engine except that it flips every result of one case. */
function lyingEngine(policies: readonly Policy[], caseIndex: number): Engine {
  const honest = createIrEngine(policies);
  return {
    name: "liar",
    async evaluate(resources) {
      return (await honest.evaluate(resources)).map((finding) =>
        finding.resourceIndex === caseIndex
          ? {
              ...finding,
              result: finding.result === "fail" ? "pass" : "fail",
              messages: [],
              message: "",
            }
          : finding,
      );
    },
  };
}

describe("runCases", () => {
  it("is quiet when every engine meets every case", async () => {
    const reports = await runCases([privileged], [createIrEngine([privileged])]);
    expect(reports.map((r) => r.problems)).toEqual([[]]);
  });

  it("reports a disagreement with the policy, the case, the resource and each answer", async () => {
    const reports = await runCases(
      [privileged],
      [createIrEngine([privileged]), lyingEngine([privileged], 0)],
    );
    const problems = reports[0]?.problems ?? [];
    const first = privileged.cases[0];
    const disagreement = problems.find((p) => p.includes("engines disagree"));
    expect(disagreement).toContain(`${first?.expect}/${first?.name}`);
    expect(disagreement).toMatch(/rule privileged: ir=(pass|fail).* liar=(pass|fail)/);
    expect(disagreement).toMatch(
      /\((Pod|Deployment|StatefulSet|DaemonSet|Job|CronJob|ReplicaSet) /,
    );
  });

  it("reports a case whose expectation an engine does not meet", async () => {
    const wrong: Policy = {
      ...privileged,
      cases: privileged.cases.map((c) => ({ ...c, expect: c.expect === "pass" ? "fail" : "pass" })),
    };
    const [report] = await runCases([wrong], [createIrEngine([wrong])]);
    expect(report?.problems).toHaveLength(wrong.cases.length);
    expect(report?.problems.join("\n")).toMatch(/expected to pass, but privileged failed/);
    expect(report?.problems.join("\n")).toMatch(
      /expected to fail, but every rule passed|expected privileged to fail/,
    );
  });

  it("names a problem several engines share once, with the engines, where the case is", async () => {
    const wrong: Policy = {
      ...privileged,
      cases: privileged.cases.slice(0, 1).map((c) => ({ ...c, expect: "fail" as const })),
    };
    const ir = createIrEngine([wrong]);
    const [report] = await runCases([wrong], [ir, { ...ir, name: "twin" }], {
      where: (source) => `here:${source.line}`,
    });
    const line = wrong.cases[0]?.source?.line ?? wrong.source?.line;
    expect(report?.problems).toEqual([
      `fail/${wrong.cases[0]?.name} (here:${line}) [ir, twin]: expected to fail, but every rule passed`,
    ]);
  });

  it("runs a case with its own params, on engines made for them", async () => {
    const [first] = privileged.cases;
    if (!first) throw new Error("the policy has cases");
    const withParams: Policy = {
      ...privileged,
      cases: [first, { ...first, name: "again, with params", params: {} }],
    };
    const made: number[] = [];
    const reports = await runCases([withParams], (set) => {
      made.push(set.length);
      return [createIrEngine(set)];
    });
    expect(reports[0]?.problems).toEqual([]);
    expect(made).toEqual([1, 1]); // the defaults' batch, then the params' batch
    await expect(runCases([withParams], [createIrEngine([withParams])])).rejects.toThrow(
      /cases with their own params need engines made for them/,
    );
  });
});
