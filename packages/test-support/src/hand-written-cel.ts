/**
 * Hand-written CEL for the library's disallow-privileged-containers, of the kind the CEL
 * emitter writes (has() and type() guards, exists/filter, string concatenation for messages).
 * The in-process CEL engine's unit test (cel-in-process/engine.test.ts) runs on it, so a bug
 * there is the engine's, not the emitter's.
 */
import type { Policy } from "@charter/ir";
import type { EmitCelPolicy, EmittedCelPolicy } from "@charter/runtime";

// The pod view and its containers, as variables (VAP spec.variables).
const POD_VARIABLES = [
  {
    name: "pod",
    expression:
      "object.kind == 'Pod' ? object : (object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template : object.spec.template)",
  },
  {
    name: "spec",
    expression:
      "has(variables.pod.spec) && type(variables.pod.spec) == map ? variables.pod.spec : {}",
  },
  {
    name: "containers",
    expression: ["containers", "initContainers", "ephemeralContainers"]
      .map(
        (list) =>
          `(has(variables.spec.${list}) && type(variables.spec.${list}) == list ? variables.spec.${list} : [])`,
      )
      .join(" + "),
  },
];

/** A message hole: a string as itself, a number or bool as text, anything else as [...]/{...}. */
function hole(value: string): string {
  return `(type(${value}) == string ? string(${value}) : (type(${value}) == int || type(${value}) == double || type(${value}) == bool ? string(${value}) : (type(${value}) == list ? '[...]' : (type(${value}) == map ? '{...}' : ''))))`;
}

const isMap = (value: string) => `type(${value}) == map`;
const field = (value: string, name: string) => `has(${value}.${name})`;

const privileged = (c: string) =>
  `${isMap(c)} && ${field(c, "securityContext")} && ${isMap(`${c}.securityContext`)} && ${field(`${c}.securityContext`, "privileged")} && ${c}.securityContext.privileged == true`;

const FIXTURES: Readonly<Record<string, EmittedCelPolicy>> = {
  "disallow-privileged-containers": {
    variables: POD_VARIABLES,
    matchConditions: [],
    validations: [
      {
        rule: "privileged",
        expression: `!variables.containers.exists(c, ${privileged("c")})`,
        messageExpression: `variables.containers.filter(c, ${privileged("c")}).map(c, 'container ' + ${hole("c.name")} + ' sets securityContext.privileged: true; remove it or set it to false')[0]`,
        message: "a container sets securityContext.privileged: true",
      },
    ],
  },
};

export const handWrittenCel: EmitCelPolicy = (policy: Policy) => {
  const fixture = FIXTURES[policy.name];
  if (fixture === undefined) throw new Error(`no hand-written CEL for policy ${policy.name}`);
  return fixture;
};
