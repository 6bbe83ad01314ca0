/**
 * Attack: an exception whose expiry is not a real instant. Date.parse reads `2020-02-30T…` as
 * March 1st and `T24:00:00Z` as the next day, so such an exception used to load and apply
 * until a date its author never wrote. Now every path that reads an expiry — `exception(…)`, an
 * exception module exporting a plain object, `--now` — refuses it, with the file and line.
 *
 * The property test judges isValidExpiry against an independent calendar: a JavaScript Date
 * built from the same fields must give those fields back (no rollover), hour/minute/second and
 * offset in their RFC 3339 ranges, and no leap second (Go's time.Parse refuses `:60`).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exception } from "@charter/dsl";
import { isCharterError, isValidExpiry } from "@charter/ir";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { repoRoot, runCli } from "../support/run-cli.js";

const IMPOSSIBLE = [
  "2020-02-30T00:00:00Z",
  "2020-01-01T24:00:00Z",
  "2021-02-29T12:00:00Z",
  "1900-02-29",
  "2020-04-31",
  "2020-01-01T23:60:00Z",
  "2016-12-31T23:59:60Z",
  "2020-01-01T00:00:00+24:00",
  "2020-01-01T00:00:00+00:60",
  "2020-01-01t00:00:00z",
  "2020-00-10",
];

describe("exception expiry dates", () => {
  it("refuses impossible dates and times, accepts real ones", () => {
    for (const text of IMPOSSIBLE) expect(isValidExpiry(text), text).toBe(false);
    for (const text of [
      "2024-02-29",
      "2000-02-29T23:59:59.999Z",
      "2020-12-31T23:59:59+23:59",
      "0000-02-29",
    ]) {
      expect(isValidExpiry(text), text).toBe(true);
    }
  });

  it("exception(…) refuses 2020-02-30T00:00:00Z with the file and line of the call", () => {
    let thrown: unknown;
    try {
      exception("impossible-day", {
        policy: "disallow-host-path",
        match: { namespaces: ["monitoring"] },
        reason: "testing",
        owner: "team-a",
        expires: "2020-02-30T00:00:00Z",
      });
    } catch (error) {
      thrown = error;
    }
    expect(isCharterError(thrown)).toBe(true);
    if (!isCharterError(thrown)) return;
    expect(thrown.message).toMatch(/expires "2020-02-30T00:00:00Z" is not a date/);
    expect(thrown.location.file).toMatch(/exception-dates\.test\.ts$/);
    expect(thrown.location.line).toBeGreaterThan(0);
  });

  it("charter check refuses a plain-object exception expiring at T24:00:00Z (exit 2, file)", async () => {
    const project = mkdtempSync(join(tmpdir(), "charter-dates-"));
    writeFileSync(
      join(project, "charter.config.ts"),
      `export default { policies: ${JSON.stringify(join(repoRoot, "policies"))}, exceptions: "exceptions.ts" };\n`,
    );
    writeFileSync(
      join(project, "exceptions.ts"),
      `export default {
  name: "midnight",
  policy: "disallow-host-path",
  match: { namespaces: ["monitoring"] },
  reason: "testing",
  owner: "team-a",
  expires: "2020-01-01T24:00:00Z",
};
`,
    );
    writeFileSync(
      join(project, "pod.yaml"),
      "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: monitoring}\nspec: {containers: [{name: c, image: x}]}\n",
    );
    const run = await runCli(["check", "pod.yaml", "--now", "2019-12-31"], { cwd: project });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /exceptions\.ts.*error: exception midnight: expires "2020-01-01T24:00:00Z" is not a date/,
    );
  });

  it("--now refuses 2020-02-30T00:00:00Z", async () => {
    const run = await runCli(["check", "-", "--now", "2020-02-30T00:00:00Z"], {
      stdin: "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n",
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--now "2020-02-30T00:00:00Z" is not a date/);
  });

  it("agrees with an independent calendar on generated date-times (property)", () => {
    const two = (n: number) => String(n).padStart(2, "0");
    const field = (max: number) => fc.integer({ min: 0, max });
    fc.assert(
      fc.property(
        fc.record({
          year: fc.integer({ min: 0, max: 9999 }),
          month: field(13),
          day: field(32),
          hour: field(25),
          minute: field(61),
          second: field(61),
          zone: fc.oneof(
            fc.constant("Z"),
            fc
              .tuple(fc.constantFrom("+", "-"), field(25), field(61))
              .map(([sign, h, m]) => `${sign}${two(h)}:${two(m)}`),
          ),
          dateOnly: fc.boolean(),
        }),
        ({ year, month, day, hour, minute, second, zone, dateOnly }) => {
          const date = `${String(year).padStart(4, "0")}-${two(month)}-${two(day)}`;
          const text = dateOnly
            ? date
            : `${date}T${two(hour)}:${two(minute)}:${two(second)}${zone}`;
          const probe = new Date(0);
          probe.setUTCFullYear(year, month - 1, day);
          const realDay =
            probe.getUTCFullYear() === year &&
            probe.getUTCMonth() === month - 1 &&
            probe.getUTCDate() === day;
          const [, zh = 0, zm = 0] = /^[+-](\d\d):(\d\d)$/.exec(zone)?.map(Number) ?? [];
          const realTime = hour <= 23 && minute <= 59 && second <= 59 && zh <= 23 && zm <= 59;
          expect(isValidExpiry(text), text).toBe(realDay && (dateOnly || realTime));
        },
      ),
      { seed: 20261207, numRuns: 5000 },
    );
  });
});
