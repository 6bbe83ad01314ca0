/**
 * `match.operations` and the `request` root on every target (packages/ir README, item 17): the
 * operations in the native match fields, the DELETE subject in CEL, the operation test in
 * Rego; a policy with the default operations emits what it emitted before. (Verdicts are
 * proven on the real engines: runtime's request tests; the schemas: test/schemas.test.ts.)
 */
import type { Json, JsonObject, Policy } from "@charter/ir";
import { REQUEST_POLICIES } from "@charter/test-support/request-table";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { emitGatekeeper } from "../gatekeeper/index.js";
import { emitKyverno } from "../kyverno/index.js";
import { emitRego } from "../rego/index.js";
import { emitVap } from "../vap/index.js";

const byName = (name: string): Policy => {
  const found = REQUEST_POLICIES.find((p) => p.name === name);
  if (!found) throw new Error(`no policy ${name}`);
  return found;
};
const deleteNamespaces = byName("rq-protected-namespace");
const deletePods = byName("rq-critical-pod-delete");
const readsUser = byName("rq-service-account");
const defaults = byName("rq-privileged-create");

function documents(files: Map<string, string>, fragment: string): JsonObject[] {
  const path = [...files.keys()].find(
    (p) => p === `${fragment}.yaml` || p.endsWith(`/${fragment}.yaml`),
  );
  expect(path, fragment).toBeDefined();
  return parseAllDocuments(files.get(path ?? "") ?? "").map((d) => d.toJS() as JsonObject);
}

const operationsIn = (value: Json | undefined): Json[] => {
  const found: Json[] = [];
  const walk = (v: Json | undefined) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === "object") {
      for (const [k, child] of Object.entries(v)) {
        if (k === "operations") found.push(child);
        else walk(child);
      }
    }
  };
  walk(value);
  return found;
};

describe("match.operations on the admission targets", () => {
  it.each([
    ["vap", (p: Policy[]) => emitVap(p)],
    ["kyverno ValidatingPolicy", (p: Policy[]) => emitKyverno(p)],
    ["kyverno ClusterPolicy", (p: Policy[]) => emitKyverno(p, { api: "clusterpolicy" })],
  ])("%s lists the policy's operations, the default CREATE and UPDATE", (_, emit) => {
    const files = emit([deleteNamespaces, readsUser, defaults]);
    expect(operationsIn(documents(files, "rq-protected-namespace")[0] as Json)).toEqual([
      ["DELETE"],
    ]);
    const all = operationsIn(documents(files, "rq-service-account")[0] as Json);
    expect(all.length).toBeGreaterThan(0);
    for (const operations of all) expect(operations).toEqual(["CREATE", "UPDATE", "DELETE"]);
    for (const operations of operationsIn(documents(files, "rq-privileged-create")[0] as Json)) {
      expect(operations).toEqual(["CREATE", "UPDATE"]);
    }
  });

  it("Kyverno scans in the background only with policies that judge offline objects as written", () => {
    const background = (files: Map<string, string>, name: string) =>
      JSON.stringify(documents(files, name)[0]);
    const createOnly = byName("rq-privileged-create-only"); // reads no request
    const policies = [deleteNamespaces, readsUser, defaults, createOnly];
    const validating = emitKyverno(policies);
    expect(background(validating, "rq-protected-namespace")).toContain(
      '"background":{"enabled":false}',
    );
    expect(background(validating, "rq-service-account")).toContain(
      '"background":{"enabled":false}',
    );
    // Its message reads request.operation.
    expect(background(validating, "rq-privileged-create")).toContain(
      '"background":{"enabled":false}',
    );
    expect(background(validating, "rq-privileged-create-only")).toContain(
      '"background":{"enabled":true}',
    );
    const cluster = emitKyverno(policies, { api: "clusterpolicy" });
    expect(background(cluster, "rq-protected-namespace")).toContain('"background":false');
    expect(background(cluster, "rq-privileged-create-only")).toContain('"background":true');
  });

  it("CEL judges the object being deleted on a DELETE, and reads request and oldObject", () => {
    const [policy] = documents(emitVap([deletePods]), "rq-critical-pod-delete");
    const cel = JSON.stringify(policy);
    expect(cel).toContain('(request.operation == \\"DELETE\\" ? oldObject : object)');
    const user = [...emitVap([readsUser])].map(([, text]) => text).join("\n");
    expect(user).toContain("request.userInfo.username");
    expect(user).not.toContain("? oldObject : object");
  });

  it("Rego tests the operation; Gatekeeper only for a policy that lists its operations", () => {
    const rego = emitRego([deleteNamespaces, defaults]);
    const regoOf = (name: string) =>
      [...rego].find(([path]) => path.includes(name.replaceAll("-", "_")))?.[1] ?? "";
    expect(regoOf("rq-protected-namespace")).toContain('\tlib.operation in {"DELETE"}\n');
    expect(regoOf("rq-privileged-create")).toContain('\tlib.operation in {"CREATE", "UPDATE"}\n');
    const gatekeeper = emitGatekeeper([deleteNamespaces, defaults]);
    const templateOf = (name: string) =>
      [...gatekeeper].find(
        ([path]) => path.startsWith(`${name}/`) && path.includes("template"),
      )?.[1] ?? "";
    expect(templateOf("rq-protected-namespace")).toContain('lib.operation in {\\"DELETE\\"}');
    expect(templateOf("rq-privileged-create")).not.toContain("lib.operation in");
  });

  it("Gatekeeper's CEL engine refuses what it cannot test", () => {
    expect(() => emitGatekeeper([deleteNamespaces], { engine: "cel" })).toThrow(
      /rq-protected-namespace.*DELETE.*--gatekeeper-engine rego/,
    );
    expect(() => emitGatekeeper([readsUser], { engine: "cel" })).toThrow(/rq-service-account/);
    const createOnly = byName("rq-privileged-create-only");
    expect(() => emitGatekeeper([createOnly], { engine: "cel" })).toThrow(
      /judges CREATE requests.*cannot test the operation/,
    );
  });
});
