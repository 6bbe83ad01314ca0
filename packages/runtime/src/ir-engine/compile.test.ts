/**
 * The semantics table: each row is a condition, the data it reads (as the `object` root) and
 * what packages/ir/src/expr.ts says it must give.
 */
import type { Expr, Json, JsonObject } from "@charter/ir";
import {
  all,
  and,
  any,
  cmp,
  containers,
  eq,
  exists,
  isIn,
  len,
  list,
  lit,
  none,
  not,
  obj,
  or,
  orElse,
  params,
  pod,
  str,
  v,
} from "@charter/test-support/build-ir";
import { describe, expect, it } from "vitest";
import { MISSING, type Value } from "../value.js";
import { compileTest, compileValue, IrCompileError, Scope } from "./compile.js";
import { Frame } from "./frame.js";

const DATA: JsonObject = {
  s: "abc",
  empty: "",
  n: 1,
  f: 1.0,
  half: 1.5,
  zero: 0,
  t: true,
  fl: false,
  nul: null,
  list: [1, 2, 3],
  strs: ["a", "b"],
  objs: [{ a: 1 }, { a: 2 }],
  obj: { a: 1, b: { c: [1, { d: 2 }] } },
  nested: { x: null, y: { z: "deep" } },
  emptyList: [],
  emptyObj: {},
  withNull: [null, 1],
  astral: "😀",
  bmpTop: "\uFFFF",
  privateUse: "\uE000",
  mixed: "a😀b",
  combining: "e\u0301",
  path: "registry.example.com/team/app:1.0",
  multiline: "first\nsecond",
  numStr: "1",
  big: 9007199254740991,
  neg: -5,
};

function holds(condition: Expr, object: Json = DATA, paramValues: JsonObject = {}): boolean {
  return compileTest(condition, Scope.empty())(new Frame({ object, params: paramValues }));
}

function evaluateValue(expr: Expr, object: Json = DATA): Value {
  return compileValue(expr, Scope.empty())(new Frame({ object, params: {} }));
}

interface Row {
  readonly note: string;
  readonly condition: Expr;
  readonly expected: boolean;
}

const rows: Row[] = [
  // Missing and null
  { note: "absent key == anything is false", condition: eq(obj("nope"), lit(1)), expected: false },
  {
    note: "absent key != anything is false",
    condition: cmp(obj("nope"), "!=", lit(1)),
    expected: false,
  },
  { note: "not (absent == x) is true", condition: not(eq(obj("nope"), lit(1))), expected: true },
  {
    note: "null is missing: == null literal is false",
    condition: eq(obj("nul"), lit(null)),
    expected: false,
  },
  {
    note: "null is missing: null != 1 is false",
    condition: cmp(obj("nul"), "!=", lit(1)),
    expected: false,
  },
  {
    note: "two missing operands are not equal",
    condition: eq(obj("nope"), obj("nul")),
    expected: false,
  },
  {
    note: "stepping through null is missing",
    condition: exists(obj("nested", "x", "y")),
    expected: false,
  },
  {
    note: "stepping through a string is missing",
    condition: exists(obj("s", "length")),
    expected: false,
  },
  { note: "exists on a present value", condition: exists(obj("nested", "y", "z")), expected: true },
  { note: "exists on false", condition: exists(obj("fl")), expected: true },
  { note: "exists on 0", condition: exists(obj("zero")), expected: true },
  { note: "exists on empty string", condition: exists(obj("empty")), expected: true },
  { note: "exists on empty list", condition: exists(obj("emptyList")), expected: true },
  { note: "exists on null", condition: exists(obj("nul")), expected: false },
  { note: "exists on a null literal", condition: exists(lit(null)), expected: false },
  { note: "list index in range", condition: eq(obj("list", 2), lit(3)), expected: true },
  {
    note: "list index out of range is missing",
    condition: exists(obj("list", 3)),
    expected: false,
  },
  { note: "string key on a list is missing", condition: exists(obj("list", "0")), expected: false },
  {
    note: "number index on an object is missing",
    condition: exists(obj("obj", 0)),
    expected: false,
  },
  {
    note: "deep path through lists",
    condition: eq(obj("obj", "b", "c", 1, "d"), lit(2)),
    expected: true,
  },
  {
    note: "inherited properties are not keys",
    condition: exists(obj("obj", "toString")),
    expected: false,
  },
  {
    note: "__proto__ is not a key",
    condition: exists(obj("emptyObj", "__proto__")),
    expected: false,
  },
  { note: "missing < 1 is false", condition: cmp(obj("nope"), "<", lit(1)), expected: false },
  {
    note: "not (missing < 1) is true",
    condition: not(cmp(obj("nope"), "<", lit(1))),
    expected: true,
  },

  // Types
  { note: "1 == 1.0", condition: eq(obj("n"), lit(1.0)), expected: true },
  { note: "data 1.0 == literal 1", condition: eq(obj("f"), lit(1)), expected: true },
  { note: "1 != 1.5", condition: cmp(obj("n"), "!=", obj("half")), expected: true },
  { note: '1 == "1" is false', condition: eq(obj("n"), obj("numStr")), expected: false },
  {
    note: '1 != "1" is true (both present, not equal)',
    condition: cmp(obj("n"), "!=", obj("numStr")),
    expected: true,
  },
  { note: "true == 1 is false", condition: eq(obj("t"), lit(1)), expected: false },
  { note: "false == 0 is false", condition: eq(obj("fl"), obj("zero")), expected: false },
  { note: '"" == false is false', condition: eq(obj("empty"), obj("fl")), expected: false },
  { note: "[] == {} is false", condition: eq(obj("emptyList"), obj("emptyObj")), expected: false },
  { note: "true == true", condition: eq(obj("t"), lit(true)), expected: true },
  {
    note: "largest safe integer equals itself",
    condition: eq(obj("big"), lit(9007199254740991)),
    expected: true,
  },

  // Deep equality
  {
    note: "lists equal element by element",
    condition: eq(obj("list"), lit([1, 2, 3])),
    expected: true,
  },
  { note: "list order matters", condition: eq(obj("list"), lit([3, 2, 1])), expected: false },
  { note: "list length matters", condition: eq(obj("list"), lit([1, 2])), expected: false },
  {
    note: "lists compare numbers by value",
    condition: eq(obj("list"), lit([1.0, 2.0, 3.0])),
    expected: true,
  },
  {
    note: "objects equal regardless of key order",
    condition: eq(obj("obj"), lit({ b: { c: [1, { d: 2 }] }, a: 1 })),
    expected: true,
  },
  {
    note: "objects with an extra key differ",
    condition: eq(obj("obj"), lit({ a: 1, b: { c: [1, { d: 2 }] }, e: 3 })),
    expected: false,
  },
  {
    note: "nested difference",
    condition: eq(obj("obj"), lit({ a: 1, b: { c: [1, { d: 3 }] } })),
    expected: false,
  },
  {
    note: "null inside a list is data and equals null",
    condition: eq(obj("withNull"), lit([null, 1])),
    expected: true,
  },
  {
    note: "{x: null} is not {}",
    condition: eq(obj("nested"), lit({ y: { z: "deep" } })),
    expected: false,
  },
  { note: "empty lists are equal", condition: eq(obj("emptyList"), lit([])), expected: true },

  // Ordering
  { note: "1 < 1.5", condition: cmp(obj("n"), "<", obj("half")), expected: true },
  { note: "-5 < 0", condition: cmp(obj("neg"), "<", obj("zero")), expected: true },
  { note: "1 <= 1.0", condition: cmp(obj("n"), "<=", obj("f")), expected: true },
  { note: "1 >= 1", condition: cmp(obj("n"), ">=", lit(1)), expected: true },
  { note: "1 > 1 is false", condition: cmp(obj("n"), ">", lit(1)), expected: false },
  { note: '"abc" < "abd"', condition: cmp(obj("s"), "<", lit("abd")), expected: true },
  { note: '"ab" < "abc" (prefix first)', condition: cmp(lit("ab"), "<", obj("s")), expected: true },
  { note: '"" < "a"', condition: cmp(obj("empty"), "<", lit("a")), expected: true },
  {
    note: '"B" < "a" (code points, not locale)',
    condition: cmp(lit("B"), "<", lit("a")),
    expected: true,
  },
  {
    note: "U+FFFF < U+1F600 by code point (UTF-16 says otherwise)",
    condition: cmp(obj("bmpTop"), "<", obj("astral")),
    expected: true,
  },
  {
    note: "U+1F600 > U+E000 by code point",
    condition: cmp(obj("astral"), ">", obj("privateUse")),
    expected: true,
  },
  {
    note: "U+E000 >= U+1F600 is false",
    condition: cmp(obj("privateUse"), ">=", obj("astral")),
    expected: false,
  },
  {
    note: "astral after a shared prefix",
    condition: cmp(lit("a\uFFFF"), "<", obj("mixed")),
    expected: true,
  },
  {
    note: "two astral characters by code point",
    condition: cmp(lit("😀"), "<", lit("😁")),
    expected: true,
  },
  {
    note: '1 < "2" is false (different types)',
    condition: cmp(obj("n"), "<", lit("2")),
    expected: false,
  },
  { note: 'not (1 < "2") is true', condition: not(cmp(obj("n"), "<", lit("2"))), expected: true },
  {
    note: "true < false is false (booleans are unordered)",
    condition: cmp(obj("fl"), "<", obj("t")),
    expected: false,
  },
  { note: "lists are unordered", condition: cmp(lit([1]), "<", lit([2])), expected: false },
  {
    note: "lists are unordered even with <=",
    condition: cmp(obj("list"), "<=", obj("list")),
    expected: false,
  },

  // len
  {
    note: "len counts code points of an astral string",
    condition: eq(len(obj("astral")), lit(1)),
    expected: true,
  },
  { note: "len of a mixed string", condition: eq(len(obj("mixed")), lit(3)), expected: true },
  {
    note: "len counts a combining mark separately",
    condition: eq(len(obj("combining")), lit(2)),
    expected: true,
  },
  { note: "len of a list", condition: eq(len(obj("list")), lit(3)), expected: true },
  { note: "len of an object counts keys", condition: eq(len(obj("obj")), lit(2)), expected: true },
  { note: "len of an empty string is 0", condition: eq(len(obj("empty")), lit(0)), expected: true },
  { note: "len of a number is missing", condition: exists(len(obj("n"))), expected: false },
  { note: "len of missing is missing", condition: exists(len(obj("nope"))), expected: false },
  {
    note: "len of a list with a null counts it",
    condition: eq(len(obj("withNull")), lit(2)),
    expected: true,
  },

  // in
  { note: "in a list", condition: isIn(lit(2), obj("list")), expected: true },
  { note: "in a list by value (2.0)", condition: isIn(lit(2.0), obj("list")), expected: true },
  { note: "not in a list", condition: isIn(lit(4), obj("list")), expected: false },
  { note: '"2" not in [1,2,3]', condition: isIn(lit("2"), obj("list")), expected: false },
  {
    note: "in a list by deep equality",
    condition: isIn(lit({ a: 2 }), obj("objs")),
    expected: true,
  },
  {
    note: "in a list by deep equality, no match",
    condition: isIn(lit({ a: 3 }), obj("objs")),
    expected: false,
  },
  { note: "key of an object", condition: isIn(lit("a"), obj("obj")), expected: true },
  { note: "not a key of an object", condition: isIn(lit("z"), obj("obj")), expected: false },
  {
    note: "a key whose value is null is still a key",
    condition: isIn(lit("x"), obj("nested")),
    expected: true,
  },
  {
    note: "a value of an object is not in it",
    condition: isIn(lit(1), obj("obj")),
    expected: false,
  },
  {
    note: "inherited names are not keys",
    condition: isIn(lit("constructor"), obj("emptyObj")),
    expected: false,
  },
  {
    note: "missing item is in nothing",
    condition: isIn(obj("nope"), obj("withNull")),
    expected: false,
  },
  {
    note: "null literal is not in a list holding null",
    condition: isIn(lit(null), obj("withNull")),
    expected: false,
  },
  {
    note: "in a missing collection is false",
    condition: isIn(lit(1), obj("nope")),
    expected: false,
  },
  {
    note: "in a string is false (not substring)",
    condition: isIn(lit("b"), obj("s")),
    expected: false,
  },
  { note: "not (x in missing) is true", condition: not(isIn(lit(1), obj("nope"))), expected: true },

  // String predicates
  {
    note: "startsWith",
    condition: str(obj("path"), "startsWith", lit("registry.example.com/")),
    expected: true,
  },
  {
    note: "startsWith, no",
    condition: str(obj("path"), "startsWith", lit("docker.io/")),
    expected: false,
  },
  {
    note: "startsWith empty prefix",
    condition: str(obj("s"), "startsWith", lit("")),
    expected: true,
  },
  { note: "endsWith", condition: str(obj("path"), "endsWith", lit(":1.0")), expected: true },
  {
    note: "contains is substring",
    condition: str(obj("s"), "contains", lit("bc")),
    expected: true,
  },
  { note: "contains astral", condition: str(obj("mixed"), "contains", lit("😀")), expected: true },
  {
    note: "startsWith on a number is false",
    condition: str(obj("n"), "startsWith", lit("1")),
    expected: false,
  },
  {
    note: "startsWith with a number prefix is false",
    condition: str(obj("numStr"), "startsWith", lit(1)),
    expected: false,
  },
  {
    note: "startsWith on missing is false",
    condition: str(obj("nope"), "startsWith", lit("")),
    expected: false,
  },
  {
    note: "not startsWith on missing is true",
    condition: not(str(obj("nope"), "startsWith", lit("a"))),
    expected: true,
  },

  // matches: RE2 partial match
  {
    note: "matches anywhere (partial)",
    condition: str(obj("path"), "matches", lit("example")),
    expected: true,
  },
  {
    note: "matches anchored start",
    condition: str(obj("path"), "matches", lit("^example")),
    expected: false,
  },
  {
    note: "matches anchored both ends",
    condition: str(obj("s"), "matches", lit("^abc$")),
    expected: true,
  },
  {
    note: "$ does not match before a final newline (RE2)",
    condition: str(lit("abc\n"), "matches", lit("^abc$")),
    expected: false,
  },
  {
    note: ". does not match newline by default",
    condition: str(obj("multiline"), "matches", lit("first.second")),
    expected: false,
  },
  {
    note: "(?s) lets . match newline",
    condition: str(obj("multiline"), "matches", lit("(?s)first.second")),
    expected: true,
  },
  {
    note: ". matches one astral code point",
    condition: str(obj("astral"), "matches", lit("^.$")),
    expected: true,
  },
  {
    note: "RE2 classes",
    condition: str(obj("path"), "matches", lit(":[0-9]+\\.[0-9]+$")),
    expected: true,
  },
  {
    note: "matches on a number is false",
    condition: str(obj("n"), "matches", lit("1")),
    expected: false,
  },
  {
    note: "invalid pattern from data is false",
    condition: str(obj("s"), "matches", obj("badPattern")),
    expected: false,
  },
  { note: "pattern from data", condition: str(obj("path"), "matches", obj("s")), expected: false },
  {
    note: "pattern from params-like data",
    condition: str(lit("xabcx"), "matches", obj("s")),
    expected: true,
  },

  // glob
  {
    note: "glob * spans / and .",
    condition: str(obj("path"), "glob", lit("registry.*:1.0")),
    expected: true,
  },
  {
    note: "glob is anchored at the start",
    condition: str(obj("path"), "glob", lit("example*")),
    expected: false,
  },
  {
    note: "glob is anchored at the end",
    condition: str(obj("path"), "glob", lit("registry*")),
    expected: true,
  },
  {
    note: "glob without wildcard is equality",
    condition: str(obj("s"), "glob", lit("ab")),
    expected: false,
  },
  {
    note: "glob . is literal",
    condition: str(lit("registryXexample"), "glob", lit("registry.example")),
    expected: false,
  },
  {
    note: "glob * spans a newline",
    condition: str(obj("multiline"), "glob", lit("first*second")),
    expected: true,
  },
  {
    note: "glob ? is exactly one character",
    condition: str(obj("s"), "glob", lit("a?c")),
    expected: true,
  },
  {
    note: "glob ? is not zero characters",
    condition: str(lit("ac"), "glob", lit("a?c")),
    expected: false,
  },
  {
    note: "glob ? is one astral code point",
    condition: str(obj("mixed"), "glob", lit("a?b")),
    expected: true,
  },
  {
    note: "glob ? matches a newline",
    condition: str(lit("a\nb"), "glob", lit("a?b")),
    expected: true,
  },
  {
    note: "glob [ ] are literal",
    condition: str(lit("a[b]"), "glob", lit("a[b]")),
    expected: true,
  },
  {
    note: "glob [ ] are not a class",
    condition: str(lit("ab"), "glob", lit("a[b]")),
    expected: false,
  },
  {
    note: "glob regex metacharacters are literal",
    condition: str(lit("a+(b)|c$^{1}\\"), "glob", lit("a+(b)|c$^{1}\\")),
    expected: true,
  },
  { note: "glob * matches empty", condition: str(obj("empty"), "glob", lit("*")), expected: true },
  { note: "glob from data", condition: str(obj("path"), "glob", lit("*/team/*")), expected: true },
  {
    note: "glob on missing is false",
    condition: str(obj("nope"), "glob", lit("*")),
    expected: false,
  },

  // ??
  {
    note: "?? gives the fallback for missing",
    condition: eq(orElse(obj("nope"), lit(5)), lit(5)),
    expected: true,
  },
  {
    note: "?? gives the fallback for null",
    condition: eq(orElse(obj("nul"), lit(5)), lit(5)),
    expected: true,
  },
  {
    note: "?? keeps false",
    condition: eq(orElse(obj("fl"), lit(true)), lit(false)),
    expected: true,
  },
  { note: "?? keeps 0", condition: eq(orElse(obj("zero"), lit(5)), lit(0)), expected: true },
  {
    note: "?? keeps empty string",
    condition: eq(orElse(obj("empty"), lit("x")), lit("")),
    expected: true,
  },
  {
    note: "?? of two missing is missing",
    condition: exists(orElse(obj("nope"), obj("nul"))),
    expected: false,
  },
  {
    note: "?? as a condition: missing ?? true holds",
    condition: orElse(obj("nope"), lit(true)),
    expected: true,
  },

  // Truth
  { note: "a ref to true holds", condition: obj("t"), expected: true },
  { note: "a ref to a string does not hold", condition: obj("s"), expected: false },
  { note: "a ref to 1 does not hold", condition: obj("n"), expected: false },
  { note: "a missing ref does not hold", condition: obj("nope"), expected: false },
  { note: "not of a string holds", condition: not(obj("s")), expected: true },
  { note: "and", condition: and(obj("t"), eq(obj("n"), lit(1))), expected: true },
  { note: "and with a missing operand", condition: and(obj("t"), obj("nope")), expected: false },
  { note: "or", condition: or(obj("fl"), obj("t")), expected: true },
  { note: "or of falsy", condition: or(obj("fl"), obj("nope"), obj("s")), expected: false },

  // Quantifiers
  {
    note: "any over a list",
    condition: any("x", obj("list"), cmp(v("x"), ">", lit(2))),
    expected: true,
  },
  {
    note: "any, none true",
    condition: any("x", obj("list"), cmp(v("x"), ">", lit(3))),
    expected: false,
  },
  {
    note: "any over empty is false",
    condition: any("x", obj("emptyList"), lit(true)),
    expected: false,
  },
  {
    note: "any over missing is false",
    condition: any("x", obj("nope"), lit(true)),
    expected: false,
  },
  { note: "any over null is false", condition: any("x", obj("nul"), lit(true)), expected: false },
  {
    note: "any over an object is false",
    condition: any("x", obj("obj"), lit(true)),
    expected: false,
  },
  { note: "any over a string is false", condition: any("x", obj("s"), lit(true)), expected: false },
  {
    note: "all over a list",
    condition: all("x", obj("list"), cmp(v("x"), ">", lit(0))),
    expected: true,
  },
  {
    note: "all, one fails",
    condition: all("x", obj("list"), cmp(v("x"), ">", lit(1))),
    expected: false,
  },
  {
    note: "all over empty is true",
    condition: all("x", obj("emptyList"), lit(false)),
    expected: true,
  },
  {
    note: "all over missing is true",
    condition: all("x", obj("nope"), lit(false)),
    expected: true,
  },
  {
    note: "all over an object is true",
    condition: all("x", obj("obj"), lit(false)),
    expected: true,
  },
  { note: "all over a number is true", condition: all("x", obj("n"), lit(false)), expected: true },
  {
    note: "none over a list",
    condition: none("x", obj("list"), cmp(v("x"), ">", lit(3))),
    expected: true,
  },
  {
    note: "none, one matches",
    condition: none("x", obj("list"), eq(v("x"), lit(2))),
    expected: false,
  },
  {
    note: "none over missing is true",
    condition: none("x", obj("nope"), lit(true)),
    expected: true,
  },
  {
    note: "none over an object is true",
    condition: none("x", obj("obj"), lit(true)),
    expected: true,
  },
  {
    note: "a null element is missing when bound",
    condition: any("x", obj("withNull"), not(exists(v("x")))),
    expected: true,
  },
  {
    note: "bound variable paths",
    condition: any("o", obj("objs"), eq(v("o", "a"), lit(2))),
    expected: true,
  },
  {
    note: "nested quantifiers see the outer variable",
    condition: any(
      "o",
      obj("objs"),
      any("n", obj("list"), and(eq(v("o", "a"), v("n")), eq(v("n"), lit(2)))),
    ),
    expected: true,
  },
  {
    note: "inner variable shadows the outer one",
    condition: any("x", obj("strs"), any("x", obj("list"), eq(v("x"), lit(3)))),
    expected: true,
  },
  {
    note: "the outer variable is back after the inner quantifier",
    condition: any(
      "x",
      obj("strs"),
      and(any("x", obj("list"), eq(v("x"), lit(3))), eq(v("x"), lit("b"))),
    ),
    expected: true,
  },
  {
    note: "not any inside any (registry pattern)",
    condition: any(
      "c",
      lit([{ image: "docker.io/nginx" }]),
      not(any("r", lit(["registry.example.com/"]), str(v("c", "image"), "startsWith", v("r")))),
    ),
    expected: true,
  },

  // List expressions
  {
    note: "list expression drops missing elements",
    condition: eq(list(obj("n"), obj("nope"), obj("nul"), obj("s")), lit([1, "abc"])),
    expected: true,
  },
  {
    note: "list of only missing is empty",
    condition: eq(len(list(obj("nope"))), lit(0)),
    expected: true,
  },
  {
    note: "in a list expression",
    condition: isIn(obj("s"), list(lit("x"), obj("s"))),
    expected: true,
  },
  {
    note: "any over a list expression",
    condition: any("x", list(obj("nope"), obj("n")), eq(v("x"), lit(1))),
    expected: true,
  },
];

describe("IR semantics", () => {
  it.each(rows)("$note", ({ condition, expected }) => {
    expect(holds(condition)).toBe(expected);
  });
});

describe("values", () => {
  it("null literal and null data are MISSING", () => {
    expect(evaluateValue(lit(null))).toBe(MISSING);
    expect(evaluateValue(obj("nul"))).toBe(MISSING);
    expect(evaluateValue(obj("nope"))).toBe(MISSING);
  });

  it("list expressions keep order and drop missing", () => {
    expect(evaluateValue(list(obj("s"), obj("nope"), lit(2), obj("list")))).toEqual([
      "abc",
      2,
      [1, 2, 3],
    ]);
  });

  it("len of astral strings counts code points", () => {
    expect(evaluateValue(len(lit("😀😀x")))).toBe(3);
    expect(evaluateValue(len(lit("\uD800")))).toBe(1); // a lone surrogate is one code point
  });

  it("keys lists an object's keys by code point, and is missing on anything else", () => {
    const keys = (arg: Expr): Expr => ({ kind: "keys", arg });
    // JS's default sort puts U+1F600 (UTF-16 D83D…) before U+FFFF; by code point it is after.
    expect(evaluateValue(keys(lit({ "\uffff": 1, "😀": 2, b: 3, a: null, "": 4 })))).toEqual([
      "",
      "a",
      "b",
      "\uffff",
      "😀",
    ]);
    expect(evaluateValue(keys(obj("emptyObj")))).toEqual([]);
    for (const other of [obj("s"), obj("list"), obj("n"), obj("nul"), obj("nope")])
      expect(evaluateValue(keys(other))).toBe(MISSING);
  });

  it("a comparison is a boolean value", () => {
    expect(evaluateValue(eq(lit(1), lit(1)))).toBe(true);
    expect(evaluateValue(eq(obj("nope"), lit(1)))).toBe(false);
  });
});

describe("roots", () => {
  const view = {
    metadata: { name: "p" },
    spec: {
      containers: [{ name: "a" }],
      initContainers: [{ name: "i" }],
      ephemeralContainers: [{ name: "e" }],
    },
  };
  const frame = (pod?: Json, p: JsonObject = {}) =>
    new Frame({ object: {}, ...(pod !== undefined ? { pod } : {}), params: p });

  it("containers concatenates containers, initContainers, ephemeralContainers in order", () => {
    const names = compileValue(containers(), Scope.empty())(frame(view));
    expect(names).toEqual([{ name: "a" }, { name: "i" }, { name: "e" }]);
  });

  it("a missing container list adds nothing", () => {
    const value = compileValue(
      containers(),
      Scope.empty(),
    )(frame({ spec: { initContainers: [{ name: "i" }], containers: null } }));
    expect(value).toEqual([{ name: "i" }]);
  });

  it("containers of a pod view without spec is empty; without pod view is missing", () => {
    expect(compileValue(containers(), Scope.empty())(frame({ metadata: {} }))).toEqual([]);
    expect(compileValue(containers(), Scope.empty())(frame(undefined))).toBe(MISSING);
  });

  it("pod and params roots", () => {
    expect(compileValue(pod("metadata", "name"), Scope.empty())(frame(view))).toBe("p");
    expect(compileValue(pod("spec"), Scope.empty())(frame(undefined))).toBe(MISSING);
    expect(
      compileTest(
        isIn(lit("b"), params("allowed")),
        Scope.empty(),
      )(frame(view, { allowed: ["a", "b"] })),
    ).toBe(true);
  });
});

describe("compile errors", () => {
  it("an unbound variable", () => {
    expect(() => compileTest(eq(v("c"), lit(1)), Scope.empty())).toThrow(IrCompileError);
  });

  it("a literal pattern RE2 rejects", () => {
    expect(() => compileTest(str(obj("s"), "matches", lit("(?=x)")), Scope.empty())).toThrow(
      /not valid RE2/,
    );
    expect(() => compileTest(str(obj("s"), "matches", lit("(a")), Scope.empty())).toThrow(
      IrCompileError,
    );
  });

  it("a pattern RE2 rejects from data is false, every time (cached)", () => {
    const test = compileTest(str(lit("a"), "matches", obj("p")), Scope.empty());
    for (let i = 0; i < 3; i++) {
      expect(test(new Frame({ object: { p: "(a" }, params: {} }))).toBe(false);
    }
    expect(test(new Frame({ object: { p: "a|(" }, params: {} }))).toBe(false);
    expect(test(new Frame({ object: { p: "^a$" }, params: {} }))).toBe(true);
  });
});
