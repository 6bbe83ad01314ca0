/**
 * Attack: Kyverno's `$( … )` references in a ClusterPolicy. Kyverno substitutes `{{ … }}`
 * variables and `$( … )` references anywhere in a rule, CEL text included
 * (pkg/engine/variables/regex/vars.go). `{{` was escaped; `$(` was not, so a message or a
 * parameter holding `$(x)` made `kyverno apply` refuse the policy ("policy contains invalid
 * variables"), and a reference that resolved would have rewritten the CEL. The ClusterPolicy
 * emitter now writes `$` as the CEL escape `\x24` there (escape.ts); the real Kyverno CLI must
 * judge the policy and print the literal message.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { emitKyverno, toYaml } from "@charter/compiler";
import { kinds, policy, string, when } from "@charter/dsl";
import { createIrEngine } from "@charter/runtime";
import { reportResults, requireKyverno, runKyverno } from "@charter/test-support/kyverno-binary";
import { describe, expect, it } from "vitest";

const TEXT = "see $(x) and $(./../metadata/name) and {{x}} and {{ request.object.metadata.name }}";

const referencing = policy("kyverno-references", {
  title: `title ${TEXT}`,
  description: TEXT,
  severity: "medium",
  category: "Attacks",
  controls: [],
  match: kinds("v1/ConfigMap"),
  params: { value: string().default(`bad $(metadata.name) {{x}}`) },
  rules: {
    literal: {
      fail: when`object.data.v == params.value`,
      message: `${TEXT.replaceAll("{{", "{ {")} -> {{object.data.v}}`,
    },
  },
  cases: { pass: [], fail: [] },
});

const configMap = {
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "target", namespace: "default" },
  data: { v: "bad $(metadata.name) {{x}}" },
};

const emitted = emitKyverno([referencing], { api: "clusterpolicy" });
const policyYaml = emitted.get("kyverno-references.yaml") ?? "";

describe("Kyverno references $( … ) in a ClusterPolicy", () => {
  it("no rule text holds $( or {{, and the static message is left out", () => {
    expect(policyYaml).not.toBe("");
    expect(policyYaml).toContain("\\x24(");
    const rules = policyYaml.slice(policyYaml.indexOf("\nspec:"));
    expect(rules).not.toContain("$(");
    expect(rules).not.toContain("{{");
    expect(rules).not.toMatch(/^\s+message:/m);
  });

  const kyverno = requireKyverno("the Kyverno $( attack test");

  it.skipIf(!kyverno)("kyverno apply judges it and prints the literal message", async () => {
    const [expected] = (
      await createIrEngine([referencing]).evaluate([{ object: configMap }])
    ).filter((f) => f.policy === referencing.name);
    expect(expected?.result).toBe("fail");
    const dir = mkdtempSync(join(tmpdir(), "charter-kyverno-refs-"));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "policy.yaml"), policyYaml);
    writeFileSync(join(dir, "resource.yaml"), toYaml([configMap]));
    // biome-ignore lint/style/noNonNullAssertion: skipped without the binary
    const { stdout } = await runKyverno(kyverno!, [
      "apply",
      join(dir, "policy.yaml"),
      "--resource",
      join(dir, "resource.yaml"),
      "--policy-report",
      "--output-format",
      "json",
      "--remove-color",
    ]);
    expect(stdout).not.toMatch(/invalid variables|failed to load/i);
    const results = reportResults(stdout).filter((r) => r.policy === referencing.name);
    expect(
      results.map((r) => r.result),
      stdout,
    ).toEqual(["fail"]);
    expect(results[0]?.message).toBe(expected?.message);
    expect(results[0]?.message).toContain("see $(x) and $(./../metadata/name)");
  });
});
