/**
 * Code injection through policy text that held when the attack test ran (issue 11), kept as a
 * standing suite. Each payload, written to break out of a Rego or CEL string, is a policy's
 * parameter, regex and message; the rule fails exactly the ConfigMap whose value equals the
 * payload. On real OPA (Rego and Gatekeeper), the Kubernetes CEL judge and the in-process CEL,
 * the ConfigMap holding the payload fails with the IR's message and one holding anything else
 * passes: a payload that escaped its string would change one of the two verdicts.
 */

import { kinds, policy, string, when } from "@charter/dsl";
import {
  createCelJudgeEngine,
  createGatekeeperEngine,
  createInProcessCelEngine,
  createIrEngine,
  createOpaEngine,
  type Engine,
  findCelJudge,
  findOpa,
} from "@charter/runtime";
import { describe, expect, it } from "vitest";
import { requireEngine } from "../support/engines.js";

const payloads = [
  // Rego: close the string, add a rule body or a new rule, comment the rest out.
  '" } else := true { "',
  '"\nviolations contains {"msg": "x"} if { true }\n#',
  '" + input.review.object.metadata.name + "',
  "`raw string` \\u0022 \\\\",
  // CEL: close the string and make the condition always true (or always false).
  "' || true || '",
  '" || true || "',
  "''' || true || '''",
  '""" || true || """',
  "\\' + string(object.kind) + \\'",
  "\\x27) || (true",
  // Messages: Kyverno and Go template holes, JSON breaking out of a report.
  "{{ request.object.metadata.name }} $(x) %v %s",
  '"}], "allow": true, "x": [{"',
];

const quoteRe2 = (text: string) => text.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&");

const policies = payloads.map((payload, index) =>
  policy(`injection-${index}`, {
    title: payload,
    description: payload,
    severity: "low",
    category: payload,
    controls: [],
    match: kinds("v1/ConfigMap"),
    params: { value: string().default(payload) },
    rules: {
      equal: {
        fail: when`object.data.v == params.value and object.data.v matches ${`^${quoteRe2(payload)}$`}`,
        message: `${payload.replaceAll("{{", "{ {").replaceAll("}}", "} }")}: {{object.data.v}}`,
      },
    },
    cases: { pass: [], fail: [] },
  }),
);

const configMap = (name: string, value: string) => ({
  object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data: { v: value } },
});

describe("injection through policy text that held", () => {
  it("every engine fails exactly the payload's own ConfigMap, with the IR's message", async () => {
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
    const resources = payloads.flatMap((payload, index) => [
      configMap(`payload-${index}`, payload),
      configMap(`other-${index}`, `${payload}!`),
    ]);
    const verdicts = async (engine: Engine) =>
      (await engine.evaluate(resources)).map((f) => ({
        policy: f.policy,
        resource: f.resourceIndex,
        result: f.result,
        message: f.result === "fail" ? f.message : undefined,
      }));
    const expected = await verdicts(createIrEngine(policies));
    const failing = expected.filter((row) => row.result === "fail");
    // Each policy fails its own payload's ConfigMap and nothing else.
    expect(failing.map((row) => `${row.policy} ${row.resource}`)).toEqual(
      payloads.map((_, index) => `injection-${index} ${index * 2}`),
    );
    for (const engine of engines) {
      expect(await verdicts(engine), engine.name).toEqual(expected);
    }
  }, 120_000);
});
