#!/usr/bin/env node
/**
 * `charter check` next to every peer that can judge the same policies, on the same documents, in
 * one run: `opa eval` (the emitted Rego, one process judging every document `with input as` it),
 * `conftest test` (the emitted Rego behind a `package main` wrapper; conftest pinned and installed
 * here with `go install`, not by the project's set-up), `gator test` (the emitted
 * ConstraintTemplates and Constraints) and `kyverno apply` (the emitted ValidatingPolicies) —
 * Kyverno's CLI on a subset only, its time scaled per document and labelled so.
 *
 * Each peer's failing (resource, policy) pairs are compared with Charter's on the policies that
 * peer runs (what the target emits), so the times describe the same work; every difference is
 * printed with an example. Charter runs with `--no-defaults` here: the peers read the manifests
 * as written, without the API server's defaults.
 *
 *   node bench/peers.mjs [--documents 10000] [--kyverno-documents 200] [--no-write]
 *
 * `pnpm bench` runs it (bench/run.mjs) and writes the section between the `peers-bench:begin` /
 * `peers-bench:end` markers of docs/benchmarks.md.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { corpusInput } from "./corpus.mjs";
import { generate } from "./generate.mjs";
import { generatePss } from "./generate-pss.mjs";
import { fail, measure, repoRoot, writeSection } from "./measure.mjs";

export const CONFTEST_VERSION = "0.71.1";
const CHARTER = path.join(repoRoot, "packages/cli/bin/charter.js");
const TOOLS = path.join(repoRoot, ".tools/bin");
const OPA = process.env.OPA ?? path.join(TOOLS, "opa");
const GATOR = process.env.GATOR ?? path.join(TOOLS, "gator");
const KYVERNO = process.env.KYVERNO ?? path.join(TOOLS, "kyverno");

/** conftest at the pinned version, built with the machine's Go into .tools/conftest/ once. */
export function conftestBinary() {
  if (process.env.CONFTEST) return process.env.CONFTEST;
  const folder = path.join(repoRoot, ".tools/conftest", `v${CONFTEST_VERSION}`);
  const binary = path.join(folder, "conftest");
  if (fs.existsSync(binary)) return binary;
  console.error(`bench: installing conftest v${CONFTEST_VERSION} (go install, once)`);
  const started = Date.now();
  const install = spawnSync(
    "go",
    ["install", `github.com/open-policy-agent/conftest@v${CONFTEST_VERSION}`],
    { env: { ...process.env, GOBIN: folder }, stdio: "inherit" },
  );
  if (install.status !== 0 || !fs.existsSync(binary)) fail("go install of conftest failed");
  console.error(`bench: conftest built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return binary;
}

// An object written without a namespace is created in `default`: Kyverno's report says so,
// the manifest and Charter's row leave it out. One key for both.
const keyOf = ({ apiVersion, kind, namespace, name }) =>
  `${apiVersion} ${kind} ${namespace === "default" ? "" : (namespace ?? "")}/${name}`;
const identityOf = (object) =>
  keyOf({
    apiVersion: object.apiVersion,
    kind: object.kind,
    namespace: object.metadata?.namespace,
    name: object.metadata?.name,
  });

/** The policies each target emitted, by name, from `charter build`'s folders. */
function emittedPolicies(out) {
  // data.json holds each Rego policy's parameters, by policy name.
  const regoData = JSON.parse(fs.readFileSync(path.join(out, "rego/charter/data.json"), "utf8"));
  const regoPolicies = new Set(Object.keys(regoData.params));
  return {
    rego: regoPolicies,
    gatekeeper: new Set(
      fs
        .readdirSync(path.join(out, "gatekeeper"))
        .filter((name) => fs.statSync(path.join(out, "gatekeeper", name)).isDirectory()),
    ),
    kyverno: new Set(
      fs
        .readdirSync(path.join(out, "kyverno"))
        .filter((name) => name.endsWith(".yaml"))
        .map((name) => name.replace(/\.yaml$/, "")),
    ),
  };
}

/** Pairs of a Charter JSON report: `identity|policy` of every failing row. */
function charterPairs(reportFile) {
  const report = JSON.parse(fs.readFileSync(reportFile, "utf8"));
  return new Set(
    report.results
      .filter((row) => row.result === "fail")
      .map((row) => `${keyOf(row.resource)}|${row.policy}`),
  );
}

/** The first `count` documents of a YAML stream (documents separated by `---` lines). */
function firstDocuments(yamlPath, count, out) {
  const text = fs.readFileSync(yamlPath, "utf8");
  const documents = text.split(/^---\n/m).slice(0, count);
  fs.writeFileSync(out, documents.join("---\n"));
  return documents.length;
}

/** `peer` against Charter on the policies the peer runs. */
function compare(charter, peer, policies, judged) {
  const only = (set, other) =>
    [...set].filter((pair) => {
      const [identity, policy] = pair.split("|");
      return policies.has(policy) && judged(identity) && !other.has(pair);
    });
  const onlyCharter = only(charter, peer);
  const onlyPeer = only(peer, charter);
  const agreed = [...charter].filter((pair) => {
    const [identity, policy] = pair.split("|");
    return policies.has(policy) && judged(identity) && peer.has(pair);
  }).length;
  return { agreed, onlyCharter, onlyPeer };
}

/** Every peer on one input: `{ name, label, yamlPath, jsonPath, documents }`. */
function benchInput(input, out, policies, work, { kyvernoDocuments }) {
  console.error(`bench: peers on ${input.label}`);
  const dir = path.join(work, input.name);
  fs.mkdirSync(dir, { recursive: true });
  const data = JSON.parse(fs.readFileSync(input.jsonPath, "utf8"));
  const identities = data.docs.map(identityOf);
  const all = () => true;

  // Charter, the IR engine.
  const charterReport = path.join(dir, "charter.json");
  const charter = measure(
    `charter check (${input.name})`,
    process.execPath,
    [
      CHARTER,
      "check",
      input.yamlPath,
      "--no-defaults",
      "--format",
      "json",
      "--output",
      charterReport,
    ],
    { ok: [0, 1] },
  );
  const charterFailing = charterPairs(charterReport);

  // Reading alone, as `charter check` reads (bench/parse-only.mjs): the fast YAML reader, and
  // the yaml package's for comparison. A whole process each, start-up included.
  const readWith = (reader) =>
    measure(
      `reading only, ${reader} (${input.name})`,
      process.execPath,
      [path.join(repoRoot, "bench/parse-only.mjs"), input.yamlPath],
      { env: { CHARTER_YAML_READER: reader } },
    );
  const reading = { fast: readWith("fast"), yamlPackage: readWith("yaml-package") };

  // opa eval: one process, every document `with input as` it.
  const query = path.join(dir, "query");
  fs.mkdirSync(query, { recursive: true });
  fs.writeFileSync(
    path.join(query, "bench.rego"),
    `package charter_bench

results := [violations |
	some doc in data.docs
	violations := data.charter.violations with input as doc
]
`,
  );
  const opaOutput = path.join(dir, "opa.json");
  const opa = measure(
    `opa eval (${input.name})`,
    OPA,
    [
      "eval",
      "--format",
      "json",
      "--data",
      path.join(out, "rego"),
      "--data",
      query,
      "--data",
      input.jsonPath,
      "data.charter_bench.results",
    ],
    { stdoutFile: opaOutput },
  );
  const opaResults = JSON.parse(fs.readFileSync(opaOutput, "utf8")).result[0].expressions[0].value;
  const opaFailing = new Set(
    opaResults.flatMap((violations, index) =>
      violations.map((v) => `${identities[index]}|${v.policy}`),
    ),
  );

  // conftest: the same Rego, a `package main` wrapper, the inventory as data.
  const wrapper = path.join(dir, "conftest-policy");
  fs.mkdirSync(wrapper, { recursive: true });
  fs.writeFileSync(
    path.join(wrapper, "main.rego"),
    `package main

# Each violation of the Charter library as one deny message naming the policy and the document
# (conftest reports a multi-document file as one result).
deny contains msg if {
	some v in data.charter.violations
	msg := json.marshal({
		"policy": v.policy,
		"apiVersion": input.apiVersion,
		"kind": input.kind,
		"namespace": object.get(input.metadata, "namespace", ""),
		"name": input.metadata.name,
	})
}
`,
  );
  const inventoryFile = path.join(dir, "inventory.json");
  fs.writeFileSync(inventoryFile, JSON.stringify({ inventory: data.inventory }));
  const conftestOutput = path.join(dir, "conftest.json");
  const conftest = measure(
    `conftest test (${input.name})`,
    conftestBinary(),
    [
      "test",
      input.yamlPath,
      "--policy",
      path.join(out, "rego"),
      "--policy",
      wrapper,
      // conftest reads only .rego from --policy: the library's data.json (its parameters)
      // comes in as data, with the inventory.
      "--data",
      path.join(out, "rego"),
      "--data",
      inventoryFile,
      "--no-color",
      "--output",
      "json",
    ],
    { ok: [0, 1], stdoutFile: conftestOutput },
  );
  const conftestFailing = conftestPairs(conftestOutput);

  // gator test: the ConstraintTemplates and Constraints. Its text output, one line per
  // violation: its JSON repeats the Constraint and the object in every violation, more than
  // half a gigabyte for the PSS input.
  const gatorOutput = path.join(dir, "gator.txt");
  const gator = measure(
    `gator test (${input.name})`,
    GATOR,
    ["test", "-f", path.join(out, "gatekeeper"), "-f", input.yamlPath],
    { ok: [0, 1], stdoutFile: gatorOutput },
  );
  const gatorFailing = gatorPairs(gatorOutput);

  // kyverno apply: a subset, scaled per document.
  const subset = path.join(dir, "kyverno-subset.yaml");
  const subsetCount = firstDocuments(input.yamlPath, kyvernoDocuments, subset);
  const subsetIdentities = new Set(identities.slice(0, subsetCount));
  const kyvernoOutput = path.join(dir, "kyverno.json");
  const kyverno = measure(
    `kyverno apply (${input.name}, ${subsetCount} documents)`,
    KYVERNO,
    [
      "apply",
      path.join(out, "kyverno"),
      "--resource",
      subset,
      "--policy-report",
      "--output-format",
      "json",
      "--remove-color",
    ],
    { ok: [0, 1], stdoutFile: kyvernoOutput },
  );
  const kyvernoFailing = kyvernoPairs(kyvernoOutput);

  return {
    input,
    reading,
    runs: {
      charter: { ...charter, documents: input.documents },
      opa: { ...opa, documents: input.documents },
      conftest: { ...conftest, documents: input.documents },
      gator: { ...gator, documents: input.documents },
      kyverno: { ...kyverno, documents: subsetCount },
    },
    agreement: {
      opa: compare(charterFailing, opaFailing, policies.rego, all),
      conftest: compare(charterFailing, conftestFailing, policies.rego, all),
      gator: compare(charterFailing, gatorFailing, policies.gatekeeper, all),
      kyverno: compare(charterFailing, kyvernoFailing, policies.kyverno, (identity) =>
        subsetIdentities.has(identity),
      ),
    },
  };
}

/**
 * gator's text report: `<group/version/Kind> <namespace>/<name>: ["<constraint>"] Message: …`
 * (no namespace part for a cluster-scoped object); the Constraint is named after the policy.
 */
function gatorPairs(file) {
  const pairs = new Set();
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    const match = /^(\S+)\/([^/\s]+) (?:([^/\s]*)\/)?([^\s/:]+): \["([^"]+)"\]/.exec(line);
    if (!match) continue;
    const [, apiVersion, kind, namespace, name, policy] = match;
    pairs.add(`${keyOf({ apiVersion, kind, namespace: namespace || undefined, name })}|${policy}`);
  }
  return pairs;
}

/** conftest's JSON: each deny message names the policy and the document (the wrapper's JSON). */
function conftestPairs(file) {
  const results = JSON.parse(fs.readFileSync(file, "utf8"));
  return new Set(
    results.flatMap((result) =>
      (result.failures ?? []).map((failure) => {
        const { policy, ...resource } = JSON.parse(failure.msg);
        return `${keyOf({ ...resource, namespace: resource.namespace || undefined })}|${policy}`;
      }),
    ),
  );
}

/** Kyverno's merged report: every `fail` result, with its resource. */
function kyvernoPairs(file) {
  const text = fs.readFileSync(file, "utf8");
  const start = text.indexOf("{");
  if (start < 0) return new Set();
  const report = JSON.parse(text.slice(start));
  return new Set(
    (report.results ?? [])
      .filter((result) => result.result === "fail")
      .flatMap((result) => (result.resources ?? []).map((r) => `${keyOf(r)}|${result.policy}`)),
  );
}

export function peersBench({ documents = 10_000, kyvernoDocuments = 200 } = {}) {
  for (const [file, what] of [
    [OPA, "opa (scripts/install-engines.sh)"],
    [GATOR, "gator (scripts/install-engines.sh)"],
    [KYVERNO, "kyverno (scripts/install-engines.sh)"],
  ]) {
    if (!fs.existsSync(file)) fail(`${file} is missing: ${what}`);
  }
  conftestBinary();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "charter-peers-"));
  try {
    const out = path.join(work, "emitted");
    measure("charter build (rego, gatekeeper, kyverno)", process.execPath, [
      CHARTER,
      "build",
      "--target",
      "rego,gatekeeper,kyverno",
      "--out",
      out,
    ]);
    const policies = emittedPolicies(out);
    const todo = generate(documents, path.join(work, "todo-input"));
    const pss = generatePss(documents, path.join(work, "pss-input"));
    const corpus = corpusInput(path.join(work, "corpus-input"));
    const inputs = [
      {
        name: "todo",
        label: `${documents} documents from examples/todo-app (bench/generate.mjs)`,
        documents,
        ...todo,
      },
      {
        name: "pss",
        label: `${documents} PSS-style workloads (bench/generate-pss.mjs)`,
        documents,
        ...pss,
      },
      {
        name: "corpus",
        label: `${corpus.documents} documents of real release manifests (${corpus.projects.join(", ")}; bench/corpus/)`,
        ...corpus,
      },
    ];
    const results = inputs.map((input) =>
      benchInput(input, out, policies, work, { kyvernoDocuments }),
    );
    return {
      results,
      policies: Object.fromEntries(Object.entries(policies).map(([k, v]) => [k, v.size])),
      versions: {
        opa: firstLine(OPA, ["version"]),
        conftest: `v${CONFTEST_VERSION}`,
        gator: firstLine(GATOR, ["--version"]),
        kyverno: firstLine(KYVERNO, ["version"]),
      },
    };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function firstLine(command, args) {
  return (spawnSync(command, args, { encoding: "utf8" }).stdout ?? "").split("\n")[0].trim();
}

const seconds = (ms) => (ms / 1000).toFixed(2);
const perDocumentMs = (run) => run.wallMs / run.documents;
/** The time bench/parse-only.mjs spent reading, inside its process. */
const parsedMs = (run) => JSON.parse(run.stdout).parseMs;

export function peersSection({ results, policies, versions }) {
  const blocks = results.map(({ input, reading, runs, agreement }) => {
    const rows = Object.entries(runs).map(([peer, run]) => {
      const ratio =
        peer === "charter"
          ? "–"
          : `${(perDocumentMs(run) / perDocumentMs(runs.charter)).toFixed(1)}×`;
      const agree = agreement[peer];
      const agreed =
        agree === undefined
          ? "–"
          : agree.onlyCharter.length + agree.onlyPeer.length === 0
            ? `same (${agree.agreed})`
            : `${agree.agreed} same, ${agree.onlyCharter.length} only Charter, ${agree.onlyPeer.length} only ${peer}`;
      return `| ${peer === "kyverno" ? `kyverno apply (${run.documents} documents, scaled per document)` : peer} | ${run.documents} | ${seconds(run.wallMs)} | ${(run.documents / (run.wallMs / 1000)).toFixed(0)} | ${run.peakMiB.toFixed(0)} | ${ratio} | ${agreed} |`;
    });
    const differences = Object.entries(agreement).flatMap(([peer, agree]) => [
      ...agree.onlyCharter
        .slice(0, 3)
        .map((pair) => `- only Charter fails (vs ${peer}): \`${pair}\``),
      ...agree.onlyPeer.slice(0, 3).map((pair) => `- only ${peer} fails: \`${pair}\``),
    ]);
    return `**${input.label}**

| Run | Documents | Wall (s) | Documents/s | Peak RSS (MiB) | Peer ÷ Charter, per document | Failing (resource, policy) pairs vs Charter |
| --- | ---: | ---: | ---: | ---: | ---: | --- |
${rows.join("\n")}
${differences.length ? `\n${differences.join("\n")}\n` : ""}
Reading alone as \`charter check\` reads (bench/parse-only.mjs; time inside the process, whole process): fast YAML reader ${seconds(parsedMs(reading.fast))} s (${seconds(reading.fast.wallMs)} s), the yaml package's ${seconds(parsedMs(reading.yamlPackage))} s (${seconds(reading.yamlPackage.wallMs)} s), ${(parsedMs(reading.yamlPackage) / parsedMs(reading.fast)).toFixed(1)}× faster; whole \`charter check\` ÷ fast reading, both whole processes: ${(runs.charter.wallMs / reading.fast.wallMs).toFixed(2)}×.
`;
  });
  return `<!-- peers-bench:begin (written by bench/peers.mjs; edit the prose outside these markers) -->
Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, one run; Node ${process.version}, ${os.cpus().length} CPUs; ${versions.opa}, conftest ${versions.conftest}, ${versions.gator}, kyverno ${versions.kyverno}. Policies each peer runs: Rego ${policies.rego} (opa, conftest), Gatekeeper ${policies.gatekeeper}, Kyverno ${policies.kyverno}.

${blocks.join("\n")}
<!-- peers-bench:end -->`;
}

export function writePeersSection(section) {
  writeSection("peers-bench", section);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const option = (name, fallback) => {
    const at = process.argv.indexOf(name);
    return at < 0 ? fallback : Number(process.argv[at + 1]);
  };
  const section = peersSection(
    peersBench({
      documents: option("--documents", 10_000),
      kyvernoDocuments: option("--kyverno-documents", 200),
    }),
  );
  console.log(section);
  if (!process.argv.includes("--no-write")) writePeersSection(section);
}
