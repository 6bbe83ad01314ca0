/**
 * Attack: text in a policy rewrites the emitted YAML. YAML 1.1 — what Kubernetes reads, through
 * sigs.k8s.io/yaml — breaks lines at U+0085, U+2028 and U+2029, which the `yaml` library (YAML
 * 1.2-minded) wrote raw. A description `d1\nd2\u2028  name: renamed\u2028  annotations:…` then
 * gave the ValidatingAdmissionPolicy another `metadata.name` than its binding's `policyName`
 * (the policy silently not enforced), and renamed the Kyverno policies and the
 * ConstraintTemplate too. Each file is decoded by Kubernetes' own reader (tools/kubernetes/k8s-decode);
 * a check that needs no decoder guards the same hole (no raw YAML 1.1 line break in any file).
 */
import { emitGatekeeper, emitKyverno, emitVap, toYaml } from "@charter/compiler";
import { kinds, policy, string, when } from "@charter/dsl";
import { HOSTILE, input, row } from "@charter/test-support/report-rows";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  toPolicyReportYaml,
  WG_POLICY_REPORT,
} from "../../packages/cli/src/report/policy-report.js";
import { requireEngine } from "../support/engines.js";
import { findK8sDecoder, type K8sDecoder, startK8sDecoder } from "../support/k8s-decoder.js";

const RENAMING =
  "d1\nd2\u2028  name: renamed\u2028  annotations:\u2028    x: y\u2029\u0085  name: renamed";

const victim = policy("victim", {
  title: RENAMING,
  description: RENAMING,
  severity: "high",
  category: RENAMING,
  controls: [],
  match: kinds("v1/ConfigMap"),
  params: { value: string().default(RENAMING) },
  rules: {
    same: {
      fail: when`object.data.v == params.value`,
      message: `${RENAMING} -> {{object.data.v}}`,
    },
  },
  cases: { pass: [], fail: [] },
});

const targets = {
  vap: emitVap([victim]),
  validatingpolicy: emitKyverno([victim]),
  clusterpolicy: emitKyverno([victim], { api: "clusterpolicy" }),
  gatekeeper: emitGatekeeper([victim]),
};

interface Doc {
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  spec: { policyName?: string; parameters?: { value?: string } };
}

describe("emitted YAML cannot be rewritten by text", () => {
  let decoder: K8sDecoder | undefined;
  beforeAll(async () => {
    decoder = requireEngine("k8s-decode", findK8sDecoder()) ? await startK8sDecoder() : undefined;
  });
  afterAll(async () => {
    await decoder?.close();
  });

  async function decode(text: string): Promise<Doc[]> {
    const result = await decoder?.decode(text, { flatten: false });
    if (!result || "error" in result) throw new Error(`k8s-decode refused: ${result?.error}`);
    return result.objects as Doc[];
  }

  it("writes no raw YAML 1.1 line break (U+0085, U+2028, U+2029) in any file", () => {
    for (const [target, files] of Object.entries(targets)) {
      for (const [path, text] of files) {
        expect(/[\u0085\u2028\u2029]/.test(text), `${target}/${path}`).toBe(false);
      }
    }
  });

  it("the VAP keeps its name, its binding names it, and the text stays text", async () => {
    if (!decoder) return;
    const [vap, binding] = await decode([...targets.vap.values()].join("---\n"));
    expect(vap?.metadata.name).toBe("victim");
    expect(binding?.spec.policyName).toBe("victim");
    expect(vap?.metadata.annotations?.["charter.dev/title"]).toBe(RENAMING);
    expect(vap?.metadata.annotations?.["charter.dev/description"]).toBe(RENAMING);
  });

  it("the Kyverno policies and the ConstraintTemplate keep their names", async () => {
    if (!decoder) return;
    for (const target of ["validatingpolicy", "clusterpolicy"] as const) {
      const [kyverno] = await decode([...targets[target].values()].join("---\n"));
      expect(kyverno?.metadata.name, target).toBe("victim");
      expect(kyverno?.metadata.annotations?.["policies.kyverno.io/description"], target).toBe(
        RENAMING,
      );
    }
    const gatekeeper = await decode([...targets.gatekeeper.values()].join("---\n"));
    const template = gatekeeper.find((d) => d.kind === "ConstraintTemplate");
    const constraint = gatekeeper.find((d) => d.kind !== "ConstraintTemplate");
    // Gatekeeper requires the template's name to be its constraint kind, lower-cased.
    const kind = (template?.spec as { crd?: { spec?: { names?: { kind?: string } } } })?.crd?.spec
      ?.names?.kind;
    expect(template?.metadata.name).toBe("chartervictim");
    expect(kind?.toLowerCase()).toBe("chartervictim");
    expect(constraint?.kind).toBe(kind);
    expect(constraint?.metadata.name).toBe("victim");
    expect(constraint?.spec.parameters?.value).toBe(RENAMING);
  });

  it("keys and values go-yaml would resolve (merge key, booleans, 0o17, 1e_3) stay strings", async () => {
    if (!decoder) return;
    const tricky = ["<<", "y", "on", "~", "0o17", "1e_3", "0_x1f", "+.inf", ".5", "2001-1-2"];
    const document = {
      keys: Object.fromEntries(tricky.map((key, i) => [key, i])),
      values: tricky,
    };
    expect(await decode(toYaml([document]))).toEqual([document]);
  });

  it("any string, as a key or a value, reads back as itself (property, go-yaml's resolver)", async () => {
    if (!decoder) return;
    // Scalars built from what go-yaml's resolve() and YAML 1.1's syntax look at: signs,
    // digits, base prefixes, `_`, `.`, `e`, `:`, `-`, the resolver's words, indicators, spaces,
    // line breaks of every kind and control characters.
    const alphabet = [
      ..."0123456789+-._:eExXoObBpP ~<=#&*!|>'\"%@`?,[]{}\\/tT",
      ..."\t\n\r\u0085\u2028\u2029\u0000\u001b\u007f\u009b\ufeff\ud800\u202e\u00a0",
      "inf",
      "nan",
      "y",
      "yes",
      "on",
      "null",
      "---",
      "...",
      "<<",
      "𝒳",
    ];
    const scalar = fc
      .array(fc.constantFrom(...alphabet), { minLength: 0, maxLength: 6 })
      .map((parts) => parts.join(""));
    const samples = fc.sample(scalar, { seed: 11, numRuns: 3000 });
    for (let start = 0; start < samples.length; start += 500) {
      const batch = samples.slice(start, start + 500);
      const document = {
        values: batch,
        keys: Object.fromEntries(batch.map((key, i) => [key, i])),
      };
      const meant = JSON.parse(JSON.stringify(document).replace(/\\ud800/g, "\\ufffd"));
      expect(await decode(toYaml([document]))).toEqual([meant]);
      // Each string also as the first key of its own document (a stream of 500).
      const documents = batch.map((key) => ({ [key]: 1 }));
      const each = JSON.parse(JSON.stringify(documents).replace(/\\ud800/g, "\\ufffd"));
      expect(await decode(toYaml(documents))).toEqual(each);
    }
  });

  it("charter check's PolicyReport YAML reads back as written, hostile messages included", async () => {
    if (!decoder) return;
    const report = input([row({ message: `${RENAMING}${HOSTILE}` }), row({ message: "0o17" })]);
    const decoded = await decode(toPolicyReportYaml(report, WG_POLICY_REPORT));
    const messages = decoded.flatMap(
      (d) => (d as unknown as { results: { message: string }[] }).results,
    );
    expect(messages.map((r) => r.message)).toEqual([
      `${RENAMING}${HOSTILE}`.replace(/\p{Cs}/gu, "\uFFFD"),
      "0o17",
    ]);
  });
});
