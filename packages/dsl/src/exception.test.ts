import { type CharterError, validatePolicySet } from "@charter/ir";
import { describe, expect, it } from "vitest";
import { type ExceptionSpec, exception } from "./exception.js";

const spec = (): ExceptionSpec => ({
  policy: "disallow-host-path",
  rules: ["hostPath"],
  match: {
    namespaces: ["monitoring"],
    names: ["node-exporter-*"],
    kinds: ["apps/v1/DaemonSet"],
    labels: { matchLabels: { "app.kubernetes.io/name": "node-exporter" } },
    images: ["quay.io/prometheus/node-exporter:*"],
  },
  reason: "node-exporter reads /proc and /sys of the host",
  owner: "team-observability",
  expires: "2027-06-30",
});

function errorOf(run: () => unknown): CharterError {
  try {
    run();
  } catch (error) {
    return error as CharterError;
  }
  throw new Error("expected an error");
}

describe("exception()", () => {
  it("gives valid IR with the match lowered, the call site recorded, frozen", () => {
    const built = exception("node-exporter-host-path", spec());
    expect(() =>
      validatePolicySet({ irVersion: 1, policies: [], exceptions: [built] }, "x"),
    ).not.toThrow();
    expect(built.match.kinds).toEqual([{ group: "apps", kind: "DaemonSet" }]);
    expect(built.source?.file).toMatch(/exception\.test\.ts$/);
    expect(Object.isFrozen(built.match)).toBe(true);
  });

  it("refuses what would make it wrong or dead, with the file and line", () => {
    const cases: [Partial<ExceptionSpec>, RegExp][] = [
      [{ expires: "2027-02-30" }, /expires "2027-02-30" is not a date/],
      [{ expires: "soon" }, /is not a date/],
      [{ match: {} }, /match names no resources/],
      [{ reason: " " }, /reason must be a non-empty string/],
      [{ owner: undefined as never }, /owner must be a non-empty string/],
      [{ rules: [] }, /rules must be a non-empty list/],
      [{ match: { kinds: ["Deployment"] } }, /"Deployment" is not "apiVersion\/Kind"/],
      [{ match: { namspaces: ["x"] } as never }, /unknown key `namspaces`/],
    ];
    for (const [change, message] of cases) {
      const error = errorOf(() => exception("broken", { ...spec(), ...change }));
      expect(error.message).toMatch(message);
      expect(error.location.file).toMatch(/exception\.test\.ts$/);
    }
    expect(errorOf(() => exception("Bad_Name", spec())).message).toMatch(/name "Bad_Name"/);
  });
});
