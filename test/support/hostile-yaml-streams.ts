/**
 * Hostile manifest streams for the loader differential (test/k8s-decoder-differential.test.ts):
 * each a YAML or JSON text, in a named class, built from pieces that make YAML readers differ —
 * byte-order marks, Lists in Lists, YAML 1.1 scalars, merge keys, tabs, CRLF, `---` and `...`
 * variants, JSON documents, repeated keys, anchors, hostile strings, half objects, numbers.
 * Every stream of a class other than `shapes` holds only documents meant for Kubernetes; a
 * `shapes` stream is one document, so a decoder error on it is about that document alone.
 */
import fc from "fast-check";

export const STREAM_CLASSES = [
  "bom",
  "nested-lists",
  "yaml11-scalars",
  "merge-keys",
  "tabs",
  "crlf",
  "markers",
  "json",
  "duplicate-keys",
  "anchors",
  "hostile-strings",
  "numbers",
  "shapes",
] as const;

export type StreamClass = (typeof STREAM_CLASSES)[number];

export interface HostileStream {
  readonly class: StreamClass;
  readonly text: string;
  /**
   * For the `bom` class: the text with the byte-order marks at document starts removed, which
   * is what Charter reads by design (kubectl keeps one after `---` in the first key).
   */
  readonly withoutDocumentBoms?: string;
}

const YAML11_SCALARS = [
  "yes",
  "no",
  "on",
  "off",
  "y",
  "n",
  "Y",
  "N",
  "Yes",
  "NO",
  "On",
  "OFF",
  "true",
  "False",
  "TRUE",
  "~",
  "null",
  "Null",
  "NULL",
  "",
  "0644",
  "0o644",
  "0x1F",
  "0b101",
  "1_000",
  "+1",
  "-0",
  "1e3",
  "1.5e-3",
  "1E3",
  ".5",
  "5.",
  "+.inf",
  "-.Inf",
  ".NaN",
  "1:20",
  "190:20:30",
  "2024-01-02",
  "2024-01-02T03:04:05Z",
  "'yes'",
  '"on"',
  "=",
  "<<",
  "-",
  "0.",
  "1_0.5",
  "0xFF_FF",
  "012_3",
  "+0x1",
  "-0b1",
  "08",
  "09.5",
  "'0644'",
  "!!str yes",
  "!!int '7'",
  "!!bool 'on'",
  "!!float 1",
  "!!null ''",
];

const HOSTILE_STRINGS = [
  '"quote\\"back\\\\slash"',
  '"\\u2028line\\u2029sep"',
  '"\\x85nel"',
  '"\\t tab"',
  "'it''s'",
  '"astral 😀 𝒳"',
  '"\\U0001F600"',
  '"#not a comment"',
  "a #comment",
  "a: b",
  "'a: b'",
  '"\\0nul"',
  '"\\e\\a"',
  "|\n    block\n    text\n",
  ">\n    folded\n    text\n",
  "|-\n    kept\n\n",
  ">+\n    keep\n\n",
  '"multi\n    line"',
  "'multi\n    line'",
  "plain\n    continued",
  '"\\ud800"',
  "é",
  '"\\/"',
  "'\\n'",
  "@at",
  "`tick",
  "%percent",
  "&anchor value",
  "*",
  "!tag x",
  "? x",
  "[a, b]",
  "{a: b}",
  "'{{c.image}}'",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a hostile string, not a template
  '"${x}"',
];

const NUMBERS = [
  "9007199254740993",
  "-9223372036854775808",
  "9223372036854775807",
  "9223372036854775808",
  "18446744073709551616",
  "1e21",
  "1.0",
  "1.10",
  "-0.0",
  "0.1",
  "1e-7",
  "123456789012345678901234567890",
  "0.30000000000000004",
  "4.9e-324",
  "1.7976931348623157e308",
  "1e309",
  "00",
  "0001",
  "-1",
  "+12",
  "1_2_3",
  "0x7FFFFFFFFFFFFFFF",
  "0o777",
  "0777",
  "0.5e+2",
  "6.02E23",
];

const pick = <T>(values: readonly T[]) => fc.constantFrom(...values);

/** A privileged Pod whose `privileged` (or any field) holds `value`, as block YAML. */
function pod(name: string, value: string, extra = ""): string {
  return [
    "apiVersion: v1",
    "kind: Pod",
    "metadata:",
    `  name: ${name}`,
    "  namespace: attack",
    "spec:",
    "  containers:",
    "  - name: c",
    "    image: registry.example.com/app:1",
    "    securityContext:",
    `      privileged: ${value}`,
    extra,
  ]
    .filter((line) => line !== "")
    .join("\n");
}

const name = fc.constantFrom("a", "b", "web", "x1", "z-9");
const separator = pick(["---", "--- ", "---  # c", "---\t", "--- #x", "---#x"]);

function joinDocuments(documents: readonly string[], separators: readonly string[]): string {
  let text = documents[0] ?? "";
  for (let i = 1; i < documents.length; i++)
    text += `\n${separators[i - 1] ?? "---"}\n${documents[i]}`;
  return `${text}\n`;
}

const documents = (document: fc.Arbitrary<string>) =>
  fc
    .tuple(
      fc.array(document, { minLength: 1, maxLength: 3 }),
      fc.array(separator, { maxLength: 3 }),
    )
    .map(([docs, seps]) => joinDocuments(docs, seps));

const bom = fc
  .tuple(
    fc.array(
      fc.tuple(
        name,
        fc.constantFrom("start", "after-marker", "after-comment", "mid-value", "mid-key", "none"),
      ),
      {
        minLength: 1,
        maxLength: 3,
      },
    ),
    fc.boolean(),
  )
  .map(([docs, fileBom]) => {
    const B = "\uFEFF";
    const parts = docs.map(([n, where]) => {
      const body = pod(n, "true");
      switch (where) {
        case "after-comment":
          return { doc: `# leading comment\n${B}${body}`, stripped: `# leading comment\n${body}` };
        case "mid-value":
          return {
            doc: body.replace("image: ", `image: ${B}`),
            stripped: body.replace("image: ", `image: ${B}`),
          };
        case "mid-key":
          return {
            doc: body.replace("  namespace", `  ${B}namespace`),
            stripped: body.replace("  namespace", `  ${B}namespace`),
          };
        case "none":
          return { doc: body, stripped: body };
        default:
          return { doc: `${B}${body}`, stripped: body };
      }
    });
    const text = (key: "doc" | "stripped") =>
      (fileBom && key === "doc" ? "\uFEFF" : "") +
      parts
        .map((part, i) => (i === 0 && docs[0]?.[1] !== "after-marker" ? "" : "---\n") + part[key])
        .join("\n") +
      "\n";
    return {
      class: "bom",
      text: text("doc"),
      withoutDocumentBoms: text("stripped"),
    } as HostileStream;
  });

/** A List whose items are Pods and Lists, to `depth` levels. */
const list: fc.Arbitrary<string> = fc.letrec<{ list: string; item: string }>((tie) => ({
  list: fc
    .tuple(
      fc.constantFrom("List", "PodList", "ConfigMapList", "FooList", "Pod"),
      fc.array(tie("item"), { maxLength: 3 }),
      fc.constantFrom("flow", "null", "block"),
    )
    .map(([kind, items, style]) => {
      if (style === "null" && items.length === 0)
        return `{apiVersion: v1, kind: ${kind}, items: null}`;
      return `{apiVersion: v1, kind: ${kind}, metadata: {name: l}, items: [${items.join(", ")}]}`;
    }),
  item: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    {
      weight: 4,
      arbitrary: name.map(
        (n) =>
          `{apiVersion: v1, kind: Pod, metadata: {name: ${n}}, spec: {containers: [{name: c, securityContext: {privileged: true}}]}}`,
      ),
    },
    {
      weight: 2,
      arbitrary: name.map((n) => `{metadata: {name: ${n}}, spec: {hostNetwork: true}}`),
    },
    { weight: 1, arbitrary: name.map((n) => `{kind: Pod, metadata: {name: ${n}}}`) },
    { weight: 1, arbitrary: fc.constantFrom("1", "null", "[]", '"s"', "{}") },
    { weight: 2, arbitrary: tie("list") },
  ),
})).list;

const nestedLists = fc
  .array(list, { minLength: 1, maxLength: 2 })
  .map((docs) => ({ class: "nested-lists", text: `${docs.join("\n---\n")}\n` }) as HostileStream);

const yaml11 = documents(
  fc
    .tuple(name, pick(YAML11_SCALARS), pick(YAML11_SCALARS), pick(YAML11_SCALARS))
    .map(([n, a, b, c]) =>
      pod(n, a, `  labels: {}\ndata:\n  ${b === "" ? "k" : b}: ${c}\n  k2: [${a}, ${c}]`),
    ),
).map((text) => ({ class: "yaml11-scalars", text }) as HostileStream);

const mergeKeys = documents(
  fc
    .tuple(
      name,
      fc.constantFrom("single", "list", "override", "nested", "scalar", "self"),
      fc.boolean(),
    )
    .map(([n, shape, privileged]) => {
      const base = `x-base: &base {privileged: ${privileged}, runAsUser: 0}\nx-other: &other {privileged: ${!privileged}, allowPrivilegeEscalation: true}\n`;
      const context = {
        single: "{<<: *base}",
        list: "{<<: [*other, *base]}",
        override: "{<<: *base, privileged: false}",
        nested: "{<<: {<<: *base, runAsUser: 1}}",
        scalar: "{<<: 1}",
        self: "{<<: *base, <<: *other}",
      }[shape];
      return `${base}apiVersion: v1\nkind: Pod\nmetadata: {name: ${n}}\nspec:\n  containers:\n  - name: c\n    securityContext: ${context}`;
    }),
).map((text) => ({ class: "merge-keys", text }) as HostileStream);

const tabs = documents(
  fc
    .tuple(
      name,
      fc.constantFrom("indent", "after-colon", "in-flow", "in-value", "trailing", "before-comment"),
    )
    .map(([n, where]) => {
      const body = pod(n, "true");
      switch (where) {
        case "indent":
          return body.replace("\n  namespace", "\n\tnamespace");
        case "after-colon":
          return body.replace("privileged: true", "privileged:\ttrue");
        case "in-flow":
          return `${body}\n  labels: {a:\t"b",\tc: d}`;
        case "in-value":
          return body.replace("image: registry", "image: reg\tistry");
        case "trailing":
          return body.replace("kind: Pod", "kind: Pod\t");
        default:
          return body.replace("kind: Pod", "kind: Pod\t# c");
      }
    }),
).map((text) => ({ class: "tabs", text }) as HostileStream);

const crlf = fc
  .tuple(
    documents(name.map((n) => pod(n, "yes"))),
    fc.constantFrom("crlf", "mixed", "cr", "crlf-block"),
  )
  .map(([text, style]) => {
    let out = text;
    if (style === "crlf") out = text.replace(/\n/g, "\r\n");
    else if (style === "mixed") out = text.replace(/\n(?=k|s)/g, "\r\n");
    else if (style === "cr") out = text.replace(/\nspec/g, "\rspec");
    else
      out = text
        .replace(
          "  namespace: attack",
          "  annotations:\r\n    a: |\r\n      one\r\n      two\r\n  namespace: attack",
        )
        .replace(/\n/g, "\r\n");
    return { class: "crlf", text: out } as HostileStream;
  });

const markers = fc
  .tuple(
    fc.array(name, { minLength: 1, maxLength: 3 }),
    fc.array(
      pick([
        "---",
        "--- ",
        "---\t",
        "--- # c",
        "---#c",
        "----",
        " ---",
        "...",
        "...\n---",
        "... # c\n---",
        "--- |",
        "--- {a: 1}",
        "%YAML 1.1\n---",
        "# c\n---",
        "",
        "---\n---",
      ]),
      { maxLength: 3 },
    ),
    fc.boolean(),
  )
  .map(
    ([names, seps, leading]) =>
      ({
        class: "markers",
        text:
          (leading ? "---\n" : "") +
          joinDocuments(
            names.map((n) => pod(n, "on")),
            seps,
          ),
      }) as HostileStream,
  );

const jsonDocument = name.map(
  (n) =>
    `{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "${n}"}, "spec": {"containers": [{"name": "c", "securityContext": {"privileged": true}}]}}`,
);

const json = fc
  .tuple(
    fc.array(jsonDocument, { minLength: 1, maxLength: 3 }),
    fc.constantFrom("newline", "concat", "yaml-sep", "array", "spaced", "dup", "numbers", "pretty"),
  )
  .map(([docs, style]) => {
    const text = {
      newline: docs.join("\n"),
      concat: docs.join(""),
      "yaml-sep": docs.join("\n---\n"),
      array: `[${docs.join(",")}]`,
      spaced: `  \n\n${docs.join("\n\n")}`,
      dup: docs[0]?.replace('"kind": "Pod"', '"kind": "Pod", "kind": "ConfigMap"') ?? "",
      numbers:
        docs[0]?.replace(
          '"privileged": true',
          '"privileged": true, "n": [1.0, 1e3, -0, 12345678901234567890, 0.1]',
        ) ?? "",
      pretty: JSON.stringify(JSON.parse(docs[0] ?? "{}"), null, 2),
    }[style];
    return { class: "json", text: `${text}\n` } as HostileStream;
  });

const duplicateKeys = documents(
  fc
    .tuple(
      name,
      fc.constantFrom(
        "spec",
        "privileged",
        "flow",
        "typed",
        "quoted",
        "bool-key",
        "null-key",
        "merge",
      ),
    )
    .map(([n, where]) => {
      const body = pod(n, "false");
      switch (where) {
        case "spec":
          return `${body}\nspec: {containers: [{name: c, securityContext: {privileged: true}}]}`;
        case "privileged":
          return `${body}\n      privileged: true`;
        case "flow":
          return `${body}\n  labels: {a: b, a: c}`;
        case "typed":
          return `${body}\n  labels: {1: a, "1": b}`;
        case "quoted":
          return `${body}\n  "name": other`;
        case "bool-key":
          return `${body}\n  labels: {yes: a, "true": b}`;
        case "null-key":
          return `${body}\n  labels: {~: a, "": b}`;
        default:
          return `x: &x {privileged: true}\n${body}\n      <<: *x`;
      }
    }),
).map((text) => ({ class: "duplicate-keys", text }) as HostileStream);

const anchors = documents(
  fc
    .tuple(
      name,
      fc.constantFrom("value", "key", "sequence", "across", "tagged", "unused", "undefined"),
    )
    .map(([n, shape]) => {
      switch (shape) {
        case "value":
          return pod(n, "&p true", "  - name: d\n    securityContext: {privileged: *p}");
        case "key":
          return `${pod(n, "true")}\n  labels: {&k app: web, *k : other}`;
        case "sequence":
          return `x: &c [{name: c, securityContext: {privileged: true}}]\napiVersion: v1\nkind: Pod\nmetadata: {name: ${n}}\nspec: {containers: *c, initContainers: *c}`;
        case "across":
          return `${pod(n, "*outside")}`;
        case "tagged":
          return pod(n, "!!bool &t yes");
        case "unused":
          return `${pod(n, "true")}\n  &u labels: {}`;
        default:
          return pod(n, "*nowhere");
      }
    }),
).map((text) => ({ class: "anchors", text }) as HostileStream);

/** A hostile string: written by hand in YAML, or any Unicode text as a JSON string. */
const hostileText = fc.oneof(
  pick(HOSTILE_STRINGS),
  fc.string({ unit: "grapheme", maxLength: 12 }).map((text) => JSON.stringify(text)),
  fc.string({ unit: "binary", maxLength: 8 }).map((text) => JSON.stringify(text)),
);

const hostileStrings = documents(
  fc
    .tuple(name, hostileText, hostileText)
    .map(([n, a, b]) =>
      pod(n, "true", `  annotations:\n    one: ${a}\n    two: ${b}`).replace(
        "image: registry.example.com/app:1",
        `image: ${a.includes("\n") ? '"x"' : a}`,
      ),
    ),
).map((text) => ({ class: "hostile-strings", text }) as HostileStream);

const numbers = documents(
  fc
    .tuple(name, pick(NUMBERS), pick(NUMBERS))
    .map(([n, a, b]) =>
      pod(
        n,
        "true",
        `      runAsUser: ${a}\n  terminationGracePeriodSeconds: ${b}\n  priority: [${a}, ${b}]`,
      ),
    ),
).map((text) => ({ class: "numbers", text }) as HostileStream);

const SHAPES = [
  "just: data\nversion: 1",
  "apiVersion: v1",
  "kind: Pod",
  "kind: Pod\nmetadata: {name: k}",
  "apiVersion: v1\nkind: Pod",
  "apiVersion: v1\nkind: Pod\nmetadata: null",
  "apiVersion: v1\nkind: Pod\nmetadata: {name: 5}",
  "apiVersion: v1\nkind: Pod\nmetadata: {labels: {a: 1}}",
  "apiVersion: v1\nkind: Pod\nmetadata: {labels: {a: null}}",
  "apiVersion: v1\nkind: Pod\nmetadata: {annotations: []}",
  "apiVersion: v1\nkind: Pod\nmetadata: {generation: 1.5}",
  "apiVersion: v1\nkind: Pod\nmetadata: {generation: 2}",
  "apiVersion: v1\nkind: Pod\nmetadata: {creationTimestamp: '2024-01-02T03:04:05Z'}",
  "apiVersion: v1\nkind: Pod\nmetadata: {creationTimestamp: yesterday}",
  "apiVersion: v1\nkind: Pod\nmetadata: {finalizers: [a, 1]}",
  "apiVersion: v1\nkind: Pod\nmetadata: {ownerReferences: [1]}",
  "apiVersion: v1\nkind: Pod\nmetadata: {Name: x, name: y}",
  "apiVersion: 1\nkind: Pod",
  "apiVersion: v1\nkind: 1",
  "apiVersion: v1\nkind: ''",
  "apiVersion: ''\nkind: Pod",
  "apiVersion: v1\nkind: [Pod]",
  "apiVersion: v1\nkind: Pod\nitems: null",
  "apiVersion: v1\nkind: Pod\nitems: 1",
  "apiVersion: v1\nkind: ConfigMap\nitems: []",
  "apiVersion: v1\nkind: ConfigMap\nitems: [{kind: Pod}]",
  "apiVersion: v1\nkind: PodList\nitems: [{metadata: {name: p}}]",
  "apiVersion: v1\nkind: List\nitems: [{metadata: {name: p}}]",
  "apiVersion: v1\nkind: List\nitems: [{apiVersion: v1, kind: Pod, metadata: {labels: {a: 1}}}]",
  "apiVersion: v1\nkind: List\nitems: [{apiVersion: v1, kind: Pod, items: 1}]",
  "apiVersion: v1\nkind: List\nitems: [{apiVersion: v1, kind: Pod, items: null}]",
  "- apiVersion: v1\n  kind: Pod",
  "just a string",
  "42",
  "~",
  "",
  "# only a comment",
  "apiVersion: v1\nkind: Pod\nspec: {x: .inf}",
  "apiVersion: v1\nkind: Pod\nspec: {x: .nan}",
  "apiVersion: v1\nkind: Pod\nspec: {~: 1}",
  "apiVersion: v1\nkind: Pod\nspec: {[a]: 1}",
  "apiVersion: v1\nkind: Pod\nspec: {{a: 1}: 1}",
  "apiVersion: v1\nkind: Pod\nspec: {1.5: a, 0x10: b, 1e2: c}",
  "apiVersion: v1\nkind: Pod\nspec: !!map {a: 1}",
  "apiVersion: v1\nkind: Pod\nspec: !custom {a: 1}",
  "apiVersion: v1\nkind: Pod\nspec: !!binary aGVsbG8=",
  "apiVersion: v1\nkind: Pod\nspec: !!set {a, b}",
  "apiVersion: v1\nkind: Pod\nspec: !!omap [a: 1]",
  "apiVersion: v1\nkind: Pod\nspec: 2024-01-02",
  "apiVersion: v1\nkind: Pod\nspec: !!timestamp 2024-01-02",
  "apiVersion: v1\nkind: Pod\nspec: {a: 1, b: [1, 2,]}",
  "apiVersion: v1\nkind: Pod\nspec: [1, 2",
  "apiVersion: v1\nkind: Pod\n  bad: indent",
  "%TAG ! tag:example.com,2000:\n---\napiVersion: v1\nkind: Pod\nspec: !x 1",
  "%TAG !e! tag:yaml.org,2002:\n---\napiVersion: v1\nkind: Pod\nspec: {a: !e!int '7', b: !e!str 8}",
  "apiVersion: v1\nkind: Pod\nspec: {a: !<tag:yaml.org,2002:str> 5, b: ! 6, c: !local 7}",
  "apiVersion: v1\nkind: Pod\nspec: {a: !!str {b: 1}, c: !!int [1], d: !!str , e: !!null}",
  "apiVersion: v1\nkind: Pod\nspec: [!!str, !!str]",
  "apiVersion: v1\nkind: Pod\nspec: {a: !!float 0x10, b: !!int 1.5, c: !!bool 1, d: !!null ~}",
  "apiVersion: v1\nkind: Pod\nspec: {a: &x 1, b: *x, c: *y}",
  "apiVersion: v1\nkind: Pod\nspec: &s {a: *s}",
  "apiVersion: v1\nkind: Pod\nspec: {<<: 1}",
  "apiVersion: v1\nkind: Pod\nspec: {<<: [{a: 1}, 2]}",
  "apiVersion: v1\nkind: Pod\nx: &s [{a: 1}, {b: 2}]\nspec: {<<: *s}",
  "apiVersion: v1\nkind: Pod\nx: &m {a: 1}\nspec: {<<: [*m, {b: 2}], c: 3}",
  "apiVersion: v1\nkind: Pod\nspec: {'<<': {a: 1}, b: 2}",
  "apiVersion: v1\nkind: Pod\nspec: {__proto__: {a: 1}, constructor: 2, prototype: 3}",
  'apiVersion: v1\nkind: Pod\nspec: {a: "\\/", b: "\\ud800"}',
  "apiVersion: v1\nkind: Pod\nspec: {? [a, b] : 1}",
  "%YAML 1.2\n---\napiVersion: v1\nkind: Pod\nspec: {a: yes}",
  "%YAML 2.0\n---\napiVersion: v1\nkind: Pod",
  "? apiVersion\n: v1\n? kind\n: Pod",
  "apiVersion: v1\nkind: Pod\nspec: {a: 'un\nterminated}",
];

const shapes = pick(SHAPES).map(
  (text) => ({ class: "shapes", text: `${text}\n` }) as HostileStream,
);

export const hostileStream: fc.Arbitrary<HostileStream> = fc.oneof(
  bom,
  nestedLists,
  yaml11,
  mergeKeys,
  tabs,
  crlf,
  markers,
  json,
  duplicateKeys,
  anchors,
  hostileStrings,
  numbers,
  shapes,
);
