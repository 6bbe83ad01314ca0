import type { InventoryKind, Policy } from "@charter/ir";
import { describe, expect, it } from "vitest";
import disallowPrivilegedContainers from "../../../../../policies/disallow-privileged-containers.js";
import requireDefaultDenyNetworkPolicy from "../../../../../policies/require-default-deny-network-policy.js";
import restrictRuntimeClass from "../../../../../policies/restrict-runtime-class.js";
import { decideUnsynced } from "./unsynced-decision.js";

const as = (policy: Policy, enforcement: Policy["enforcement"]): Policy => ({
  ...policy,
  enforcement,
});
const only =
  (...synced: string[]) =>
  (kind: InventoryKind) =>
    synced.includes(kind.kind);

describe("the rule for a review that needs an unsynced cache", () => {
  it("judges every policy whose caches are synced, and those that read nothing beyond the object", () => {
    const decisions = decideUnsynced(
      [disallowPrivilegedContainers, restrictRuntimeClass, requireDefaultDenyNetworkPolicy],
      only("Namespace", "NetworkPolicy"),
    );
    expect(decisions.map((d) => d.action)).toEqual(["judge", "judge", "judge"]);
    // Nothing synced at all: a policy reading only the object is still judged.
    expect(decideUnsynced([disallowPrivilegedContainers], only())[0]?.action).toBe("judge");
  });

  it("denies the review for a deny policy (fail closed by default), naming the cache and saying retry", () => {
    const [privileged, runtimeClass, networkPolicy] = decideUnsynced(
      [
        disallowPrivilegedContainers,
        as(restrictRuntimeClass, "deny"),
        as(requireDefaultDenyNetworkPolicy, "deny"),
      ],
      only("NetworkPolicy"),
    );
    expect(privileged).toEqual({ policy: "disallow-privileged-containers", action: "judge" });
    expect(runtimeClass).toEqual({
      policy: "restrict-runtime-class",
      action: "deny",
      message:
        "Charter's cache of v1/Namespace is not synced yet; retry (policy restrict-runtime-class needs it)",
      unsynced: ["v1/Namespace"],
    });
    expect(networkPolicy?.action).toBe("judge");
  });

  it("with --unsynced allow, a deny policy warns that it was not judged instead", () => {
    const [decision] = decideUnsynced(
      [as(requireDefaultDenyNetworkPolicy, "deny")],
      only("Namespace"),
      "allow",
    );
    expect(decision).toEqual({
      policy: "require-default-deny-network-policy",
      action: "warn",
      message:
        "policy require-default-deny-network-policy was not judged: Charter's cache of networking.k8s.io/v1/NetworkPolicy is not synced yet",
      unsynced: ["networking.k8s.io/v1/NetworkPolicy"],
    });
  });

  it("warn policies warn and audit policies annotate, whatever the mode", () => {
    for (const mode of ["deny", "allow"] as const) {
      const decisions = decideUnsynced(
        [as(restrictRuntimeClass, "warn"), as(restrictRuntimeClass, "audit")],
        only(),
        mode,
      );
      expect(decisions.map((d) => d.action)).toEqual(["warn", "audit"]);
      expect(decisions.every((d) => "message" in d && /not judged/.test(d.message))).toBe(true);
    }
  });

  it("names every unsynced cache a policy needs", () => {
    const both: Policy = {
      ...requireDefaultDenyNetworkPolicy,
      rules: [...requireDefaultDenyNetworkPolicy.rules, ...restrictRuntimeClass.rules],
    };
    const [decision] = decideUnsynced([both], only());
    expect(decision).toMatchObject({
      action: "deny",
      message: expect.stringMatching(
        /^Charter's caches of v1\/Namespace, networking\.k8s\.io\/v1\/NetworkPolicy are not synced yet; retry/,
      ),
    });
  });
});
