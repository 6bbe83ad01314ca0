/**
 * Differential test of Charter's manifest loader against kubectl's own reading of a stream
 * (tools/kubernetes/k8s-decode: cli-runtime's resource.Builder, FlattenListVisitor, YAMLOrJSONDecoder,
 * sigs.k8s.io/yaml at Kubernetes 1.35.8). Generated hostile streams (a fixed seed plus one
 * printed random seed) go through both; one decoder process serves them all.
 *
 * Charter's side is its fast YAML reader (js-yaml's events composed with go-yaml's rules,
 * packages/runtime/src/input/yaml-events.ts), asserted below: it alone gives every value, so no
 * stream here can pass on the yaml package's reading.
 *
 * On a stream kubectl reads, Charter must read the same objects in the same order (numbers by
 * value) with no problem and no skip — unless it refuses it for a named reason below, with an
 * error. On a stream kubectl refuses, Charter must report an error, or skip a document that is
 * not meant for Kubernetes (neither apiVersion nor kind: the design's rule), or be one of the
 * named cases where Charter deliberately reads more. The acceptance rate of each class is
 * printed, so a loader that refuses everything unusual shows it (and fails the floor below).
 */
import { Readable } from "node:stream";
import { type LoadEvent, streamResources, YAML_READER } from "@charter/runtime";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireEngine } from "./support/engines.js";
import {
  type HostileStream,
  hostileStream,
  STREAM_CLASSES,
  type StreamClass,
} from "./support/hostile-yaml-streams.js";
import { type K8sDecoder, startK8sDecoder } from "./support/k8s-decoder.js";

const STREAMS_PER_SEED = Number(process.env.CHARTER_LOADER_DIFFERENTIAL_COUNT ?? 10_000);

/**
 * Where Charter reports an error on a stream kubectl reads: each deliberate, each an error
 * (never a skip), matched on Charter's message.
 */
const REFUSALS: readonly {
  name: string;
  message: RegExp;
  reason: string;
  /** The kind of stream the refusal is about, when its message alone does not say. */
  stream?: RegExp;
}[] = [
  {
    name: "duplicate-key",
    message: /duplicate key/,
    reason:
      "kubectl keeps the last of a repeated key; a reader keeping the first judges another object",
  },
  {
    name: "no-apiVersion",
    message: /apiVersion is (missing|null|a )/,
    reason:
      "kubectl decodes a kind without an apiVersion (its REST mapping then guesses the version)",
  },
  {
    name: "list-item-metadata",
    message: /^List item \d+: .*metadata/,
    reason: "kubectl type-checks metadata of documents, not of List items; Charter checks both",
  },
  {
    name: "concatenated-json",
    message: /YAML does not parse/,
    stream: /^\s*[{[][\s\S]*[}\]]\s*[{[]/,
    reason:
      "kubectl reads JSON objects written back to back without a separator; Charter reads YAML",
  },
  {
    name: "merge-order",
    message: /the merge key << comes after/,
    reason:
      "go-yaml merges in order, so a later << overrides a key set before it; YAML keeps the earlier key: Charter refuses the ambiguity",
  },
  {
    name: "quoted-scalar-indentation",
    message: /Missing closing ['"]quote/,
    reason:
      "go-yaml accepts a quoted scalar continued on a line no more indented than its key; YAML does not",
  },
  {
    name: "null-list-item",
    message: /List item \d+: .*it is null/,
    reason:
      "kubectl turns a null List item into an object with only the List's kind and apiVersion",
  },
  {
    name: "lone-cr",
    message: /YAML does not parse/,
    stream: /\r(?!\n)/,
    reason:
      "go-yaml takes a lone CR for a line break, kubectl's line reader does not; Charter's YAML reader does not either",
  },
  {
    name: "directive-after-data",
    message: /YAML directive/,
    reason: "kubectl ignores a %YAML or %TAG line after a document's data; Charter reports it",
  },
  {
    name: "after-document-end",
    message: /after `\.\.\.` must start with ---/,
    reason: "kubectl ignores a document after `...` that has no `---`; Charter says so",
  },
];

interface CharterReading {
  readonly objects: unknown[];
  readonly problems: string[];
  readonly skipped: string[];
}

async function charterRead(text: string): Promise<CharterReading> {
  const out: CharterReading = { objects: [], problems: [], skipped: [] };
  const stdin = Readable.from([Buffer.from(text, "utf8")]);
  for await (const event of streamResources(["-"], { stdin }) as AsyncIterable<LoadEvent>) {
    if (event.kind === "resource") out.objects.push(event.resource.object);
    else if (event.kind === "problem") {
      // A YAML error is told in plain words with the parser's own as its detail (issue 12);
      // the refusals above are classified by the parser's words.
      const { message, detail } = event.problem;
      out.problems.push(
        detail === undefined ? message : `${message} (YAML does not parse: ${detail})`,
      );
    } else out.skipped.push(event.skipped.reason);
  }
  return out;
}

/** Deep equality on JSON data, numbers by value (kubectl's int64 1 and float64 1.0 are one). */
function sameData(a: unknown, b: unknown): boolean {
  if (typeof a === "number" && typeof b === "number")
    return a === b || (Number.isNaN(a) && Number.isNaN(b));
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => sameData(x, b[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every((k) => Object.hasOwn(b, k) && sameData((a as never)[k], (b as never)[k]))
  );
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * kubectl's FlattenListVisitor over the documents as decoded, without its unstructured
 * decoder's refusal of a List inside a List ("is not a list: no Items field"): what
 * `kubectl apply` would send if it flattened nested Lists as its typed path does.
 */
function flattenNested(documents: readonly unknown[]): unknown[] | undefined {
  const out: unknown[] = [];
  for (const document of documents) {
    if (!isObject(document) || !("items" in document)) {
      out.push(document);
      continue;
    }
    const queue: unknown[] = [document];
    for (let i = 0; i < queue.length; i++) {
      const current = queue[i];
      if (!isObject(current) || (i > 0 && !Array.isArray(current.items))) {
        out.push(current);
        continue;
      }
      if (current.items === null) continue;
      if (!Array.isArray(current.items)) return undefined;
      const itemKind = typeof current.kind === "string" ? current.kind.replace(/List$/, "") : "";
      for (const item of current.items) {
        if (!isObject(item)) return undefined;
        const typed =
          (typeof item.kind === "string" && item.kind !== "") ||
          (typeof item.apiVersion === "string" && item.apiVersion !== "");
        queue.push(typed ? item : { ...item, apiVersion: current.apiVersion, kind: itemKind });
      }
    }
  }
  return out;
}

type Verdict =
  | { kind: "same" }
  | { kind: "both-refuse" }
  | { kind: "skip-by-design" }
  | { kind: "refusal"; name: string }
  | { kind: "reads-more"; name: string }
  | { kind: "bug"; why: string };

async function judge(stream: HostileStream, decoder: K8sDecoder): Promise<Verdict> {
  const charter = await charterRead(stream.text);
  // Byte-order marks that start a document: Charter drops them by design (issue 11); compare
  // with kubectl on the stream without them.
  const kubectlText = stream.withoutDocumentBoms ?? stream.text;
  const kubectl = await decoder.decode(kubectlText);
  const skippedOtherThanEmpty = charter.skipped.filter((r) => !/^empty (document|file)/.test(r));
  if ("objects" in kubectl) {
    if (charter.problems.length > 0) {
      const refusal = REFUSALS.find(
        (r) =>
          charter.problems.some((p) => r.message.test(p)) &&
          (r.stream === undefined || r.stream.test(stream.text)),
      );
      return refusal !== undefined
        ? { kind: "refusal", name: refusal.name }
        : {
            kind: "bug",
            why: `Charter refuses what kubectl reads: ${charter.problems.join("; ")}`,
          };
    }
    if (skippedOtherThanEmpty.length > 0)
      return { kind: "bug", why: `Charter skips what kubectl reads: ${skippedOtherThanEmpty}` };
    if (!sameData(charter.objects, kubectl.objects))
      return {
        kind: "bug",
        why: `different objects:\n charter ${JSON.stringify(charter.objects)}\n kubectl ${JSON.stringify(kubectl.objects)}`,
      };
    return { kind: "same" };
  }
  if (charter.problems.length > 0) return { kind: "both-refuse" };
  if (charter.objects.length === 0 && skippedOtherThanEmpty.length > 0)
    return { kind: "skip-by-design" };
  if (/no Items field/.test(kubectl.error)) {
    const documents = await decoder.decode(kubectlText, { flatten: false });
    const expected = "objects" in documents ? flattenNested(documents.objects) : undefined;
    if (expected !== undefined && sameData(charter.objects, expected))
      return { kind: "reads-more", name: "nested-list" };
  }
  return {
    kind: "bug",
    why: `Charter reads what kubectl refuses (${kubectl.error}): ${JSON.stringify(charter.objects)} skipped ${JSON.stringify(charter.skipped)}`,
  };
}

describe("differential: Charter's loader vs kubectl's decoder (tools/kubernetes/k8s-decode)", () => {
  let decoder: K8sDecoder | undefined;
  beforeAll(async () => {
    decoder = requireEngine("k8s-decode", await startK8sDecoder());
  });
  afterAll(async () => {
    await decoder?.close();
  });

  it("judges the fast YAML reader, the one that gives every value", () => {
    // js-yaml's events composed with go-yaml's rules (yaml-events.ts); the yaml package only
    // words a syntax error the fast reader found, so nothing below can pass on its data.
    expect(YAML_READER).toBe("fast");
  });

  const seeds = [20261207, Math.floor(Math.random() * 2 ** 31)];
  it.each(seeds)(
    "seed %i: the same objects on every stream kubectl reads, an error or a skip on the rest",
    async (seed) => {
      if (decoder === undefined) return;
      const replay = Number(process.env.CHARTER_LOADER_DIFFERENTIAL_SEED ?? seed);
      console.log(
        `loader differential seed ${replay} (replay: CHARTER_LOADER_DIFFERENTIAL_SEED=${replay})`,
      );
      const streams = fc.sample(hostileStream, { seed: replay, numRuns: STREAMS_PER_SEED });
      const tally = new Map<StreamClass, Map<string, number>>(
        STREAM_CLASSES.map((c) => [c, new Map()]),
      );
      const bugs: string[] = [];
      const active = decoder;
      const verdicts: Verdict[] = [];
      for (let start = 0; start < streams.length; start += 500) {
        const batch = streams.slice(start, start + 500);
        verdicts.push(...(await Promise.all(batch.map((stream) => judge(stream, active)))));
      }
      for (const [i, verdict] of verdicts.entries()) {
        const stream = streams[i] as HostileStream;
        const label = "name" in verdict ? `${verdict.kind}:${verdict.name}` : verdict.kind;
        const counts = tally.get(stream.class) as Map<string, number>;
        counts.set(label, (counts.get(label) ?? 0) + 1);
        const shown = bugs.filter((b) => b.startsWith(`[${stream.class}]`)).length;
        if (verdict.kind === "bug" && shown < Number(process.env.CHARTER_LOADER_BUGS_SHOWN ?? 2))
          bugs.push(`[${stream.class}] ${JSON.stringify(stream.text)}\n ${verdict.why}`);
      }
      const rows = [...tally].map(([name, counts]) => {
        const total = [...counts.values()].reduce((a, b) => a + b, 0);
        const read = counts.get("same") ?? 0;
        const detail = [...counts].map(([label, n]) => `${label}=${n}`).join(" ");
        return {
          name,
          total,
          read,
          line: `${name.padEnd(16)} ${String(total).padStart(5)} streams, kubectl and Charter read the same objects: ${total === 0 ? "-" : ((100 * read) / total).toFixed(1)}%  (${detail})`,
        };
      });
      console.log(`loader differential, seed ${replay}:\n${rows.map((r) => r.line).join("\n")}`);
      expect(bugs).toEqual([]);
      // A loader that refused everything unusual would pass the rest: each class must mostly
      // be read alike (the shapes class is made of documents kubectl refuses or skips).
      for (const row of rows) {
        if (row.name === "shapes" || row.name === "duplicate-keys") continue;
        if (row.total < 200) continue; // a rate of a few dozen streams says little
        expect(row.read / Math.max(row.total, 1), `${row.name} read alike`).toBeGreaterThan(0.3);
      }
    },
    600_000,
  );
});
