import { admissionReview, decisionEvent, pod } from "@charter/test-support/decision-logs";
import { describe, expect, it } from "vitest";
import { CLUSTER_SCOPE, normalizePath, readDecision } from "./decision-event.js";

const privileged = { policy: "disallow-privileged-containers", rule: "privileged" };

describe("readDecision", () => {
  it.each([
    "charter/violations",
    "/charter/violations",
    "data/charter/violations",
    "/data/charter/violations",
    "data.charter.violations",
  ])("judges the path %s", (path) => {
    expect(normalizePath({ path })).toBe("charter/violations");
    expect(readDecision(decisionEvent({ path, result: [privileged] })).kind).toBe("judged");
  });

  it("counts other paths as other queries, not judged", () => {
    expect(readDecision(decisionEvent({ path: "/system/main", result: true }))).toEqual({
      kind: "other",
      path: "system/main",
    });
    expect(readDecision(decisionEvent({ path: "charter/lib" })).kind).toBe("other");
  });

  it("an absent result is a decision without violation", () => {
    const decision = readDecision(decisionEvent({ input: pod("team-b") }));
    expect(decision).toEqual({ kind: "judged", namespace: "team-b", violations: [] });
  });

  it("reads the object out of an AdmissionReview, namespace from the object or the request", () => {
    const inObject = readDecision(
      decisionEvent({ input: admissionReview(pod("team-c")), result: [privileged] }),
    );
    expect(inObject).toMatchObject({ kind: "judged", namespace: "team-c" });
    const inRequest = readDecision(
      decisionEvent({ input: admissionReview(pod(undefined), "team-d"), result: [] }),
    );
    expect(inRequest).toMatchObject({ kind: "judged", namespace: "team-d" });
  });

  it("places cluster-scoped objects outside namespaces and bare namespaced ones in default", () => {
    const namespace = { apiVersion: "v1", kind: "Namespace", metadata: { name: "team-a" } };
    expect(readDecision(decisionEvent({ input: namespace, result: [] }))).toMatchObject({
      namespace: CLUSTER_SCOPE,
    });
    expect(readDecision(decisionEvent({ input: pod(undefined), result: [] }))).toMatchObject({
      namespace: "default",
    });
  });

  it("an OPA error or a result that is not a violation list is an errored decision", () => {
    expect(
      readDecision(
        decisionEvent({
          error: {
            code: "eval_conflict_error",
            message: "functions must not produce multiple outputs",
          },
        }),
      ),
    ).toEqual({
      kind: "errored",
      path: "charter/violations",
      message: "eval_conflict_error: functions must not produce multiple outputs",
    });
    expect(readDecision(decisionEvent({ result: { deny: true } })).kind).toBe("errored");
    expect(readDecision(decisionEvent({ result: [{ message: "no policy" }] })).kind).toBe(
      "errored",
    );
  });

  it("keeps severity and enforcement; a missing enforcement is deny", () => {
    const decision = readDecision({
      path: "charter/violations",
      input: pod("a"),
      result: [{ policy: "p", rule: "r", severity: "low" }],
    });
    expect(decision).toEqual({
      kind: "judged",
      namespace: "a",
      violations: [{ policy: "p", rule: "r", severity: "low", enforcement: "deny" }],
    });
  });
});
