/**
 * Every function and semantic gap the in-process evaluator closes, on a table of inputs, against
 * the Kubernetes judge (the oracle). Values reach CEL through `object` (dyn, as emitted CEL reads
 * them), and each probe is rendered by a messageExpression, so the judge reports its value.
 */

import { celJudgeForTests } from "@charter/test-support/cel-judge-for-tests";
import { describe, expect, it } from "vitest";
import type { JudgeBatch, JudgeResult } from "../cel-judge-client/protocol.js";
import { runCelJudge } from "../cel-judge-client/run.js";
import { runInProcessBatch } from "./batch.js";

const judge = celJudgeForTests();

const strings = [
  "",
  "a",
  "abc",
  "ABC xyz",
  "é",
  "😀",
  "a😀b😀c",
  "\uffff",
  "\u{10000}",
  " \t padded \n",
  "\u0085x\u0085",
  "\ufeffx\ufeff",
  "a,b,,c",
  "k8s.io/app",
  "ÀÉ-ascii-AZ",
];

const object = {
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "probe" },
  data: {
    strings,
    ints: [0, 1, -1, 3, 65534, 2 ** 53 - 1, -(2 ** 53) + 1],
    doubles: [0.5, -1.5, 1e21, 1234567.5, 123456.5, 1e-5, 0.0001, 1.0e100, 2 ** 60],
    sorted: [1, 2, 2, 5],
    unsorted: [3, 1],
    words: ["b", "a", "😀", "\uffff"],
    mixed: [1, "a", true, null, [1], { a: 1 }],
    mixedCopy: [1.0, "a", true, null, [1], { a: 1 }],
    nothing: null,
    badPattern: "(",
    flag: true,
    empty: [],
    nested: { a: { b: 1 } },
  },
};

/** Probes: an expression and how to render its value as a string. */
type Probe = readonly [expression: string, render?: "string" | "list" | "bool" | "raw"];

const perString = (template: (s: string) => string, render: Probe[1] = "string"): Probe[] =>
  strings.map((_, i) => [template(`object.data.strings[${i}]`), render] as const);

const probes: Probe[] = [
  // Order and size by code point
  ...perString((s) => `size(${s})`),
  ...perString((s) => `${s} < '\\uffff'`, "bool"),
  ...perString((s) => `${s} > '😀'`, "bool"),
  ["object.data.words[2] < object.data.words[3]", "bool"],
  ["object.data.words[3] <= object.data.words[2]", "bool"],
  ["object.data.words[0] >= object.data.words[1]", "bool"],
  // Substring predicates and RE2
  ...perString((s) => `${s}.startsWith('a')`, "bool"),
  ...perString((s) => `${s}.endsWith('c')`, "bool"),
  ...perString((s) => `${s}.contains('😀')`, "bool"),
  ...perString((s) => `${s}.matches('^.$')`, "bool"),
  ...perString((s) => `${s}.matches('\\\\s')`, "bool"),
  ...perString((s) => `${s}.matches('^[a-z0-9]+(\\\\.[a-z]+)*/')`, "bool"),
  ["object.data.strings[2].matches(object.data.badPattern)", "bool"],
  ["object.data.strings[2].find(object.data.badPattern)", "string"],
  ["matches(object.data.strings[2], 'b')", "bool"],
  // Kubernetes regex library
  ...perString((s) => `${s}.find('[a-z]+')`),
  ...perString((s) => `${s}.findAll('.')`, "list"),
  ["object.data.strings[6].findAll('[a-c]', 2)", "list"],
  ["object.data.strings[6].findAll('[a-c]', 0)", "list"],
  // Strings extension
  ...perString((s) => `${s}.lowerAscii()`),
  ...perString((s) => `${s}.upperAscii()`),
  ...perString((s) => `${s}.trim()`),
  ...perString((s) => `${s}.indexOf('b')`),
  ...perString((s) => `${s}.indexOf('')`),
  ...perString((s) => `${s}.indexOf('😀', 1)`),
  ...perString((s) => `${s}.lastIndexOf('b')`),
  ...perString((s) => `${s}.lastIndexOf('')`),
  ...perString((s) => `${s}.lastIndexOf('😀', 2)`),
  ...perString((s) => `${s}.charAt(1)`),
  ...perString((s) => `${s}.charAt(3)`),
  ...perString((s) => `${s}.substring(1)`),
  ...perString((s) => `${s}.substring(1, 3)`),
  ...perString((s) => `${s}.substring(2, 1)`),
  ...perString((s) => `${s}.split(',')`, "list"),
  ...perString((s) => `${s}.split('')`, "list"),
  ...perString((s) => `${s}.split(',', 2)`, "list"),
  ...perString((s) => `${s}.split('', 2)`, "list"),
  ...perString((s) => `${s}.split(',', 0)`, "list"),
  ...perString((s) => `${s}.replace('b', 'X')`),
  ...perString((s) => `${s}.replace('', '-')`),
  ...perString((s) => `${s}.replace('', '-', 2)`),
  ...perString((s) => `${s}.replace('😀', '', 1)`),
  ["object.data.words.join()", "string"],
  ["object.data.words.join('/')", "string"],
  ["object.data.mixed.join('/')", "string"],
  // Kubernetes lists library
  ["object.data.sorted.isSorted()", "bool"],
  ["object.data.unsorted.isSorted()", "bool"],
  ["object.data.words.isSorted()", "bool"],
  ["object.data.empty.isSorted()", "bool"],
  ["object.data.sorted.sum()", "string"],
  ["object.data.doubles.sum()", "string"],
  ["object.data.empty.sum()", "string"],
  ["object.data.sorted.min()", "string"],
  ["object.data.words.max()", "string"],
  ["object.data.empty.min()", "string"],
  ["object.data.sorted.indexOf(2)", "string"],
  ["object.data.sorted.lastIndexOf(2)", "string"],
  ["object.data.sorted.indexOf(2.0)", "string"],
  ["object.data.words.indexOf('x')", "string"],
  // Numbers: JSON integers are int, the rest double; string(double) is Go's
  ...[0, 1, 2, 3, 4, 5, 6].map((i) => [`type(object.data.ints[${i}]) == int`, "bool"] as Probe),
  ...[0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => [`string(object.data.doubles[${i}])`] as Probe),
  ...[0, 1, 2, 3, 4, 5, 6].map((i) => [`string(object.data.ints[${i}])`] as Probe),
  ["type(object.data.doubles[8]) == int", "bool"],
  ["object.data.ints[1] == 1.0", "bool"],
  ["object.data.ints[1] < object.data.doubles[0]", "bool"],
  ["object.data.doubles[0] < object.data.ints[1]", "bool"],
  // Equality across types, deep equality, membership, presence
  ["object.data.ints[1] == 'a'", "bool"],
  ["object.data.mixed == object.data.mixedCopy", "bool"],
  ["object.data.mixed == object.data.sorted", "bool"],
  ["object.data.nested == {'a': {'b': 1.0}}", "bool"],
  ["object.data.mixed[3] == null", "bool"],
  ["'nothing' in object.data", "bool"],
  ["has(object.data.nothing)", "bool"],
  ["has(object.data.missing)", "bool"],
  ["has(object.data.nested.a.b)", "bool"],
  ["1 in object.data.mixed", "bool"],
  ["'a' in object.data.nested", "bool"],
  ["type(object.data.nested) == map", "bool"],
  ["type(object.data.mixed) == list", "bool"],
  ["type(object.data.nothing) == null_type", "bool"],
  ["type(object.data.flag) == bool", "bool"],
  // Errors: what the judge says, we say
  ["object.data.missing == 1", "bool"],
  ["object.data.ints[99] == 1", "bool"],
  ["object.data.ints[1] < 'a'", "bool"],
  ["object.data.mixed.all(x, x > 0)", "bool"],
  ["object.data.mixed.exists(x, x == 'a')", "bool"],
  ["object.data.mixed.exists(x, x > 0)", "bool"],
  ["object.data.strings[1].x == 1", "bool"],
  ["has(object.data.strings[1].x)", "bool"],
  ["object.data.flag && object.data.missing", "bool"],
  ["object.data.missing || object.data.flag", "bool"],
  ["object.data.nothing.x == 1", "bool"],
];

function batchOf(list: readonly Probe[]): JudgeBatch {
  const expressions = list.map(([expression, render = "string"], i) => {
    const id = `p${i}`;
    switch (render) {
      case "bool":
        return { id, expression, messageExpression: `'<' + string(${expression}) + '>'` };
      case "list":
        return {
          id,
          expression: "false",
          messageExpression: `'<' + (${expression}).map(x, string(x)).join('|') + '>'`,
        };
      case "raw":
        return { id, expression: "false", messageExpression: expression };
      default:
        return { id, expression: "false", messageExpression: `'<' + string(${expression}) + '>'` };
    }
  });
  return { expressions, cases: [{ id: "probe", object }] };
}

/** The comparable part of a result; error texts are compared separately (see below). */
function outcome(r: JudgeResult) {
  return {
    expression: r.expression,
    value: r.value,
    message: r.message,
    failed: r.error !== undefined,
    messageFailed: r.messageError !== undefined,
  };
}

describe.skipIf(!judge)("Kubernetes functions: in process vs the judge", () => {
  it("every probe gives the judge's value, message and failure", async () => {
    const batch = batchOf(probes);
    const judged = await runCelJudge(judge as string, batch);
    expect(judged.compileErrors).toEqual([]);
    const ours = runInProcessBatch(batch);
    const disagreements = judged.results.flatMap((theirs, i) => {
      const mine = ours[i] as JudgeResult;
      const probe = probes[i]?.[0];
      return JSON.stringify(outcome(mine)) === JSON.stringify(outcome(theirs))
        ? []
        : [{ probe, judge: theirs, inProcess: mine }];
    });
    expect(disagreements).toEqual([]);
  });
});

describe.skipIf(!judge)("Kubernetes functions: error texts", () => {
  it("every failure is worded as the judge words it", async () => {
    const batch = batchOf(probes);
    const judged = await runCelJudge(judge as string, batch);
    const ours = runInProcessBatch(batch);
    const texts = (r: JudgeResult) => ({ error: r.error, messageError: r.messageError });
    const different = judged.results.flatMap((theirs, i) => {
      const mine = ours[i] as JudgeResult;
      return JSON.stringify(texts(mine)) === JSON.stringify(texts(theirs))
        ? []
        : [{ judge: texts(theirs), inProcess: texts(mine) }];
    });
    expect(different).toEqual([]);
  });
});
