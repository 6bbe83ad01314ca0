import fc from "fast-check";
import { describe, expect, it } from "vitest";
import knownKinds from "./known-kinds.gen.json" with { type: "json" };
import { REMOVED_VERSIONS } from "./removed-versions.js";
import { unservedApiVersion } from "./served-version.js";

const object = (apiVersion: string, kind: string) => ({
  apiVersion,
  kind,
  metadata: { name: "x" },
});

describe("unservedApiVersion", () => {
  it("names the release that removed a version and the version replacing it", () => {
    expect(unservedApiVersion(object("extensions/v1beta1", "DaemonSet"))).toBe(
      "extensions/v1beta1 DaemonSet: Kubernetes stopped serving this API version in 1.16; use apiVersion: apps/v1 (Kubernetes' deprecation guide)",
    );
    expect(unservedApiVersion(object("batch/v1beta1", "CronJob"))).toMatch(
      /in 1\.25; use apiVersion: batch\/v1 /,
    );
    expect(unservedApiVersion(object("policy/v1beta1", "PodSecurityPolicy"))).toMatch(
      /in 1\.25; PodSecurityPolicy no longer exists in any version; use Pod Security Admission/,
    );
    expect(
      unservedApiVersion(object("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema")),
    ).toMatch(/in 1\.32; use apiVersion: flowcontrol\.apiserver\.k8s\.io\/v1 /);
  });

  it("reports a version Kubernetes never had of a built-in kind, with the served ones", () => {
    expect(unservedApiVersion(object("apps/v2", "Deployment"))).toBe(
      "apps/v2 Deployment: Kubernetes has no such API version; Deployment is served as apps/v1",
    );
    expect(unservedApiVersion(object("v2", "Pod"))).toMatch(/Pod is served as v1$/);
    expect(unservedApiVersion(object("autoscaling/v3", "HorizontalPodAutoscaler"))).toMatch(
      /HorizontalPodAutoscaler is served as autoscaling\/v2, autoscaling\/v1$/,
    );
    expect(unservedApiVersion(object("policy/v1", "PodSecurityPolicy"))).toMatch(
      /no Kubernetes release still serves PodSecurityPolicy$/,
    );
  });

  it("passes served versions, beta and alpha ones included, and a version re-added for other kinds", () => {
    for (const [apiVersion, kind] of [
      ["apps/v1", "DaemonSet"],
      ["v1", "Pod"],
      ["autoscaling/v1", "HorizontalPodAutoscaler"],
      ["admissionregistration.k8s.io/v1beta1", "ValidatingAdmissionPolicy"],
      ["storage.k8s.io/v1beta1", "VolumeAttributesClass"],
      ["apiextensions.k8s.io/v1", "CustomResourceDefinition"],
    ] as const) {
      expect(unservedApiVersion(object(apiVersion, kind)), `${apiVersion} ${kind}`).toBeUndefined();
    }
    expect(
      unservedApiVersion(
        object("admissionregistration.k8s.io/v1beta1", "ValidatingWebhookConfiguration"),
      ),
    ).toMatch(/in 1\.22/);
  });

  it("leaves custom resources and unknown kinds alone", () => {
    expect(unservedApiVersion(object("example.com/v1", "Deployment"))).toBeUndefined();
    expect(unservedApiVersion(object("kyverno.io/v1", "ClusterPolicy"))).toBeUndefined();
    expect(unservedApiVersion(object("apps/v1", "Rollout"))).toBeUndefined();
    expect(unservedApiVersion("not an object" as never)).toBeUndefined();
  });

  it("every removed row is an error naming its release; every other registered version is served", () => {
    const removed = new Set(
      REMOVED_VERSIONS.flatMap((r) => r.kinds.map((k) => `${r.apiVersion} ${k}`)),
    );
    for (const row of REMOVED_VERSIONS) {
      for (const kind of row.kinds) {
        const message = unservedApiVersion(object(row.apiVersion, kind));
        expect(message).toContain(`stopped serving this API version in ${row.removedIn}`);
        if (row.replacement) expect(message).toContain(`use apiVersion: ${row.replacement}`);
      }
    }
    for (const [apiVersion, kinds] of Object.entries(knownKinds as Record<string, string[]>)) {
      for (const kind of kinds) {
        if (removed.has(`${apiVersion} ${kind}`)) continue;
        expect(
          unservedApiVersion(object(apiVersion, kind)),
          `${apiVersion} ${kind}`,
        ).toBeUndefined();
      }
    }
  });

  it("property: a built-in kind at any other version is an error; an unknown group never is", () => {
    const pairs = Object.entries(knownKinds as Record<string, string[]>).flatMap(([gv, kinds]) =>
      kinds.map((kind) => ({ group: gv.includes("/") ? (gv.split("/")[0] as string) : "", kind })),
    );
    const served = new Set(
      Object.entries(knownKinds as Record<string, string[]>).flatMap(([gv, kinds]) =>
        kinds.map((k) => `${gv} ${k}`),
      ),
    );
    const version = fc.stringMatching(/^v[0-9]{1,2}((alpha|beta)[0-9])?$/);
    fc.assert(
      fc.property(fc.constantFrom(...pairs), version, ({ group, kind }, v) => {
        const apiVersion = group === "" ? v : `${group}/${v}`;
        const message = unservedApiVersion(object(apiVersion, kind));
        if (!served.has(`${apiVersion} ${kind}`)) expect(message).toMatch(/^\S+ \S+: Kubernetes /);
      }),
      { seed: 12, numRuns: 2000 },
    );
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z]{1,10}\.(example|corp)\.[a-z]{2,3}$/),
        version,
        fc.constantFrom(...pairs),
        (group, v, { kind }) => {
          expect(unservedApiVersion(object(`${group}/${v}`, kind))).toBeUndefined();
        },
      ),
      { numRuns: 500 },
    );
  });
});
