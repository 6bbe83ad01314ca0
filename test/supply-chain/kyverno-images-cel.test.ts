/**
 * The plain-CEL parts of the emitted ImageValidatingPolicy, judged by the Kubernetes CEL
 * environment (tools/kubernetes/cel-judge; Kyverno compiles with the same Kubernetes libraries,
 * `environment.StoredExpressions`): the image extractors give exactly the IR's images of the pod
 * view, `matchImageReferences` is Charter's glob, the `digest` check is `pinnedDigest`, and the
 * `maxAge` test reads an RFC 3339 instant (with a fixed instant for Kyverno's `time.now()`).
 * Kyverno's own functions (verifyImageSignatures, extractPayload…) are judged by the real Kyverno
 * in kyverno-images.test.ts.
 */
import { emitKyverno, recentEnoughCel } from "@charter/compiler";
import { type Json, type Policy, pinnedDigest } from "@charter/ir";
import { runCelJudge } from "@charter/runtime";
import { celJudgeForTests } from "@charter/test-support/cel-judge-for-tests";
import { imagePolicy } from "@charter/test-support/image-policies";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const judge = celJudgeForTests();

const HEX = "0123456789abcdef".repeat(4);

const policyOf = (references: string[], controllers = true): Policy =>
  imagePolicy(
    "images",
    { references, attestors: [], requirements: [{ kind: "digest", name: "pinned" }] },
    {
      match: { subject: "pod", controllers },
    },
  );

// biome-ignore lint/suspicious/noExplicitAny: reading the emitted YAML back
function spec(policy: Policy): any {
  return parse(emitKyverno([policy]).get(`${policy.name}.yaml`) ?? "").spec;
}

const podSpec = (spec: Json) => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec });
const controller = (apiVersion: string, kind: string, spec: Json, cron = false): Json => {
  const template: Json = { template: { spec } };
  return {
    apiVersion,
    kind,
    metadata: { name: "c" },
    spec: cron ? { jobTemplate: { spec: template } } : template,
  };
};
const full = {
  containers: [
    { name: "a", image: "a:1" },
    { name: "b", image: "b@sha256:x" },
  ],
  initContainers: [{ name: "i", image: "init:1" }],
  ephemeralContainers: [{ name: "e", image: "debug:1" }],
};

/** Objects and the images (containers, init, ephemeral) the IR's pod view gives. */
const OBJECTS: {
  note: string;
  object: Json;
  images: [string[], string[], string[]];
  podOnly?: string[][];
}[] = [
  { note: "Pod", object: podSpec(full), images: [["a:1", "b@sha256:x"], ["init:1"], ["debug:1"]] },
  {
    note: "Deployment",
    object: controller("apps/v1", "Deployment", full),
    images: [["a:1", "b@sha256:x"], ["init:1"], ["debug:1"]],
  },
  {
    note: "ReplicationController (no Kyverno built-in extractor)",
    object: controller("v1", "ReplicationController", full),
    images: [["a:1", "b@sha256:x"], ["init:1"], ["debug:1"]],
  },
  {
    note: "CronJob",
    object: controller("batch/v1", "CronJob", full, true),
    images: [["a:1", "b@sha256:x"], ["init:1"], ["debug:1"]],
  },
  {
    note: "containers without a string image, and a non-map one",
    object: podSpec({
      containers: [{ name: "x" }, { name: "y", image: 7 }, "z", { name: "w", image: "w:1" }],
    }),
    images: [["w:1"], [], []],
  },
  {
    note: "no spec",
    object: { apiVersion: "v1", kind: "Pod", metadata: { name: "p" } },
    images: [[], [], []],
  },
  {
    note: "containers not a list",
    object: podSpec({ containers: { a: 1 } }),
    images: [[], [], []],
  },
  {
    note: "a Deployment without template",
    object: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" }, spec: {} },
    images: [[], [], []],
  },
];

const jsonList = (items: readonly string[]) => JSON.stringify(items);

describe.skipIf(!judge)("the ImageValidatingPolicy's plain CEL on the Kubernetes CEL judge", () => {
  it("extracts the references as written of the pod view's three lists, in order", async () => {
    const extractors = spec(policyOf([])).images as { name: string; expression: string }[];
    expect(extractors.map((e) => e.name)).toEqual([
      "containers",
      "initContainers",
      "ephemeralContainers",
    ]);
    const output = await runCelJudge(judge as string, {
      expressions: OBJECTS.flatMap((c, i) =>
        extractors.map((e, list) => ({
          id: `${i}-${e.name}`,
          expression: `[${e.expression}].map(got, type(got) == list && got == ${jsonList(c.images[list] ?? [])})[0]`,
        })),
      ),
      cases: OBJECTS.map((c, i) => ({ id: String(i), object: c.object })),
    });
    expect(output.compileErrors).toEqual([]);
    const own = output.results.filter((r) => r.expression.startsWith(`${r.case}-`));
    expect(own).toHaveLength(OBJECTS.length * 3);
    expect(own.filter((r) => r.value !== true)).toEqual([]);
  });

  it("judges only the Pod itself for a pod.only policy", async () => {
    const [containers] = spec(policyOf([], false)).images as { expression: string }[];
    const output = await runCelJudge(judge as string, {
      expressions: [
        { id: "pod", expression: `${containers?.expression} == ["a:1", "b@sha256:x"]` },
      ],
      cases: [{ id: "pod", object: podSpec(full) }],
    });
    expect(output.compileErrors).toEqual([]);
    expect(output.results.map((r) => r.value)).toEqual([true]);
  });

  const REFERENCES = ["registry.example.com/*", "quay.io/acme/app:v?", "a.b/[x]{y}\\z+(*)"];
  const IMAGES: [string, boolean][] = [
    ["registry.example.com/team/app:1", true],
    ["registry.example.com/", true],
    ["registry.example.com", false],
    ["registryXexample.com/app", false],
    ["quay.io/acme/app:v1", true],
    ["quay.io/acme/app:v12", false],
    ["quay.io/acme/app:v😀", true],
    ["a.b/[x]{y}\\z+(anything/at/all)", true],
    ["a.b/x{y}\\z+()", false],
    ["x/registry.example.com/app", false],
    ["registry.example.com/app\nmore", true],
  ];

  it("matches references with Charter's glob (`*` any run, `?` one code point, nothing else special)", async () => {
    const references = spec(policyOf(REFERENCES)).matchImageReferences as { expression: string }[];
    expect(references).toHaveLength(REFERENCES.length);
    const any = references.map((r) => `(${r.expression})`).join(" || ");
    const output = await runCelJudge(judge as string, {
      expressions: IMAGES.map(([image, expected], i) => ({
        id: String(i),
        expression: `[${JSON.stringify(image)}].map(ref, ${any})[0] == ${expected}`,
      })),
      cases: [{ id: "c", object: {} }],
    });
    expect(output.compileErrors).toEqual([]);
    expect(
      output.results.filter((r) => r.value !== true).map((r) => IMAGES[Number(r.expression)]),
    ).toEqual([]);
  });

  it("checks a digest exactly as pinnedDigest does", async () => {
    const refs = [
      `app@sha256:${HEX}`,
      `registry:5000/app:v1@sha256:${HEX}`,
      `app@sha256:${HEX.toUpperCase()}`,
      `app@sha256:${HEX.slice(1)}`,
      `app@sha256:${HEX}0`,
      `app@sha256:${HEX}\n`,
      `app@sha512:${HEX}${HEX}`,
      "app:v1",
      `app@sha256:${HEX}:tag`,
    ];
    const variables = spec(policyOf([])).variables as { name: string; expression: string }[];
    const failing = variables.find((v) => v.name === "charterFailing0");
    expect(failing?.expression).toBe(
      'variables.charterImages.filter(img, !(img.matches("@sha256:[0-9a-f]{64}$")))',
    );
    const unpinned = refs.filter((ref) => pinnedDigest(ref) === undefined);
    expect(unpinned.length).toBeGreaterThan(0);
    expect(unpinned.length).toBeLessThan(refs.length);
    const output = await runCelJudge(judge as string, {
      variables: [
        { name: "charterImages", expression: JSON.stringify(refs) },
        { name: "charterFailing0", expression: failing?.expression ?? "" },
      ],
      expressions: [
        { id: "unpinned", expression: `variables.charterFailing0 == ${JSON.stringify(unpinned)}` },
      ],
      cases: [{ id: "c", object: {} }],
    });
    expect(output.compileErrors).toEqual([]);
    expect(output.results.map((r) => r.value)).toEqual([true]);
  });

  it("reads maxAge as an RFC 3339 instant at most N days before the judging instant", async () => {
    const now = 'timestamp("2026-06-01T00:00:00Z")';
    const test = recentEnoughCel(
      policyOf([]),
      "scanned",
      "predicate",
      { path: ["finished"], days: 30 },
      now,
    );
    const VALUES: [Json | undefined, boolean | null][] = [
      ["2026-05-15T10:00:00Z", true],
      ["2026-05-02T00:00:00Z", true],
      ["2026-05-01T23:59:59.999Z", false],
      ["2026-05-15T10:00:00.123456+09:00", true],
      ["2026-05-15T10:00:00-07:30", true],
      ["2026-07-01T00:00:00Z", true],
      ["2026-05-15t10:00:00z", false],
      ["2026-05-15 10:00:00Z", false],
      ["2026-05-15T10:00:60Z", false],
      ["0000-05-15T10:00:00Z", false],
      ["2026-05-15", false],
      [1_780_000_000, false],
      [null, false],
      [undefined, false],
      // Passes the pattern and not CEL's timestamp(): an evaluation error (Kyverno denies).
      ["2026-02-30T00:00:00Z", null],
    ];
    const output = await runCelJudge(judge as string, {
      expressions: VALUES.map(([value], i) => ({
        id: String(i),
        expression: `[${value === undefined ? "{}" : `{"finished": ${JSON.stringify(value)}}`}].map(predicate, ${test})[0]`,
      })),
      cases: [{ id: "c", object: {} }],
    });
    expect(output.compileErrors).toEqual([]);
    expect(output.results.map((r) => r.value)).toEqual(VALUES.map(([, expected]) => expected));
  });
});
