/**
 * Random IR for differentials between evaluators: conditions built from every expression kind,
 * over paths that step through the keys JavaScript objects inherit (`constructor`, `__proto__`,
 * `toString`…) as well as the fields generated resources have, with literals, patterns and
 * message holes to match. Variables are `x` and `y`; a reference to one no quantifier binds is
 * possible on purpose (both evaluators must refuse the policy with the same error).
 */
import type { Expr, Json, MessagePart, Policy, Root, Segment } from "@charter/ir";
import { podMatch, policy, rule, text } from "@charter/test-support/build-ir";
import fc from "fast-check";

export const INHERITED_KEYS = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "valueOf",
] as const;

const FIELDS = [
  "spec",
  "metadata",
  "labels",
  "name",
  "namespace",
  "image",
  "containers",
  "securityContext",
  "privileged",
  "runAsUser",
  "hostPath",
  "path",
  "env",
  "value",
  "volumes",
  "operation",
  "app",
] as const;

const segment: fc.Arbitrary<Segment> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...FIELDS) },
  { weight: 3, arbitrary: fc.constantFrom(...INHERITED_KEYS) },
  { weight: 2, arbitrary: fc.nat(2) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 3 }) },
);

const strings: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    ...INHERITED_KEYS,
    ...FIELDS,
    "",
    "😀",
    "\uffff",
    "é",
    "a\nb",
    "registry.example.com/",
  ),
  fc.string({ unit: "binary", maxLength: 4 }),
);

/** JSON literals; objects are made by JSON.parse so `__proto__` is an own key, as in data. */
const json: fc.Arbitrary<Json> = fc.letrec<{ json: Json }>((tie) => ({
  json: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    strings,
    fc.constant(null),
    fc.boolean(),
    fc.integer({ min: -5, max: 70000 }),
    fc.constantFrom(0.5, -0, 2 ** 53 - 1, 1e21),
    fc.array(tie("json"), { maxLength: 3 }),
    fc
      .array(fc.tuple(fc.oneof(strings, fc.constantFrom(...INHERITED_KEYS)), tie("json")), {
        maxLength: 3,
      })
      .map((entries) => {
        const object: Record<string, Json> = {};
        for (const [key, value] of entries) {
          Object.defineProperty(object, key, {
            value,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
        return object;
      }),
  ),
})).json;

const root = fc.constantFrom<Root>(
  { kind: "object" },
  { kind: "pod" },
  { kind: "containers" },
  { kind: "params" },
  { kind: "request" },
  { kind: "namespace" },
  { kind: "var", name: "x" },
  { kind: "var", name: "y" },
);

const ref: fc.Arbitrary<Expr> = fc
  .tuple(root, fc.array(segment, { maxLength: 4 }))
  .map(([r, path]) => ({ kind: "ref", root: r, path }));

const PATTERNS = ["^a", "b$", ".*", "😀", "\\d+", "(", "[", "^(?s:.)$", "con.*or", "^$"];

const expr: fc.Arbitrary<Expr> = fc.letrec<{ expr: Expr }>((tie) => {
  const e = () => tie("expr");
  return {
    expr: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      { weight: 4, arbitrary: ref },
      { weight: 2, arbitrary: json.map((value): Expr => ({ kind: "literal", value })) },
      fc.array(e(), { maxLength: 3 }).map((items): Expr => ({ kind: "list", items })),
      fc
        .tuple(fc.constantFrom("==", "!=", "<", "<=", ">", ">=" as const), e(), e())
        .map(([op, left, right]): Expr => ({ kind: "compare", op, left, right })),
      fc.tuple(e(), e()).map(([item, collection]): Expr => ({ kind: "in", item, collection })),
      fc
        .tuple(
          fc.constantFrom("startsWith", "endsWith", "contains", "matches", "glob" as const),
          e(),
          fc.oneof(
            e(),
            fc.constantFrom(...PATTERNS).map((value): Expr => ({ kind: "literal", value })),
          ),
        )
        .map(([op, left, right]): Expr => ({ kind: "string", op, left, right })),
      fc.array(e(), { maxLength: 3 }).map((args): Expr => ({ kind: "and", args })),
      fc.array(e(), { maxLength: 3 }).map((args): Expr => ({ kind: "or", args })),
      e().map((arg): Expr => ({ kind: "not", arg })),
      fc
        .tuple(fc.constantFrom("any", "all", "none" as const), fc.constantFrom("x", "y"), e(), e())
        .map(
          ([quantifier, variable, collection, body]): Expr => ({
            kind: "quantifier",
            quantifier,
            variable,
            collection,
            body,
          }),
        ),
      e().map((arg): Expr => ({ kind: "exists", arg })),
      fc.tuple(e(), e()).map(([value, fallback]): Expr => ({ kind: "default", value, fallback })),
      e().map((arg): Expr => ({ kind: "len", arg })),
      e().map((arg): Expr => ({ kind: "keys", arg })),
      fc.tuple(e(), e()).map(([value, key]): Expr => ({ kind: "index", value, key })),
      fc.option(e(), { nil: undefined }).map(
        (namespace): Expr => ({
          kind: "inventory",
          apiVersion: "v1",
          resource: "Pod",
          ...(namespace ? { namespace } : {}),
        }),
      ),
    ),
  };
}).expr;

/** A condition, biased towards `any x in …:` chains so messages have witnesses to render. */
const condition: fc.Arbitrary<Expr> = fc.oneof(
  expr,
  fc.tuple(fc.constantFrom("x", "y"), expr, expr).map(
    ([variable, collection, body]): Expr => ({
      kind: "quantifier",
      quantifier: "any",
      variable,
      collection,
      body,
    }),
  ),
);

const messagePart: fc.Arbitrary<MessagePart> = fc.oneof(
  strings.map((t) => text(t)),
  fc.oneof(ref, expr).map((e): MessagePart => ({ kind: "hole", expr: e, source: "…" })),
);

/** A policy matching pods and their controllers, with one to three random rules. */
export const randomPolicy = (name: string): fc.Arbitrary<Policy> =>
  fc
    .tuple(
      fc.array(fc.tuple(condition, fc.array(messagePart, { maxLength: 4 })), {
        minLength: 1,
        maxLength: 3,
      }),
      fc.dictionary(fc.oneof(strings, fc.constantFrom(...INHERITED_KEYS)), json, { maxKeys: 3 }),
    )
    .map(([rules, params]) =>
      policy(
        name,
        rules.map(([c, parts], index) => rule(`r${index}`, c, parts)),
        { match: podMatch(), params: JSON.parse(JSON.stringify(params)) },
      ),
    );

const at = (root: Root, ...path: Segment[]): Expr => ({ kind: "ref", root, path });
const literal = (value: Json): Expr => ({ kind: "literal", value });
const anyIn = (variable: string, collection: Expr, body: Expr): Expr => ({
  kind: "quantifier",
  quantifier: "any",
  variable,
  collection,
  body,
});
const hole = (expr: Expr): MessagePart => ({ kind: "hole", expr, source: "…" });

/** Where the probes look for inherited keys: objects every generated resource may have. */
const PROBED: readonly [Root, ...Segment[]][] = [
  [{ kind: "object" }],
  [{ kind: "object" }, "metadata"],
  [{ kind: "object" }, "metadata", "labels"],
  [{ kind: "pod" }, "spec"],
  [{ kind: "var", name: "c" }],
  [{ kind: "var", name: "c" }, "securityContext"],
  [{ kind: "params" }],
  [{ kind: "request" }],
];

/**
 * Fixed policies that are sure to read what random IR reads only by chance: every inherited
 * key by path, by index and by `in` on every probed object (so an object that does not own
 * the key must answer missing, never its prototype's value), every key list in order (code
 * point order, not UTF-16), and code point order and length of the hostile strings.
 */
export function probePolicies(): Policy[] {
  const rules = PROBED.flatMap(([root, ...path], p) => {
    const within = at(root, ...path);
    const inContainer = (condition: Expr): Expr =>
      root.kind === "var" ? anyIn("c", at({ kind: "containers" }), condition) : condition;
    return [
      rule(`keys-${p}`, inContainer(anyIn("k", { kind: "keys", arg: within }, literal(true))), [
        text("key "),
        hole(at({ kind: "var", name: "k" })),
        text(" = "),
        hole({ kind: "index", value: within, key: at({ kind: "var", name: "k" }) }),
      ]),
      ...INHERITED_KEYS.flatMap((key, k) => [
        rule(`path-${p}-${k}`, inContainer({ kind: "exists", arg: at(root, ...path, key) }), [
          hole(at(root, ...path, key)),
        ]),
        rule(
          `index-${p}-${k}`,
          inContainer({ kind: "exists", arg: { kind: "index", value: within, key: literal(key) } }),
          [hole({ kind: "index", value: within, key: literal(key) })],
        ),
        rule(`in-${p}-${k}`, inContainer({ kind: "in", item: literal(key), collection: within }), [
          text(key),
        ]),
        rule(
          `equal-${p}-${k}`,
          inContainer({
            kind: "compare",
            op: "==",
            left: { kind: "default", value: at(root, ...path, key), fallback: literal("absent") },
            right: literal("absent"),
          }),
          [text("absent")],
        ),
      ]),
    ];
  });
  const c = (...path: Segment[]) => at({ kind: "var", name: "c" }, ...path);
  const d = (...path: Segment[]) => at({ kind: "var", name: "d" }, ...path);
  const containers = at({ kind: "containers" });
  const order = (["<", "<=", ">", ">="] as const).flatMap((op) =>
    (["name", "image"] as const).map((field) =>
      rule(
        `order-${op}-${field}`,
        anyIn(
          "c",
          containers,
          anyIn("d", containers, { kind: "compare", op, left: c(field), right: d(field) }),
        ),
        [hole(c(field)), text(` ${op} `), hole(d(field))],
      ),
    ),
  );
  const lengths = rule(
    "len",
    anyIn("c", containers, { kind: "exists", arg: { kind: "len", arg: c("name") } }),
    [hole(c("name")), text(" has "), hole({ kind: "len", arg: c("name") })],
  );
  const equal = (["", "securityContext", "env"] as const).map((field) =>
    rule(
      `equal-${field}`,
      anyIn(
        "c",
        containers,
        anyIn("d", containers, {
          kind: "compare",
          op: "==",
          left: field ? c(field) : c(),
          right: field ? d(field) : d(),
        }),
      ),
      [hole(c("name")), text(" == "), hole(d("name"))],
    ),
  );
  // Messages the API server would refuse (over 5 KiB in UTF-8, or blank once Go-trimmed) give
  // way to the static message; the hole decides which side of the limit a message falls on.
  const messages = [
    rule("message-limit", anyIn("c", containers, literal(true)), [
      text("é".repeat(2555)),
      hole(c("name")),
    ]),
    rule("message-space", anyIn("c", containers, literal(true)), [
      text("\u2028 \n\u00a0"),
      hole(c("name")),
      text("\u0085\t"),
    ]),
  ];
  const params = JSON.parse(
    '{"__proto__": {"a": 1}, "constructor": "c", "toString": null, "list": ["toString", "😀"]}',
  );
  return [
    policy("probe-inherited-keys", rules, { match: podMatch(), params }),
    policy("probe-values", [...order, lengths, ...equal, ...messages], { match: podMatch() }),
  ];
}
