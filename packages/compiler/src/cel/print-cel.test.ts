import { describe, expect, it } from "vitest";
import {
  and,
  type CelExpr,
  call,
  conditional,
  group,
  index,
  literal,
  method,
  NULL,
  name,
  not,
  number,
  or,
  relation,
} from "./cel-expr.js";
import { printCel } from "./print-cel.js";

const a = name("a");
const b = name("b");
const c = name("c");

const cases: { note: string; expr: CelExpr; cel: string }[] = [
  { note: "`&&` brackets an `||` operand", expr: and([a, or([b, c])]), cel: "a && (b || c)" },
  { note: "`&&` flattens an `&&` operand", expr: and([a, and([b, c])]), cel: "a && b && c" },
  {
    note: "`||` brackets only `? :`",
    expr: or([and([a, b]), conditional(a, b, c)]),
    cel: "a && b || (a ? b : c)",
  },
  { note: "`!` brackets a relation", expr: not(relation(a, "==", b)), cel: "!(a == b)" },
  { note: "`!` keeps a call bare", expr: not(method(a, "exists", b, c)), cel: "!a.exists(b, c)" },
  { note: "a group stands as one operand", expr: not(group(or([a, b]))), cel: "!(a || b)" },
  {
    note: "a relation brackets a conditional operand",
    expr: relation(conditional(a, b, NULL), "!=", NULL),
    cel: "(a ? b : null) != null",
  },
  {
    note: "an IR number is bracketed as an operand",
    expr: relation(a, "==", number("-1")),
    cel: "a == (-1)",
  },
  {
    note: "a count the emitter writes is not",
    expr: relation(call("size", a), ">", literal("0")),
    cel: "size(a) > 0",
  },
  {
    note: "a receiver and an indexed operand are bracketed unless primary",
    expr: index(method(conditional(a, b, c), "map", name("v"), name("v")), literal("0")),
    cel: "(a ? b : c).map(v, v)[0]",
  },
  {
    note: "the test of `? :` is bare unless it is one itself",
    expr: conditional(or([a, b]), conditional(a, b, c), c),
    cel: "a || b ? (a ? b : c) : c",
  },
];

describe("printCel", () => {
  it.each(cases)("$note", ({ expr, cel }) => {
    expect(printCel(expr)).toBe(cel);
  });
});
