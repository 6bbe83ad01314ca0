/**
 * Hostile strings survive every target exactly. Each generated string — quotes, backslashes,
 * line breaks, `{{`, `}}`, `$(`, YAML indicators, control and non-ASCII characters — becomes a
 * policy's title, description, parameter value, regex (the string, RE2-quoted) and message
 * text. Then, for every target: the emitted files parse (Rego by `opa check`, YAML by the yaml
 * library) and the metadata read back equals the input; and every engine, running the emitted
 * code on a resource carrying the same string, fails the rule with exactly the IR's message —
 * so the string survived into Rego, CEL and YAML and back.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { emitGatekeeper, emitKyverno, emitRego, emitVap } from "@charter/compiler";
import { kinds, list, policy, string, when } from "@charter/dsl";
import type { Policy } from "@charter/ir";
import {
  createCelJudgeEngine,
  createGatekeeperEngine,
  createInProcessCelEngine,
  createIrEngine,
  createOpaEngine,
  type Engine,
  type Finding,
  findCelJudge,
  findOpa,
} from "@charter/runtime";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { requireEngine } from "./support/engines.js";

const pieces = [
  '"',
  "'",
  "\\",
  "\\n",
  "\n",
  "\r\n",
  "\t",
  "{{",
  "}}",
  "{{c.name}}",
  "$(",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a hostile string on purpose
  "${x}",
  "- ",
  ": ",
  "# ",
  "&a",
  "*a",
  "!tag",
  "%",
  "|",
  ">",
  "`",
  "\u0000",
  "\u0007",
  "\u2028",
  "\ufeff",
  "é",
  "𝒳",
  "😀",
  "null",
  "true",
  "0x1",
  "---",
  "...",
];
const hostile = fc
  .array(fc.oneof(fc.constantFrom(...pieces), fc.string({ unit: "grapheme", maxLength: 3 })), {
    minLength: 1,
    maxLength: 6,
  })
  .map((parts) => `x${parts.join("")}`);

const quoteRe2 = (text: string) => text.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&");

/** One policy around one hostile string `s`. */
function hostilePolicy(index: number, s: string): Policy {
  return policy(`hostile-${index}`, {
    title: s,
    description: s,
    severity: "low",
    category: s,
    controls: [],
    match: kinds("v1/ConfigMap"),
    params: { value: string().default(s), values: list(string()).default([s, s]) },
    rules: {
      same: {
        fail: when`object.data.v == params.value and params.value in params.values and object.data.v matches ${`^${quoteRe2(s)}$`}`,
        message: `${s.replaceAll("{{", "{ {").replaceAll("}}", "} }")} -> {{object.data.v}}`,
      },
    },
    cases: { pass: [], fail: [] },
  });
}

describe("hostile strings", () => {
  const samples = fc.sample(hostile, { seed: 424242, numRuns: 40 });
  const policies = samples.map((s, i) => hostilePolicy(i, s));

  it("read back exactly from every YAML target", () => {
    const read = (files: ReadonlyMap<string, string>) =>
      [...files.values()].flatMap((text) =>
        parseAllDocuments(text).map((doc) => {
          expect(doc.errors).toEqual([]);
          return doc.toJS() as {
            kind: string;
            metadata: { annotations?: Record<string, string> };
            spec: Record<string, unknown>;
          };
        }),
      );
    const titles = (docs: ReturnType<typeof read>) =>
      docs
        .map(
          (d) =>
            d.metadata.annotations?.["policies.kyverno.io/title"] ??
            d.metadata.annotations?.["charter.dev/title"],
        )
        .filter((t) => t !== undefined);
    for (const files of [
      emitKyverno(policies),
      emitKyverno(policies, { api: "clusterpolicy" }),
      emitVap(policies),
    ]) {
      expect(titles(read(files)).sort()).toEqual([...samples].sort());
    }
    const constraints = read(emitGatekeeper(policies)).filter(
      (d) => d.kind !== "ConstraintTemplate",
    );
    expect(constraints.map((c) => (c.spec.parameters as { value: string }).value).sort()).toEqual(
      [...samples].sort(),
    );
  });

  it("the emitted Rego parses (opa check)", () => {
    const opa = requireEngine("opa", findOpa());
    if (!opa) return;
    const folder = mkdtempSync(join(tmpdir(), "charter-hostile-"));
    for (const [path, text] of emitRego(policies)) {
      mkdirSync(dirname(join(folder, path)), { recursive: true });
      writeFileSync(join(folder, path), text);
    }
    execFileSync(opa, ["check", "--strict", folder], { stdio: "pipe" });
  });

  it("every engine fails every rule with the IR's message", async () => {
    const opa = requireEngine("opa", findOpa());
    const judge = requireEngine("cel-judge", findCelJudge());
    const engines: Engine[] = [
      createInProcessCelEngine(policies, { name: "vap-cel" }),
      ...(opa
        ? [
            createOpaEngine(policies, { opaPath: opa }),
            createGatekeeperEngine(policies, { opaPath: opa }),
          ]
        : []),
      ...(judge ? [createCelJudgeEngine(policies, { judgePath: judge })] : []),
    ];
    const resources = samples.map((s, i) => ({
      object: {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: `cm-${i}` },
        data: { v: s },
      },
    }));
    const own = (findings: readonly Finding[]) =>
      findings
        .filter((f) => f.policy === `hostile-${f.resourceIndex}`)
        .map((f) => ({ policy: f.policy, result: f.result, message: f.message }));
    const expected = own(await createIrEngine(policies).evaluate(resources));
    expect(expected).toHaveLength(samples.length);
    expect(expected.every((row) => row.result === "fail")).toBe(true);
    for (const engine of engines) {
      expect(own(await engine.evaluate(resources)), engine.name).toEqual(expected);
    }
  }, 120_000);
});
