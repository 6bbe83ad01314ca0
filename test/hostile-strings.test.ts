/**
 * Hostile strings survive every target exactly. Each generated string — quotes, backslashes,
 * line breaks, `{{`, `}}`, `$(`, YAML indicators, control and non-ASCII characters — becomes a
 * policy's title, description, parameter value, regex (the string, RE2-quoted) and message
 * text. Then, for every target: the emitted Rego parses (`opa check`); every emitted YAML file,
 * decoded by Kubernetes' own reader (tools/kubernetes/k8s-decode: sigs.k8s.io/yaml, as kubectl and the API
 * server read it — not the library that wrote it, which shares its blind spots), equals the
 * object the emitter meant, string for string; and every engine, running the emitted code on a
 * resource carrying the same string, fails the rule with exactly the IR's message — so the
 * string survived into Rego, CEL and YAML and back.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { emitGatekeeper, emitKyverno, emitRego, emitVap } from "@charter/compiler";
import { exception, kinds, list, policy, string, when } from "@charter/dsl";
import type { Policy, PolicyException } from "@charter/ir";
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
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { requireEngine } from "./support/engines.js";
import { findK8sDecoder, type K8sDecoder, startK8sDecoder } from "./support/k8s-decoder.js";

/** Every YAML text the compiler writes, with the documents it was asked to write. */
const written = vi.hoisted(() => new Map<string, readonly unknown[]>());
vi.mock("../packages/compiler/src/yaml.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../packages/compiler/src/yaml.js")>();
  return {
    ...original,
    toYaml(documents: readonly unknown[]) {
      const text = original.toYaml(documents);
      written.set(text, documents);
      return text;
    },
  };
});

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

/**
 * For the YAML targets, more: what YAML 1.1 (Kubernetes' reader) treats specially and a YAML
 * 1.2-minded writer may leave raw or plain — U+0085, U+2028, U+2029 (line breaks there), C1
 * controls, DEL, U+FFFE, lone surrogates, bidi overrides, and scalars go-yaml resolves to
 * numbers, booleans, null or a merge key — also on their own, without the `x` in front.
 */
const yamlPieces = [
  ...pieces,
  "\u2029",
  "\u0085",
  "\u009b",
  "\u007f",
  "\u001b[31m",
  "\r",
  "\u000b",
  "\u000c",
  "\ud800",
  "\udc00",
  "\u202e",
  "\ufffe",
  "\u00a0",
  " ",
  "\n  name: renamed\n",
  "\u2028  name: renamed\u2028",
];
const yamlScalars = [
  "y",
  "N",
  "on",
  "OFF",
  "~",
  "<<",
  "0o17",
  "0O17",
  "0x1F",
  "-0b101",
  "0b+1",
  "1e_3",
  "1_000",
  "0_x1f",
  ".5",
  "+.inf",
  "-.Inf",
  ".NaN",
  "2001-12-14",
  "2001-1-2 3:4:5",
  "1:20",
  "017",
  "+1",
  "-",
  "=",
  "",
];
const yamlHostile = fc.oneof(
  hostile,
  fc.constantFrom(...yamlScalars),
  fc
    .array(fc.oneof(fc.constantFrom(...yamlPieces, ...yamlScalars), fc.string({ maxLength: 2 })), {
      minLength: 1,
      maxLength: 6,
    })
    .map((parts) => parts.join("")),
);

/** Policy names, rule names and parameter keys YAML 1.1 would read as something else. */
const YAML_WORD_NAMES = ["y", "n", "yes", "no", "on", "off", "true", "false", "null"];

/** A policy whose every free-text field, parameter and message is `s`, with an exception. */
function yamlHostilePolicy(
  index: number,
  s: string,
): { policy: Policy; exception: PolicyException } {
  const name = YAML_WORD_NAMES[index] ?? `yaml-hostile-${index}`;
  const text = s.trim() === "" ? `x${s}` : s;
  const built = policy(name, {
    title: text,
    description: `${s}\n${s}`,
    severity: "low",
    category: text,
    controls: [],
    match: kinds("v1/ConfigMap"),
    params: {
      value: string().default(s),
      values: list(string()).default([s, s]),
      [YAML_WORD_NAMES[index % YAML_WORD_NAMES.length] ?? "y"]: string().default(s),
    },
    rules: {
      [index % 2 === 0 ? "on" : "Y"]: {
        fail: when`object.data.v == params.value and params.value in params.values`,
        message: `${s.replaceAll("{{", "{ {").replaceAll("}}", "} }")} -> {{object.data.v}}`,
      },
    },
    cases: { pass: [], fail: [] },
  });
  const nonEmpty = s === "" ? "x" : s;
  const excuse = exception(`${name}-exception`, {
    policy: name,
    match: index % 2 === 0 ? { namespaces: [nonEmpty] } : { names: [nonEmpty] },
    reason: text,
    owner: text,
    expires: "2099-12-31",
  });
  return { policy: built, exception: excuse };
}

/** What a UTF-8 reader makes of a JavaScript value: every lone surrogate becomes U+FFFD. */
function asUtf8(value: unknown): unknown {
  if (typeof value === "string") return value.replace(/\p{Cs}/gu, "\uFFFD");
  if (Array.isArray(value)) return value.map(asUtf8);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [asUtf8(k), asUtf8(v)]));
  }
  return value;
}

describe("hostile strings in YAML, as Kubernetes reads them", () => {
  const samples = fc.sample(yamlHostile, { seed: 20261207, numRuns: 60 });
  const built = samples.map((s, i) => yamlHostilePolicy(i, s));
  const policies = built.map((b) => b.policy);
  const exceptions = built.map((b) => b.exception);
  let decoder: K8sDecoder | undefined;

  beforeAll(async () => {
    decoder = requireEngine("k8s-decode", findK8sDecoder()) ? await startK8sDecoder() : undefined;
  });
  afterAll(async () => {
    await decoder?.close();
  });

  /** Every file of every YAML target, each decoded as the API server would. */
  async function decodedTargets(k8s: K8sDecoder) {
    written.clear();
    const targets = {
      vap: emitVap(policies, { exceptions }),
      validatingpolicy: emitKyverno(policies, { exceptions }),
      clusterpolicy: emitKyverno(policies, { api: "clusterpolicy", exceptions }),
      gatekeeper: emitGatekeeper(policies, { exceptions }),
      "gatekeeper-cel": emitGatekeeper(policies, { engine: "cel" }),
    };
    const files = [];
    for (const [target, emitted] of Object.entries(targets)) {
      for (const [path, text] of emitted) {
        const meant = written.get(text);
        expect(meant, `${target}/${path} was written by toYaml`).toBeDefined();
        const decoded = await k8s.decode(text, { flatten: false });
        files.push({
          target,
          path,
          text,
          meant: asUtf8(JSON.parse(JSON.stringify(meant))),
          decoded,
        });
      }
    }
    return files;
  }

  it("every emitted file decodes to exactly the object the emitter meant", async () => {
    const k8s = decoder;
    if (!k8s) return;
    const files = await decodedTargets(k8s);
    expect(files.length).toBeGreaterThan(5 * policies.length);
    for (const { target, path, decoded, meant } of files) {
      expect(decoded, `${target}/${path}`).toEqual({ objects: meant });
    }
  }, 120_000);

  it("names, policy references and every hostile field are the policy's own", async () => {
    const k8s = decoder;
    if (!k8s) return;
    type Doc = {
      kind: string;
      metadata: { name: string; annotations?: Record<string, string> };
      spec: Record<string, unknown> & {
        policyName?: string;
        exceptions?: { policyName: string }[];
        parameters?: Record<string, unknown>;
      };
    };
    const files = await decodedTargets(k8s);
    const docs = (target: string) =>
      files
        .filter((f) => f.target === target)
        .flatMap((f) => ("objects" in f.decoded ? (f.decoded.objects as Doc[]) : []));
    const names = policies.map((p) => p.name).sort();
    const titles = policies.map((p) => asUtf8(p.title)).sort();
    const vap = docs("vap");
    const vaps = vap.filter((d) => d.kind === "ValidatingAdmissionPolicy");
    expect(vaps.map((d) => d.metadata.name).sort()).toEqual(names);
    expect(vaps.map((d) => d.metadata.annotations?.["charter.dev/title"]).sort()).toEqual(titles);
    const bindings = vap.filter((d) => d.kind === "ValidatingAdmissionPolicyBinding");
    expect(bindings.map((d) => d.spec.policyName).sort()).toEqual(names);
    for (const api of ["validatingpolicy", "clusterpolicy"]) {
      const kyverno = docs(api);
      const main = kyverno.filter((d) => d.kind !== "PolicyException");
      expect(main.map((d) => d.metadata.name).sort(), api).toEqual(names);
      expect(
        main.map((d) => d.metadata.annotations?.["policies.kyverno.io/title"]).sort(),
        api,
      ).toEqual(titles);
      expect(
        main.map((d) => d.metadata.annotations?.["policies.kyverno.io/description"]).sort(),
        api,
      ).toEqual(policies.map((p) => asUtf8(p.description)).sort());
    }
    const clusterExceptions = docs("clusterpolicy").filter((d) => d.kind === "PolicyException");
    for (const e of clusterExceptions) {
      expect(names).toContain(e.spec.exceptions?.[0]?.policyName);
    }
    const constraints = docs("gatekeeper").filter((d) => d.kind !== "ConstraintTemplate");
    expect(constraints.map((d) => d.spec.parameters?.value).sort()).toEqual(
      policies.map((p) => asUtf8(p.parameters.values.value)).sort(),
    );
  }, 120_000);
});

describe("hostile strings", () => {
  const samples = fc.sample(hostile, { seed: 424242, numRuns: 40 });
  const policies = samples.map((s, i) => hostilePolicy(i, s));

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
