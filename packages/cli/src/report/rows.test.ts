import type { Finding } from "@charter/runtime";
import { describe, expect, it } from "vitest";
import { type ClusterSource, type Row, toRow } from "./rows.js";

/** The row as it was built before toRow avoided copies: the reference for its key order. */
function spreadRow(finding: Finding, file?: string, cluster?: ClusterSource): Row {
  const { messages: _m, resourceIndex: _i, source, exception, ...row } = finding;
  return {
    ...row,
    ...(source ? { source: { file: file ?? source.file, line: source.line } } : {}),
    ...(exception ? { exception } : {}),
    ...(cluster ? { source: cluster } : {}),
  };
}

const finding: Finding = {
  policy: "p",
  rule: "r",
  result: "fail",
  message: "m",
  messages: ["m", "n"],
  severity: "high",
  enforcement: "deny",
  resource: { apiVersion: "v1", kind: "Pod", name: "x" },
  resourceIndex: 3,
};
const source = { source: { file: "/abs/pod.yaml", line: 4 } };
const exception = {
  exception: { name: "e", reason: "why", owner: "team", expires: "2999-01-01" },
};

describe("toRow", () => {
  const variants = [
    finding,
    { ...finding, ...source },
    { ...finding, ...exception },
    { ...finding, ...source, ...exception },
  ];
  it.each(variants)("writes the fields, in the order, the spread-built row had (%#)", (f) => {
    for (const [file, cluster] of [
      [undefined, undefined],
      ["pod.yaml", undefined],
      [undefined, { cluster: "kind-dev" }],
    ] as const) {
      expect(JSON.stringify(toRow(f, file, cluster))).toBe(
        JSON.stringify(spreadRow(f, file, cluster)),
      );
    }
  });

  it("leaves out what only engines need", () => {
    const row = toRow({ ...finding, ...source }, "pod.yaml");
    expect(row).not.toHaveProperty("messages");
    expect(row).not.toHaveProperty("resourceIndex");
    expect(row.source).toEqual({ file: "pod.yaml", line: 4 });
  });
});
