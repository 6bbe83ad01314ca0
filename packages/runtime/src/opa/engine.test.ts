/**
 * The emitted Rego as OPA sees it: formatting, checks, escaping round trips, messages in
 * witness order, pod controllers, namespaces, and the `violations` aggregate.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { emitRego, regoString } from "@charter/compiler";
import type { Json } from "@charter/ir";
import {
  cmp,
  containers,
  hole,
  isIn,
  kindsMatch,
  lit,
  not,
  obj,
  params,
  podMatch,
  policy,
  q,
  rule,
  str,
  text,
  v,
} from "@charter/test-support/build-ir";
import { opaForTests } from "@charter/test-support/opa-for-tests";
import { afterAll, describe, expect, it } from "vitest";
import type { Resource } from "../types.js";
import { createOpaEngine } from "./engine.js";

const HOSTILE =
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a hostile string on purpose
  '"}\n\\{{x}} ${1}\u0000\u0001\u007f\t\r\u2028\u2029\ufeff😀é \ud800 `%s` \\u0041 # ]';

/** What a message makes of HOSTILE: OPA's U+FFFD for the lone surrogate, the line break a space. */
const ONE_LINE_HOSTILE = HOSTILE.replace("\ud800", "\ufffd").replaceAll("\n", " ");

const privileged = policy(
  "no-privileged",
  [
    rule(
      "privileged",
      q("any", "c", containers(), cmp(v("c", "securityContext", "privileged"), "==", lit(true))),
      [
        text(`container ${HOSTILE} `),
        hole(v("c", "name")),
        text(" n="),
        hole(v("c", "n")),
        text(" m="),
        hole(v("c", "missing")),
      ],
    ),
    rule(
      "registry",
      q(
        "any",
        "c",
        containers(),
        not(q("any", "r", params("allowed"), str(v("c", "image"), "glob", v("r")))),
      ),
      [hole(v("c", "image"))],
    ),
  ],
  {
    match: podMatch(true, { exclude: ["kube-system"] }),
    params: { allowed: ["registry.example.com/*"] },
  },
);
const labels = policy(
  "if",
  [
    rule("team", not(isIn(lit("team"), obj("metadata", "labels"))), [
      text("no team label on "),
      hole(obj("metadata", "name")),
    ]),
  ],
  { match: kindsMatch([{ group: "", kind: "Service" }]) },
);
const policies = [privileged, labels];

const spec: Json = {
  containers: [
    {
      name: "b",
      image: "docker.io/x",
      n: { z: 1, a: [true, null] },
      securityContext: { privileged: true },
    },
    { name: "a", image: "registry.example.com/ok", securityContext: { privileged: true } },
  ],
  initContainers: [
    { name: "init", image: "registry.example.com/i", n: 7, securityContext: { privileged: true } },
  ],
};
const resources: Resource[] = [
  {
    object: { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "default" }, spec },
  },
  {
    object: {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "sys", namespace: "kube-system" },
      spec,
    },
  },
  {
    object: {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "cj" },
      spec: {
        jobTemplate: {
          spec: {
            template: { spec: { containers: [{ name: "j", image: "registry.example.com/j" }] } },
          },
        },
      },
    },
  },
  {
    object: {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "no-template" },
      spec: {},
    },
  },
  {
    object: { apiVersion: "v1", kind: "Service", metadata: { name: "svc", labels: { app: "x" } } },
  },
  { object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm" } } },
];

const opa = opaForTests();
const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function writeTree(files: ReadonlyMap<string, string>): string {
  const folder = mkdtempSync(join(tmpdir(), "charter-rego-test-"));
  folders.push(folder);
  for (const [path, contents] of files) {
    mkdirSync(dirname(join(folder, path)), { recursive: true });
    writeFileSync(join(folder, path), contents);
  }
  return folder;
}

function opaEval(folder: string, query: string, input?: unknown): unknown {
  const args = ["eval", "--format=json", "--data", folder, query];
  if (input !== undefined) {
    writeFileSync(join(folder, "input.json"), JSON.stringify(input));
    args.push("--input", join(folder, "input.json"));
  }
  const out = JSON.parse(execFileSync(opa as string, args, { encoding: "utf8" }));
  return out.result?.[0]?.expressions?.[0]?.value;
}

describe.skipIf(!opa)("emitted Rego on real OPA", () => {
  it("passes opa check --strict and is unchanged by opa fmt", () => {
    const folder = writeTree(emitRego(policies));
    execFileSync(opa as string, ["check", "--strict", folder], { encoding: "utf8" });
    expect(execFileSync(opa as string, ["fmt", "-l", folder], { encoding: "utf8" })).toBe("");
    expect(execFileSync(opa as string, ["fmt", "--diff", folder], { encoding: "utf8" })).toBe("");
  });

  it("regoString round-trips hostile strings through opa eval", () => {
    const samples = [HOSTILE, "", "{{", "\\", '"', "\u0000", "😀😀", "\uffff\u{10ffff}", "ä\u0301"];
    const module = `package strings\n\nvalues := [${samples.map(regoString).join(", ")}]\n`;
    const folder = writeTree(new Map([["strings.rego", module]]));
    const expected = samples.map((s) =>
      s.replace(
        /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
        "\ufffd",
      ),
    );
    expect(opaEval(folder, "data.strings.values")).toEqual(expected);
  });

  it("judges pods and controllers, skips a controller without a template, orders messages by witness", async () => {
    const findings = await createOpaEngine(policies, { opaPath: opa as string }).evaluate(
      resources,
    );
    const rows = findings.map((f) => [f.resourceIndex, f.policy, f.rule, f.result, f.messages]);
    expect(rows).toEqual([
      [
        0,
        "no-privileged",
        "privileged",
        "fail",
        [
          `container ${ONE_LINE_HOSTILE} b n={...} m=`,
          `container ${ONE_LINE_HOSTILE} a n= m=`,
          `container ${ONE_LINE_HOSTILE} init n=7 m=`,
        ],
      ],
      [0, "no-privileged", "registry", "fail", ["docker.io/x"]],
      [2, "no-privileged", "privileged", "pass", []],
      [2, "no-privileged", "registry", "pass", []],
      [
        3,
        "no-privileged",
        "privileged",
        "skip",
        ['Deployment "no-template" has no pod template at spec.template; nothing to judge'],
      ],
      [
        3,
        "no-privileged",
        "registry",
        "skip",
        ['Deployment "no-template" has no pod template at spec.template; nothing to judge'],
      ],
      [4, "if", "team", "fail", ["no team label on svc"]],
    ]);
    expect(findings[0]?.resource).toEqual({
      apiVersion: "v1",
      kind: "Pod",
      namespace: "default",
      name: "p",
    });
    expect(findings[0]?.message).toBe(findings[0]?.messages[0]);
  });

  it("gathers every policy's violations in data.charter.violations", () => {
    const folder = writeTree(emitRego(policies));
    const violations = opaEval(folder, "data.charter.violations", resources[4]?.object);
    expect(violations).toEqual([
      {
        policy: "if",
        rule: "team",
        message: "no team label on svc",
        severity: "high",
        enforcement: "deny",
      },
    ]);
    expect(opaEval(folder, "data.charter.violations", resources[1]?.object)).toEqual([]);
  });

  it("reports a failing opa with its stderr", async () => {
    const engine = createOpaEngine(policies, { opaPath: "/bin/false" });
    await expect(engine.evaluate(resources)).rejects.toThrow(/opa eval exited with 1/);
  });

  it("evaluates an empty batch without running opa", async () => {
    expect(await createOpaEngine(policies, { opaPath: "/nonexistent" }).evaluate([])).toEqual([]);
  });
});
