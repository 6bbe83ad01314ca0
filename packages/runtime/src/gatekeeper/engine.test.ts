/**
 * The Gatekeeper templates on real OPA in Gatekeeper's input shape: the Rego passes `opa check
 * --strict` and `opa fmt`, and every case of every policy gets the IR engine's verdict and
 * messages. The Constraint's match is checked against the IR matcher on every object.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { emitGatekeeper } from "@charter/compiler";
import type { Json, JsonObject, Policy } from "@charter/ir";
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
import { parse } from "yaml";
import wholeLibrary from "../../../../policies/index.js";
import { InventoryIndex } from "../inventory/inventory-index.js";
import { inventoryKindsOf } from "../inventory/judged-with.js";
import { createIrEngine } from "../ir-engine/engine.js";
import type { Finding, Resource } from "../types.js";
import { createGatekeeperEngine } from "./engine.js";
import { constraintMatches, namespaceGlobMatches } from "./match.js";
import { admissionReview } from "./review.js";

// Image rules (packages/ir README, item 18) reach no Rego or CEL engine: every target but
// Kyverno's image policies refuses them (packages/compiler/src/kyverno/image-policies.test.ts).
const policies = wholeLibrary.filter((policy) => policy.images === undefined);

const HOSTILE =
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a hostile string on purpose
  '"}\n\\{{x}} ${1}\u0000\u007f\t\r\u2028\ufeff😀é `%s` \\u0041 # ]';

/** What a message makes of HOSTILE: an API server shows one line, so the line break is a space. */
const ONE_LINE_HOSTILE = HOSTILE.replaceAll("\n", " ");

const privileged = {
  ...policy(
    "no-privileged",
    [
      rule(
        "privileged",
        q("any", "c", containers(), cmp(v("c", "securityContext", "privileged"), "==", lit(true))),
        [text(`container ${HOSTILE} `), hole(v("c", "name")), text(" n="), hole(v("c", "n"))],
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
      params: { allowed: ["registry.example.com/*", HOSTILE] },
    },
  ),
  enforcement: "audit",
} satisfies Policy;
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

const spec: Json = {
  containers: [
    { name: "b", image: "docker.io/x", n: { z: 1 }, securityContext: { privileged: true } },
    { name: "a", image: "registry.example.com/ok", securityContext: { privileged: true } },
  ],
  initContainers: [{ name: "init", image: HOSTILE, n: 7, securityContext: { privileged: true } }],
};
const resources: Resource[] = [
  { object: { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "dev" }, spec } },
  {
    object: {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "s", namespace: "kube-system" },
      spec,
    },
  },
  {
    object: {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "cj" },
      spec: { jobTemplate: { spec: { template: { spec } } } },
    },
  },
  { object: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "no-tpl" }, spec: {} } },
  { object: { apiVersion: "v1", kind: "Service", metadata: { name: "svc", labels: { a: "b" } } } },
  { object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm" } } },
  { object: "not an object" },
];

const opa = opaForTests();
const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** The template Rego and its libs of every policy, as files in a fresh folder. */
function regoTree(set: readonly Policy[]): string {
  const folder = mkdtempSync(join(tmpdir(), "charter-gatekeeper-test-"));
  folders.push(folder);
  mkdirSync(join(folder, "lib"));
  for (const [path, text] of emitGatekeeper(set)) {
    if (!path.endsWith("template.yaml")) continue;
    const template = parse(text) as { spec: { targets: { code: { source: JsonObject }[] }[] } };
    const source = template.spec.targets[0]?.code[0]?.source as { rego: string; libs: string[] };
    writeFileSync(join(folder, path.replace("/template.yaml", ".rego")), source.rego);
    writeFileSync(join(folder, "lib", "charter.rego"), source.libs[0] as string);
  }
  return folder;
}

/** Findings keyed for comparison, without the engine-independent fields. */
function rows(findings: readonly Finding[]): unknown[] {
  return findings.map((f) => [f.resourceIndex, f.policy, f.rule, f.result, f.messages]);
}

describe("Gatekeeper's match, modelled", () => {
  it.each([
    ["kube-*", "kube-system", true],
    ["kube-*", "kube-", true],
    ["kube-*", "kube", false],
    ["*-system", "kube-system", true],
    ["*ube*", "kube-system", true],
    ["kube-*", "my-kube-system", false],
    ["prod", "prod", true],
    ["prod", "production", false],
  ])("%s against %s is %s", (pattern, namespace, expected) => {
    expect(namespaceGlobMatches(pattern, namespace)).toBe(expected);
  });

  it("reads kinds by API group, with wildcards, and namespace lists", () => {
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { namespace: "kube-system" } };
    const match = { kinds: [{ apiGroups: [""], kinds: ["Pod"] }], excludedNamespaces: ["kube-*"] };
    expect(constraintMatches(match, pod)).toBe(false);
    expect(constraintMatches(match, { ...pod, metadata: {} })).toBe(true);
    expect(constraintMatches(match, { ...pod, apiVersion: "apps/v1" })).toBe(false);
    expect(constraintMatches({ kinds: [{ apiGroups: ["*"], kinds: ["*"] }] }, pod)).toBe(true);
    expect(constraintMatches({ namespaces: ["prod"] }, pod)).toBe(false);
  });

  it("builds Gatekeeper's review of an object", () => {
    expect(admissionReview(resources[2]?.object as Json)).toEqual({
      object: resources[2]?.object,
      kind: { group: "batch", version: "v1", kind: "CronJob" },
      name: "cj",
      namespace: "",
      operation: "CREATE",
    });
  });
});

describe.skipIf(!opa)("Gatekeeper templates on real OPA", () => {
  it("pass opa check --strict and are unchanged by opa fmt", () => {
    for (const set of [policies, [privileged, labels]]) {
      const folder = regoTree(set);
      execFileSync(opa as string, ["check", "--strict", folder], { encoding: "utf8" });
      expect(execFileSync(opa as string, ["fmt", "-l", folder], { encoding: "utf8" })).toBe("");
    }
  });

  it("judge pods and controllers like the IR engine: skips, namespaces, hostile strings, witness order", async () => {
    const set = [privileged, labels];
    const gatekeeper = await createGatekeeperEngine(set, { opaPath: opa as string }).evaluate(
      resources,
    );
    const ir = createIrEngine(set).evaluateSync(resources);
    expect(rows(gatekeeper)).toEqual(rows(ir));
    const failing = gatekeeper.find((f) => f.rule === "privileged" && f.result === "fail");
    expect(failing?.messages).toEqual([
      `container ${ONE_LINE_HOSTILE} b n={...}`,
      `container ${ONE_LINE_HOSTILE} a n=`,
      `container ${ONE_LINE_HOSTILE} init n=7`,
    ]);
    expect(gatekeeper.map((f) => f.result)).toContain("skip");
    expect(gatekeeper.some((f) => f.resourceIndex === 1)).toBe(false);
  });

  it("gives every policy case the IR engine's verdict and messages", async () => {
    // Each case is judged with its own scanned set (the resource and the case's inventory).
    const kinds = inventoryKindsOf(policies);
    const cases = policies.flatMap((p) =>
      p.cases.map((c) => ({
        object: c.resource,
        inventory: InventoryIndex.of(kinds, [c.resource, ...(c.inventory ?? [])]),
      })),
    );
    expect(cases.length).toBeGreaterThan(0);
    const gatekeeper = await createGatekeeperEngine(policies, { opaPath: opa as string }).evaluate(
      cases,
    );
    const ir = createIrEngine(policies).evaluateSync(cases);
    expect(rows(gatekeeper)).toEqual(rows(ir));
    // Each case is judged as it claims by its own policy.
    let index = 0;
    for (const p of policies) {
      for (const testCase of p.cases) {
        const own = gatekeeper.filter((f) => f.resourceIndex === index && f.policy === p.name);
        const failed = own.some((f) => f.result === "fail");
        expect(failed, `${p.name}: ${testCase.name}`).toBe(testCase.expect === "fail");
        index += 1;
      }
    }
  });

  it("reports a failing opa with its stderr", async () => {
    const engine = createGatekeeperEngine(policies, { opaPath: "/bin/false" });
    await expect(engine.evaluate(resources)).rejects.toThrow(/opa eval exited with 1/);
  });
});
