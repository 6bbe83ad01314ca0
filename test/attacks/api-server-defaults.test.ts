/**
 * Attack: manifests shaped to break the API server's defaults that `charter check` applies
 * (packages/runtime/src/input/api-server-defaults.ts) — odd types where ports, annotations,
 * security contexts and templates go, and arbitrary JSON. Defaulting must never throw, never
 * change its input, never make a document readable or unreadable; a hostNetwork Pod that
 * admission would deny for its defaulted host port is failed, not passed.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Json } from "@charter/ir";
import { applyApiServerDefaults } from "@charter/runtime";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";

const ODD = `apiVersion: v1
kind: Pod
metadata:
  name: odd
  namespace: team-a
  annotations: "not a map"
spec:
  hostNetwork: "yes"
  containers:
    - name: a
      image: nginx:1.27
      ports: {containerPort: 80}
      securityContext: "x"
    - "not a container"
    - null
---
apiVersion: v1
kind: Pod
metadata:
  name: host-port
  namespace: team-a
spec:
  hostNetwork: true
  containers:
    - name: a
      image: registry.example.com/app@sha256:${"a".repeat(64)}
      ports: [{containerPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: template, namespace: team-a}
spec:
  template: "not a template"
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np, namespace: team-a}
spec: "not a spec"
`;

describe("attack: the API server's defaults in charter check", () => {
  it("never throws or mutates, whatever the JSON", () => {
    const kinds = fc.constantFrom("Pod", "Deployment", "CronJob", "NetworkPolicy", "Namespace");
    const versions = fc.constantFrom("v1", "apps/v1", "batch/v1", "networking.k8s.io/v1");
    const object = fc.record({
      apiVersion: versions,
      kind: kinds,
      metadata: fc.jsonValue(),
      spec: fc.jsonValue(),
    });
    fc.assert(
      fc.property(fc.oneof(object, fc.jsonValue()), (value) => {
        const before = JSON.stringify(value);
        applyApiServerDefaults(value as Json);
        expect(JSON.stringify(value)).toBe(before);
      }),
      { numRuns: 3000 },
    );
  });

  it("reads odd shapes as written, and fails the host port admission would deny", async () => {
    const dir = mkdtempSync(join(tmpdir(), "charter-defaults-attack-"));
    const file = join(dir, "odd.yaml");
    writeFileSync(file, ODD);
    const rows = async (...flags: string[]) => {
      const run = await runCli(["check", file, "--format", "json", ...flags]);
      expect(run.stderr).not.toMatch(/TypeError|at .*\.js:\d+/);
      return JSON.parse(run.stdout).results as {
        policy: string;
        result: string;
        resource: { name: string };
      }[];
    };
    const defaulted = await rows();
    const raw = await rows("--no-defaults");
    const hostPort = (list: typeof defaulted) =>
      list.find((r) => r.resource.name === "host-port" && r.policy === "disallow-host-ports")
        ?.result;
    expect(hostPort(defaulted)).toBe("fail");
    expect(hostPort(raw)).toBe("pass");
    // Everything else is judged the same: defaulting touched nothing of an odd shape.
    const others = (list: typeof defaulted) =>
      list
        .filter((r) => r.resource.name !== "host-port")
        .map((r) => `${r.resource.name} ${r.policy} ${r.result}`);
    expect(others(defaulted)).toEqual(others(raw));
  });
});
