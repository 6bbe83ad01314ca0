/**
 * The IR semantics table (a row per rule: a condition, the `data` of a resource, the truth value the
 * IR gives), written from packages/ir/README.md and run on every engine: real OPA
 * (opa/semantics.test.ts), the Kubernetes CEL judge (cel-judge-engine/semantics.test.ts), each
 * compared with the IR engine.
 */
import type { Expr, Json } from "@charter/ir";
import {
  and,
  cmp,
  data,
  exists,
  isIn,
  len,
  list,
  lit,
  not,
  or,
  orElse,
  q,
  str,
  v,
} from "./build-ir.js";

// biome-ignore lint/suspicious/noTemplateCurlyInString: a hostile string on purpose
export const HOSTILE = '"}\n\\{{x}} ${1}\u0000\t\u2028\ufeff😀 `sprintf("%s")` \\u0041';

export const DATA: Record<string, Json> = {
  one: 1,
  zero: 0,
  half: 0.5,
  big: 9007199254740991,
  negative: -3,
  t: true,
  f: false,
  nul: null,
  str: "abc",
  empty: "",
  astral: "a😀é",
  bmpMax: "\uffff",
  smile: "😀",
  list: [1, 2],
  nested: [[1], [2, 3]],
  withNull: [null, 1],
  obj: { b: [1, 2], a: "x" },
  emptyList: [],
  emptyObj: {},
  hostile: HOSTILE,
  "we ird\n": "key",
  if: "keyword",
  registry: "registry.example.com/team/app:1.0",
  fakeRegistry: "registryXexample.com/team/app",
  multiline: "a\nb",
  metas: "a+b(c)[d]$^|{e}\\",
  globPattern: "*.example.com",
  question: "?",
  digits: { "0": "zero" },
  badPattern: "(",
  // keys(): insertion order is not code point order (JS engines keep insertion order, the
  // API server's maps have none), astral keys sort after U+FFFF, a null value is still a key.
  keyed: { "😀": 1, "\uffff": 2, b: 3, a: null, é: 4 },
  sameKeys: { a: 1, b: 2 },
  sortedKeys: ["a", "b"],
  unsortedKeys: ["b", "a"],
  dupKeys: ["a", "a"],
  keyLists: [["b", "a"], 1, ["a", "b"]],
  containers: [
    { name: "a", ports: [{ p: 80 }, { p: 443 }], image: "x" },
    { name: "b", ports: [], image: "y" },
    { name: "c", ports: [{ p: 0 }] },
  ],
};

const keys = (arg: Expr): Expr => ({ kind: "keys", arg });
const index = (value: Expr, key: Expr): Expr => ({ kind: "index", value, key });

export interface SemanticsRow {
  readonly note: string;
  readonly condition: Expr;
  readonly expected: boolean;
}

export const SEMANTICS_ROWS: SemanticsRow[] = [
  // Missing and null operands
  { note: "missing == 1 is false", condition: cmp(data("missing"), "==", lit(1)), expected: false },
  {
    note: "not (missing == 1) is true",
    condition: not(cmp(data("missing"), "==", lit(1))),
    expected: true,
  },
  { note: "missing != 1 is false", condition: cmp(data("missing"), "!=", lit(1)), expected: false },
  {
    note: "not (missing != 1) is true",
    condition: not(cmp(data("missing"), "!=", lit(1))),
    expected: true,
  },
  {
    note: "null == null literal is false",
    condition: cmp(data("nul"), "==", lit(null)),
    expected: false,
  },
  { note: "null != 1 is false", condition: cmp(data("nul"), "!=", lit(1)), expected: false },
  {
    note: "path through null is missing",
    condition: not(exists(data("nul", "x"))),
    expected: true,
  },
  { note: "missing < 1 is false", condition: cmp(data("missing"), "<", lit(1)), expected: false },
  {
    note: "not (missing >= 1) is true",
    condition: not(cmp(data("missing"), ">=", lit(1))),
    expected: true,
  },
  { note: "exists(null) is false", condition: exists(data("nul")), expected: false },
  { note: "exists(0) is true", condition: exists(data("zero")), expected: true },
  { note: "exists(false) is true", condition: exists(data("f")), expected: true },
  { note: "exists(missing) is false", condition: exists(data("missing")), expected: false },
  // Types
  { note: "1 == '1' is false", condition: cmp(data("one"), "==", lit("1")), expected: false },
  { note: "1 != '1' is true", condition: cmp(data("one"), "!=", lit("1")), expected: true },
  { note: "1 < 'a' is false", condition: cmp(data("one"), "<", lit("a")), expected: false },
  {
    note: "not (1 < 'a') is true",
    condition: not(cmp(data("one"), "<", lit("a"))),
    expected: true,
  },
  { note: "'abc' > 1 is false", condition: cmp(data("str"), ">", data("one")), expected: false },
  { note: "true == 1 is false", condition: cmp(data("t"), "==", lit(1)), expected: false },
  { note: "false == 0 is false", condition: cmp(data("f"), "==", lit(0)), expected: false },
  {
    note: "false < true is false (booleans unordered)",
    condition: cmp(data("f"), "<", data("t")),
    expected: false,
  },
  { note: "lists are unordered", condition: cmp(lit([1]), "<", lit([2])), expected: false },
  { note: "0.5 == 0.5", condition: cmp(data("half"), "==", lit(0.5)), expected: true },
  {
    note: "2^53-1 == 2^53-1",
    condition: cmp(data("big"), "==", lit(9007199254740991)),
    expected: true,
  },
  { note: "-3 < 0.5", condition: cmp(data("negative"), "<", data("half")), expected: true },
  { note: "2 <= 2", condition: cmp(lit(2), "<=", lit(2)), expected: true },
  { note: "'a' >= 'a'", condition: cmp(lit("a"), ">=", lit("a")), expected: true },
  // Deep equality
  {
    note: "objects equal whatever the key order",
    condition: cmp(data("obj"), "==", lit({ a: "x", b: [1, 2] })),
    expected: true,
  },
  { note: "list order matters", condition: cmp(data("list"), "==", lit([2, 1])), expected: false },
  {
    note: "null inside a list is data",
    condition: cmp(data("withNull"), "==", lit([null, 1])),
    expected: true,
  },
  { note: "{} != []", condition: cmp(data("emptyObj"), "!=", data("emptyList")), expected: true },
  // Strings by code point
  {
    note: "U+FFFF < U+1F600 (code points, not UTF-16)",
    condition: cmp(data("bmpMax"), "<", data("smile")),
    expected: true,
  },
  { note: "'abc' < 'abd'", condition: cmp(data("str"), "<", lit("abd")), expected: true },
  { note: "'' < 'a'", condition: cmp(data("empty"), "<", lit("a")), expected: true },
  // len
  {
    note: "len counts code points",
    condition: cmp(len(data("astral")), "==", lit(3)),
    expected: true,
  },
  { note: "len of a list", condition: cmp(len(data("nested")), "==", lit(2)), expected: true },
  { note: "len of an object", condition: cmp(len(data("obj")), "==", lit(2)), expected: true },
  {
    note: "len of a number is missing",
    condition: cmp(len(data("one")), ">=", lit(0)),
    expected: false,
  },
  {
    note: "not len(missing) == 0",
    condition: not(cmp(len(data("missing")), "==", lit(0))),
    expected: true,
  },
  { note: "len('') == 0", condition: cmp(len(data("empty")), "==", lit(0)), expected: true },
  // in
  { note: "key in object", condition: isIn(lit("a"), data("obj")), expected: true },
  { note: "value is not a key", condition: isIn(lit("x"), data("obj")), expected: false },
  { note: "element in list", condition: isIn(lit(2), data("list")), expected: true },
  { note: "deep element in list", condition: isIn(lit([2, 3]), data("nested")), expected: true },
  { note: "in a string is false", condition: isIn(lit("a"), data("str")), expected: false },
  {
    note: "missing in list is false",
    condition: isIn(data("missing"), data("withNull")),
    expected: false,
  },
  {
    note: "null literal in [null] is false",
    condition: isIn(lit(null), data("withNull")),
    expected: false,
  },
  {
    note: "not (missing in list) is true",
    condition: not(isIn(data("missing"), data("list"))),
    expected: true,
  },
  { note: "'1' in [1, 2] is false", condition: isIn(lit("1"), data("list")), expected: false },
  {
    note: "number in object is false",
    condition: isIn(lit(1), lit({ "1": true })),
    expected: false,
  },
  // Quantifiers
  {
    note: "any over missing is false",
    condition: q("any", "x", data("missing"), lit(true)),
    expected: false,
  },
  {
    note: "all over missing is true",
    condition: q("all", "x", data("missing"), lit(false)),
    expected: true,
  },
  {
    note: "none over missing is true",
    condition: q("none", "x", data("missing"), lit(true)),
    expected: true,
  },
  {
    note: "any over empty is false",
    condition: q("any", "x", data("emptyList"), lit(true)),
    expected: false,
  },
  {
    note: "all over empty is true",
    condition: q("all", "x", data("emptyList"), lit(false)),
    expected: true,
  },
  {
    note: "any over an object is false",
    condition: q("any", "x", data("obj"), lit(true)),
    expected: false,
  },
  {
    note: "all over an object is true",
    condition: q("all", "x", data("obj"), lit(false)),
    expected: true,
  },
  {
    note: "any over a string is false",
    condition: q("any", "x", data("str"), lit(true)),
    expected: false,
  },
  {
    note: "any x: x == 2",
    condition: q("any", "x", data("list"), cmp(v("x"), "==", lit(2))),
    expected: true,
  },
  {
    note: "all x: x > 0",
    condition: q("all", "x", data("list"), cmp(v("x"), ">", lit(0))),
    expected: true,
  },
  {
    note: "all x: x > 1",
    condition: q("all", "x", data("list"), cmp(v("x"), ">", lit(1))),
    expected: false,
  },
  {
    note: "all over nulls: not exists",
    condition: q("all", "x", data("withNull"), exists(v("x"))),
    expected: false,
  },
  {
    note: "nested: some container has all ports > 0 (b: vacuous)",
    condition: q(
      "any",
      "c",
      data("containers"),
      q("all", "p", v("c", "ports"), cmp(v("p", "p"), ">", lit(0))),
    ),
    expected: true,
  },
  {
    note: "nested: every container has some port > 100",
    condition: q(
      "all",
      "c",
      data("containers"),
      q("any", "p", v("c", "ports"), cmp(v("p", "p"), ">", lit(100))),
    ),
    expected: false,
  },
  {
    note: "nested: no container lacks an image (c lacks one)",
    condition: q("none", "c", data("containers"), not(exists(v("c", "image")))),
    expected: false,
  },
  {
    note: "shadowing: inner x is the inner element",
    condition: q("any", "x", data("nested"), q("any", "x", v("x"), cmp(v("x"), "==", lit(3)))),
    expected: true,
  },
  {
    note: "outer variable used inside all",
    condition: q(
      "any",
      "c",
      data("containers"),
      and(
        cmp(v("c", "name"), "==", lit("a")),
        q("all", "p", v("c", "ports"), cmp(v("p", "p"), ">=", lit(80))),
      ),
    ),
    expected: true,
  },
  // Regular expressions (RE2, partial match)
  { note: "matches is partial", condition: str(data("str"), "matches", lit("b")), expected: true },
  { note: "anchored pattern", condition: str(data("str"), "matches", lit("^b")), expected: false },
  {
    note: "pattern from data RE2 rejects is false",
    condition: str(data("str"), "matches", data("badPattern")),
    expected: false,
  },
  {
    note: "not of a rejected pattern is true",
    condition: not(str(data("str"), "matches", data("badPattern"))),
    expected: true,
  },
  {
    note: "matches on a number is false",
    condition: str(data("one"), "matches", lit("1")),
    expected: false,
  },
  {
    note: "regex dot matches an astral char",
    condition: str(data("smile"), "matches", lit("^.$")),
    expected: true,
  },
  // Globs
  {
    note: "glob * crosses / and .",
    condition: str(data("registry"), "glob", lit("registry.example.com/*")),
    expected: true,
  },
  {
    note: "glob . is literal",
    condition: str(data("fakeRegistry"), "glob", lit("registry.example.com/*")),
    expected: false,
  },
  {
    note: "glob is anchored",
    condition: str(data("registry"), "glob", lit("example.com/*")),
    expected: false,
  },
  { note: "glob ? matches /", condition: str(lit("a/b"), "glob", lit("a?b")), expected: true },
  {
    note: "glob * matches a newline",
    condition: str(data("multiline"), "glob", lit("a*b")),
    expected: true,
  },
  {
    note: "glob ? is one code point",
    condition: str(data("smile"), "glob", lit("?")),
    expected: true,
  },
  { note: "glob ? is not two", condition: str(lit("ab"), "glob", lit("?")), expected: false },
  {
    note: "glob regex metacharacters are literal",
    condition: str(data("metas"), "glob", lit("a+b(c)[d]$^|{e}\\")),
    expected: true,
  },
  {
    note: "glob metacharacters do not act",
    condition: str(lit("aab(c)[d]$^|{e}\\"), "glob", lit("a+b(c)[d]$^|{e}\\")),
    expected: false,
  },
  {
    note: "glob pattern from data",
    condition: str(lit("x.example.com"), "glob", data("globPattern")),
    expected: true,
  },
  {
    note: "glob pattern from data, no match",
    condition: str(lit("x.example.org"), "glob", data("globPattern")),
    expected: false,
  },
  {
    note: "glob pattern from data with metacharacters",
    condition: str(data("metas"), "glob", data("metas")),
    expected: true,
  },
  {
    note: "glob from data: ? on an astral char",
    condition: str(data("smile"), "glob", data("question")),
    expected: true,
  },
  {
    note: "glob on a number is false",
    condition: str(data("one"), "glob", lit("*")),
    expected: false,
  },
  {
    note: "empty glob matches only ''",
    condition: str(data("empty"), "glob", lit("")),
    expected: true,
  },
  // String predicates
  { note: "startsWith", condition: str(data("astral"), "startsWith", lit("a😀")), expected: true },
  { note: "endsWith", condition: str(data("astral"), "endsWith", lit("é")), expected: true },
  { note: "contains", condition: str(data("hostile"), "contains", lit("{{x}}")), expected: true },
  {
    note: "startsWith a number is false",
    condition: str(data("one"), "startsWith", lit("1")),
    expected: false,
  },
  {
    note: "startsWith missing is false",
    condition: str(data("str"), "startsWith", data("missing")),
    expected: false,
  },
  // ?? and lists
  {
    note: "missing ?? 'd'",
    condition: cmp(orElse(data("missing"), lit("d")), "==", lit("d")),
    expected: true,
  },
  { note: "null ?? 5", condition: cmp(orElse(data("nul"), lit(5)), "==", lit(5)), expected: true },
  {
    note: "0 ?? 5 is 0",
    condition: cmp(orElse(data("zero"), lit(5)), "==", lit(0)),
    expected: true,
  },
  {
    note: "false ?? true is false",
    condition: cmp(orElse(data("f"), lit(true)), "==", lit(false)),
    expected: true,
  },
  {
    note: "1 ?? missing is 1",
    condition: cmp(orElse(data("one"), data("missing")), "==", lit(1)),
    expected: true,
  },
  {
    note: "missing ?? missing is missing",
    condition: not(exists(orElse(data("missing"), data("nul")))),
    expected: true,
  },
  {
    note: "list drops missing items",
    condition: cmp(list(data("missing"), lit(1), data("nul"), data("one")), "==", lit([1, 1])),
    expected: true,
  },
  { note: "empty list literal", condition: cmp(len(list()), "==", lit(0)), expected: true },
  // Truth of values; conditions as values
  { note: "a true ref holds", condition: data("t"), expected: true },
  { note: "a 1 does not hold", condition: data("one"), expected: false },
  { note: "not 1 holds", condition: not(data("one")), expected: true },
  { note: "literal false", condition: lit(false), expected: false },
  { note: "literal 'true' string does not hold", condition: lit("true"), expected: false },
  {
    note: "condition as value",
    condition: cmp(cmp(data("one"), "==", lit(1)), "==", lit(true)),
    expected: true,
  },
  {
    note: "condition on missing as value is false",
    condition: cmp(cmp(data("missing"), "==", lit(1)), "==", lit(false)),
    expected: true,
  },
  // Boolean operators
  {
    note: "or with a missing side",
    condition: or(cmp(data("missing"), "==", lit(1)), cmp(data("one"), "==", lit(1))),
    expected: true,
  },
  {
    note: "and with a missing side",
    condition: and(cmp(data("missing"), "==", lit(1)), cmp(data("one"), "==", lit(1))),
    expected: false,
  },
  { note: "not (a and b)", condition: not(and(data("t"), data("f"))), expected: true },
  { note: "not not", condition: not(not(data("t"))), expected: true },
  {
    note: "not (a or b) over missing",
    condition: not(or(exists(data("missing")), data("f"))),
    expected: true,
  },
  // Hostile strings and odd keys
  {
    note: "hostile literal equals hostile data",
    condition: cmp(data("hostile"), "==", lit(HOSTILE)),
    expected: true,
  },
  {
    note: "key with space and newline",
    condition: cmp(data("we ird\n"), "==", lit("key")),
    expected: true,
  },
  { note: "keyword key", condition: cmp(data("if"), "==", lit("keyword")), expected: true },
  { note: "index into a string is missing", condition: exists(data("str", 0)), expected: false },
  {
    note: "string index into a list is missing",
    condition: exists(data("list", "0")),
    expected: false,
  },
  {
    note: "number index into a list",
    condition: cmp(data("list", 1), "==", lit(2)),
    expected: true,
  },
  { note: "index past the end is missing", condition: exists(data("list", 2)), expected: false },
  {
    note: "number step into an object is missing",
    condition: exists(data("digits", 0)),
    expected: false,
  },
  { note: "string step into an object", condition: exists(data("digits", "0")), expected: true },
  // keys(x): an object's keys sorted by code point; missing for anything else
  {
    note: "keys are sorted, not in insertion order",
    condition: cmp(keys(data("obj")), "==", lit(["a", "b"])),
    expected: true,
  },
  {
    note: "keys in insertion order are not the keys",
    condition: cmp(keys(data("obj")), "==", lit(["b", "a"])),
    expected: false,
  },
  {
    note: "astral keys sort by code point, after U+FFFF; a null value is a key",
    condition: cmp(keys(data("keyed")), "==", lit(["a", "b", "é", "\uffff", "😀"])),
    expected: true,
  },
  {
    note: "keys are not in UTF-16 order",
    condition: cmp(keys(data("keyed")), "==", lit(["a", "b", "é", "😀", "\uffff"])),
    expected: false,
  },
  {
    note: "keys of a literal object",
    condition: cmp(keys(lit({ "😀": 1, "\uffff": 2 })), "==", lit(["\uffff", "😀"])),
    expected: true,
  },
  {
    note: "keys of an empty object is the empty list",
    condition: cmp(keys(data("emptyObj")), "==", lit([])),
    expected: true,
  },
  {
    note: "keys of an empty object is present",
    condition: exists(keys(data("emptyObj"))),
    expected: true,
  },
  { note: "len of keys", condition: cmp(len(keys(data("keyed"))), "==", lit(5)), expected: true },
  { note: "keys of a string is missing", condition: exists(keys(data("str"))), expected: false },
  { note: "keys of a list is missing", condition: exists(keys(data("list"))), expected: false },
  { note: "keys of a number is missing", condition: exists(keys(data("one"))), expected: false },
  { note: "keys of null is missing", condition: exists(keys(data("nul"))), expected: false },
  { note: "keys of missing is missing", condition: exists(keys(data("nope"))), expected: false },
  {
    note: "keys of null == [] is false",
    condition: cmp(keys(data("nul")), "==", lit([])),
    expected: false,
  },
  {
    note: "keys of a string != [] is false (missing)",
    condition: cmp(keys(data("str")), "!=", lit([])),
    expected: false,
  },
  {
    note: "keys != in another order",
    condition: cmp(keys(data("obj")), "!=", lit(["b", "a"])),
    expected: true,
  },
  {
    note: "keys != the sorted keys is false",
    condition: cmp(keys(data("obj")), "!=", data("sortedKeys")),
    expected: false,
  },
  {
    note: "keys == a sorted list from data",
    condition: cmp(data("sortedKeys"), "==", keys(data("obj"))),
    expected: true,
  },
  {
    note: "keys == an unsorted list from data is false",
    condition: cmp(keys(data("obj")), "==", data("unsortedKeys")),
    expected: false,
  },
  {
    note: "keys == a list with a repeated key is false",
    condition: cmp(keys(data("obj")), "==", data("dupKeys")),
    expected: false,
  },
  {
    note: "keys == a list of numbers is false",
    condition: cmp(keys(data("sameKeys")), "==", data("list")),
    expected: false,
  },
  {
    note: "keys == missing is false",
    condition: cmp(keys(data("obj")), "==", data("nope")),
    expected: false,
  },
  {
    note: "keys of two objects with the same keys are equal",
    condition: cmp(keys(data("obj")), "==", keys(data("sameKeys"))),
    expected: true,
  },
  {
    note: "keys of objects with other keys differ",
    condition: cmp(keys(data("obj")), "!=", keys(data("keyed"))),
    expected: true,
  },
  {
    note: "keys < keys is false (lists are unordered)",
    condition: cmp(keys(data("obj")), "<", keys(data("keyed"))),
    expected: false,
  },
  { note: "a key in keys", condition: isIn(lit("é"), keys(data("keyed"))), expected: true },
  {
    note: "keys in a literal list of lists",
    condition: isIn(keys(data("obj")), lit([1, ["a", "b"]])),
    expected: true,
  },
  {
    note: "keys in a literal list in another order is false",
    condition: isIn(keys(data("obj")), lit([["b", "a"]])),
    expected: false,
  },
  {
    note: "keys in a list from data",
    condition: isIn(keys(data("sameKeys")), data("keyLists")),
    expected: true,
  },
  {
    note: "keys in an object is false (a list is not a key)",
    condition: isIn(keys(data("obj")), data("sameKeys")),
    expected: false,
  },
  { note: "keys does not hold as a condition", condition: keys(data("obj")), expected: false },
  // x[k]: the entry under a string key of an object; missing for anything else
  {
    note: "x[k] with k from keys(x)",
    condition: q("any", "k", keys(data("obj")), cmp(index(data("obj"), v("k")), "==", lit("x"))),
    expected: true,
  },
  {
    note: "x[k] under an astral key",
    condition: q(
      "any",
      "k",
      keys(data("keyed")),
      and(cmp(v("k"), "==", lit("😀")), cmp(index(data("keyed"), v("k")), "==", lit(1))),
    ),
    expected: true,
  },
  {
    note: "x[k] of a null entry is missing",
    condition: q(
      "any",
      "k",
      keys(data("keyed")),
      and(cmp(v("k"), "==", lit("a")), not(exists(index(data("keyed"), v("k"))))),
    ),
    expected: true,
  },
  {
    note: "x[k] of an absent key is missing",
    condition: exists(index(data("obj"), data("str"))),
    expected: false,
  },
  {
    note: "x[k] of an absent key ?? d is d",
    condition: cmp(orElse(index(data("obj"), data("str")), lit("d")), "==", lit("d")),
    expected: true,
  },
  {
    note: "x[k] with a string key that looks like a number",
    condition: cmp(index(data("digits"), lit("0")), "==", lit("zero")),
    expected: true,
  },
  {
    note: "x[k] with a number key is missing, even where its text is a key",
    condition: exists(index(data("digits"), data("zero"))),
    expected: false,
  },
  {
    note: "x[k] with a literal number key is missing",
    condition: exists(index(data("digits"), lit(0))),
    expected: false,
  },
  {
    note: "x[k] of a list is missing",
    condition: exists(index(data("list"), data("str"))),
    expected: false,
  },
  {
    note: "x[k] of a string is missing",
    condition: exists(index(data("str"), data("str"))),
    expected: false,
  },
  {
    note: "x[k] of null or missing is missing",
    condition: or(
      exists(index(data("nul"), data("str"))),
      exists(index(data("nope"), data("str"))),
    ),
    expected: false,
  },
  {
    note: "x[k] of a literal object under a hostile key",
    condition: cmp(index(lit({ [HOSTILE]: [1] }), data("hostile")), "==", lit([1])),
    expected: true,
  },
  {
    note: "x[k] gives lists and objects whole",
    condition: cmp(index(data("obj"), lit("b")), "==", lit([1, 2])),
    expected: true,
  },
  {
    note: "x[k] holds as a condition when the entry is true",
    condition: and(index(data(), lit("t")), not(index(data(), lit("f")))),
    expected: true,
  },
  {
    note: "any over keys",
    condition: q("any", "k", keys(data("keyed")), str(v("k"), "startsWith", lit("😀"))),
    expected: true,
  },
  {
    note: "all over keys",
    condition: q("all", "k", keys(data("keyed")), cmp(len(v("k")), "==", lit(1))),
    expected: true,
  },
  {
    note: "none over keys of a non-object holds",
    condition: q("none", "k", keys(data("str")), lit(true)),
    expected: true,
  },
  {
    note: "any over keys reads the values by key",
    condition: q("any", "k", keys(data("sameKeys")), cmp(v("k"), "==", lit("b"))),
    expected: true,
  },
  {
    note: "hostile keys of the data object",
    condition: q("any", "k", keys(data()), cmp(v("k"), "==", lit("we ird\n"))),
    expected: true,
  },
  {
    note: "keys in a list expression (CEL refuses)",
    condition: cmp(len(list(keys(data("obj")))), "==", lit(1)),
    expected: true,
  },
  {
    note: "keys ?? [] of a string (CEL refuses)",
    condition: cmp(orElse(keys(data("str")), lit([])), "==", lit([])),
    expected: true,
  },
];
