/** The answer's parts within the API server's limits: warnings, denial messages, annotation keys. */
import type { Finding } from "@charter/runtime";
import { describe, expect, it } from "vitest";
import {
  annotationKey,
  auditAnnotationsOf,
  denialMessage,
  MAX_ANNOTATION_VALUE_BYTES,
  MAX_DENIAL_MESSAGE_BYTES,
  MAX_WARNING_RUNES,
  MAX_WARNINGS_TOTAL_RUNES,
  warningsOf,
} from "./review-response.js";

function failing(policy: string, rule: string, message: string, enforcement = "deny"): Finding {
  return {
    policy,
    rule,
    result: "fail",
    message,
    messages: [message],
    severity: "high",
    enforcement: enforcement as Finding["enforcement"],
    resource: { apiVersion: "v1", kind: "Pod", namespace: "team-a", name: "web" },
    resourceIndex: 0,
  };
}

const runes = (text: string) => [...text].length;
// k8s.io/apimachinery validation.IsQualifiedName, name part (the prefix is the webhook's name).
const QUALIFIED_NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
// Go's unicode.IsControl, which makes NewWarningHeader drop a warning.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

describe("warningsOf", () => {
  it("keeps each warning to 256 runes and all to 4096, saying how many were left out", () => {
    const rows = Array.from({ length: 100 }, (_, i) =>
      failing(`policy-${i}`, "rule", `${"𝔘".repeat(300)}\u0007\n`, "warn"),
    );
    const warnings = warningsOf(rows);
    expect(warnings.length).toBeGreaterThan(1);
    expect(warnings.length).toBeLessThan(rows.length);
    for (const warning of warnings) {
      expect(runes(warning)).toBeLessThanOrEqual(MAX_WARNING_RUNES);
      expect(warning).not.toMatch(CONTROL);
    }
    expect(warnings.reduce((sum, w) => sum + runes(w), 0)).toBeLessThanOrEqual(
      MAX_WARNINGS_TOTAL_RUNES,
    );
    const shown = warnings.length - 1;
    expect(warnings.at(-1)).toBe(
      `${rows.length - shown} more warnings left out (see the webhook's decision log)`,
    );
    expect(warnings[0]).toMatch(/^\[policy-0\/rule\] 𝔘+…$/u);
  });

  it("gives every warning when they fit, and replaces lone surrogates", () => {
    const warnings = warningsOf([
      failing("a", "r", "one", "warn"),
      failing("b", "r", "two \ud800", "warn"),
    ]);
    expect(warnings).toEqual(["[a/r] one", "[b/r] two \ufffd"]);
  });
});

describe("denialMessage", () => {
  it("names the object and each failing rule, and stays under 8 KiB however many fail", () => {
    const few = denialMessage([failing("p", "r", "bad"), failing("q", "s", "worse")]);
    expect(few).toBe(
      'Pod "web" in namespace team-a violates 2 policies enforced with deny: [p/r] bad; [q/s] worse',
    );
    const many = denialMessage(
      Array.from({ length: 300 }, (_, i) => failing(`policy-${i}`, "rule", "x".repeat(5000))),
    );
    expect(Buffer.byteLength(many)).toBeLessThanOrEqual(MAX_DENIAL_MESSAGE_BYTES);
    expect(many).toMatch(/; and \d+ more \(see the webhook's decision log\)$/);
    expect(many).toMatch(
      /^Pod "web" in namespace team-a violates 300 policies enforced with deny: /,
    );
  });
});

describe("audit annotations", () => {
  it("keys are valid qualified-name parts, distinct for distinct policies; values are bounded", () => {
    const names = ["audit-service-type", "x".repeat(80), "x".repeat(81), "-weird name/ü-", "---"];
    const keys = names.map(annotationKey);
    expect(keys[0]).toBe("audit-service-type");
    for (const key of keys) {
      expect(key.length).toBeLessThanOrEqual(63);
      expect(key).toMatch(QUALIFIED_NAME_PART);
    }
    expect(new Set(keys).size).toBe(keys.length);
    const annotations = auditAnnotationsOf(
      Array.from({ length: 50 }, (_, i) => failing("p", `rule${i}`, "m".repeat(1000), "audit")),
    );
    expect(Object.keys(annotations)).toEqual(["p"]);
    expect(Buffer.byteLength(annotations.p as string)).toBeLessThanOrEqual(
      MAX_ANNOTATION_VALUE_BYTES,
    );
    expect(annotations.p).toMatch(/^rule0: m+; rule1: /);
  });
});
