/**
 * Issue 14, requirement 5: every Kubernetes object Charter emits for Kyverno and Gatekeeper, and
 * every report it writes, is accepted by a real API server (test/cluster/dev-cluster.test.ts)
 * with the CRDs of ../shared/schemas installed — Kyverno 1.19 (ValidatingPolicy, ClusterPolicy,
 * both PolicyException APIs…), Gatekeeper (ConstraintTemplate, SyncSet), PolicyReport and
 * OpenReports — and stored exactly as emitted.
 *
 * What is applied: the output of the CLI (packages/cli/bin/charter.js, as a user runs it) in
 * every variant that emits distinct objects (VARIANTS below): the library as built by default
 * (ValidatingPolicy `policies.kyverno.io/v1`, Gatekeeper ConstraintTemplates with Rego, the
 * SyncSets of the cross-resource policies), `--kyverno-api clusterpolicy`, `--gatekeeper-engine
 * cel` (the policies CEL cannot express are compile errors: printed, and left out), the example
 * app's build, and test/fixtures/crd-objects-project — the library plus a `warn` and an `audit`
 * policy with namespace and label filters and parameters of every type, and exceptions of every
 * match form, so both PolicyException APIs are emitted and some exceptions are folded into CEL.
 * Then `charter check --format policyreport` and `--format openreports` of that project's
 * manifests and the insecure example app: pass, fail and skip (exception) rows in namespaced
 * and cluster-scoped reports; and of a namespace of 60 Deployments, whose one report the server
 * refused before reports were split (over client-side apply's 256 KiB annotation from 12
 * Deployments on, over etcd's 1.5 MiB at 60), applied both client-side (`kubectl apply -f`, as
 * docs/cli.md shows) and server-side.
 *
 * How: server-side apply with a field manager and fieldValidation=Strict (`kubectl
 * --validate=strict`), so an unknown field is an error, not silently dropped; real creates, each
 * object then read back at the version it was emitted in and compared with what Charter meant
 * (the files parsed as YAML 1.2): every emitted field must be stored with the same value. A field
 * missing was pruned — by the structural schema, or on the way through the storage version
 * (ValidatingPolicy is served as v1 and stored as v1beta1) — and fails the test with the object
 * and the path: Charter would be emitting a field the CRD does not have. The fields the server
 * defaults are printed (they are how the cluster will read the object). A variant's objects are
 * deleted before the next one, which reuses their names.
 *
 * Out of scope: Gatekeeper Constraints. There is no static CRD for them — Gatekeeper's controller
 * generates one per ConstraintTemplate (the template's parameter schema plus `match`), so without
 * it the server cannot validate a Constraint. ValidatingAdmissionPolicies and their bindings are
 * built-in kinds, judged by the VAP tests of requirement 3.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import type { DevCluster } from "@charter/server";
import {
  devClusterForTests,
  kubernetesBinariesForTests,
} from "@charter/test-support/dev-cluster-for-tests";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments, stringify } from "yaml";
import { compareStored } from "../support/stored-differences.js";

const repo = resolve(".");
const CLI = join(repo, "packages/cli/bin/charter.js");
const SCHEMAS = resolve(repo, "..", "shared", "schemas");
const CRD_FOLDERS = ["kyverno", "gatekeeper", "policyreport", "openreports"];
const PROJECT = join(repo, "test/fixtures/crd-objects-project");
const LIBRARY = join(repo, "policies");
/** The clock of every build and check: the fixture's exceptions are in force. */
const NOW = "2027-01-20";
const FIELD_MANAGER = "charter-crd-objects-test";
/** Where Charter puts the Kyverno PolicyExceptions (`--kyverno-exception-namespace`'s default). */
const EXCEPTION_NAMESPACE = "kyverno";

const binaries = kubernetesBinariesForTests("the CRD objects in the real API server");

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(program: string, args: readonly string[], cwd = repo): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(program, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once("error", reject);
    child.once("close", (code) => resolvePromise({ code, stdout, stderr }));
  });
}

const charter = (args: readonly string[], cwd: string) =>
  run(process.execPath, [CLI, ...args], cwd);

/** A build of the objects Charter emits, as a user would run it. */
interface Variant {
  readonly name: string;
  readonly cwd: string;
  readonly args: readonly string[];
  /** The policies CEL cannot express are compile errors: build again without them. */
  readonly dropCompileErrors?: boolean;
}

const policyFiles = (folder: string) =>
  readdirSync(folder)
    .filter((file) => file.endsWith(".ts") && !file.endsWith(".test.ts") && file !== "index.ts")
    .map((file) => join(folder, file));

const VARIANTS: readonly Variant[] = [
  { name: "library", cwd: repo, args: ["--target", "kyverno,gatekeeper"] },
  {
    name: "library --kyverno-api clusterpolicy",
    cwd: repo,
    args: ["--target", "kyverno", "--kyverno-api", "clusterpolicy"],
  },
  {
    // From the repository: the CEL engine cannot apply exceptions, so the project's are left out.
    name: "library and project policies --gatekeeper-engine cel",
    cwd: repo,
    args: [
      "--target",
      "gatekeeper",
      "--gatekeeper-engine",
      "cel",
      "--policies",
      [...policyFiles(LIBRARY), ...policyFiles(join(PROJECT, "policies"))].join(","),
    ],
    dropCompileErrors: true,
  },
  { name: "examples/todo-app", cwd: join(repo, "examples/todo-app"), args: [] },
  { name: "project", cwd: PROJECT, args: ["--target", "kyverno,gatekeeper"] },
  {
    name: "project --kyverno-api clusterpolicy",
    cwd: PROJECT,
    args: ["--target", "kyverno", "--kyverno-api", "clusterpolicy"],
  },
];

const REPORT_FORMATS = ["policyreport", "openreports"] as const;

/** A namespace of this many Deployments: a scan whose report one object could not hold. */
const LARGE_NAMESPACE_DEPLOYMENTS = 60;

function writeLargeNamespace(folder: string): void {
  mkdirSync(folder, { recursive: true });
  for (let i = 0; i < LARGE_NAMESPACE_DEPLOYMENTS; i++) {
    const labels = { app: `app-${i}` };
    const deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: `app-${i}`, namespace: "large" },
      spec: {
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: { containers: [{ name: "app", image: "nginx:latest" }] },
        },
      },
    };
    writeFileSync(join(folder, `app-${i}.yaml`), stringify(deployment));
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [key: string]: unknown;
}

/** One YAML document of an emitted file. */
interface Emitted {
  readonly file: string;
  readonly object: K8sObject;
}

const groupOf = (apiVersion: string) => (apiVersion.includes("/") ? apiVersion.split("/")[0] : "");
/** `apiVersion kind`, and a ConstraintTemplate's engines (Rego or CEL). */
function kindKey(o: K8sObject): string {
  if (o.kind !== "ConstraintTemplate") return `${o.apiVersion} ${o.kind}`;
  const targets = (o.spec as { targets?: { code?: { engine: string }[] }[] }).targets ?? [];
  const engines = new Set(targets.flatMap((t) => (t.code ?? []).map((c) => c.engine)));
  return `${o.apiVersion} ${o.kind} (${[...engines].sort().join(", ")})`;
}
const objectKey = (o: K8sObject) =>
  `${groupOf(o.apiVersion)}/${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
const describeObject = (e: Emitted) =>
  `${relative(repo, e.file)}: ${e.object.kind} ${e.object.metadata.namespace ? `${e.object.metadata.namespace}/` : ""}${e.object.metadata.name}`;

function yamlFiles(folder: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(folder, { recursive: true, encoding: "utf8" });
  } catch {
    return [];
  }
  return entries
    .filter((entry) => entry.endsWith(".yaml"))
    .sort()
    .map((entry) => join(folder, entry));
}

function readObjects(file: string): Emitted[] {
  return parseAllDocuments(readFileSync(file, "utf8")).flatMap((document) => {
    if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]?.message}`);
    const object = document.toJS() as K8sObject | null;
    return object === null ? [] : [{ file, object }];
  });
}

/** Gatekeeper Constraints: no CRD without Gatekeeper's controller (see the header). */
const isConstraint = (o: K8sObject) => groupOf(o.apiVersion) === "constraints.gatekeeper.sh";

interface Built {
  readonly variant: Variant;
  readonly out: string;
  /** `file:line: error: policy "…"…` of the policies left out (dropCompileErrors). */
  readonly compileErrors: readonly string[];
}

async function build(variant: Variant, out: string): Promise<Built> {
  const compileErrors: string[] = [];
  let args = [...variant.args];
  for (;;) {
    const result = await charter(["build", "--out", out, "--now", NOW, ...args], variant.cwd);
    if (result.code === 0) return { variant, out, compileErrors };
    const errors = result.stderr.split("\n").filter((line) => / error: policy "/.test(line));
    const files = errors.map((line) => line.slice(0, line.indexOf(":")));
    const index = args.indexOf("--policies");
    if (!variant.dropCompileErrors || errors.length === 0 || index < 0) {
      throw new Error(`charter build (${variant.name}) exited ${result.code}:\n${result.stderr}`);
    }
    compileErrors.push(...errors);
    const kept = (args[index + 1] ?? "").split(",").filter((file) => !files.includes(file));
    args = [...args.slice(0, index + 1), kept.join(","), ...args.slice(index + 2)];
  }
}

/** Runs the tasks two at a time (the machine has two cores, shared with the API server). */
async function twoAtATime<T>(tasks: readonly (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await (tasks[index] as () => Promise<T>)();
    }
  };
  await Promise.all([worker(), worker()]);
  return results;
}

describe.skipIf(binaries === undefined)(
  "Charter's Kyverno, Gatekeeper and report objects in the real API server",
  () => {
    let cluster: DevCluster;
    let work: string;
    let builds: Built[];
    const reports = new Map<string, string>();
    /** Accepted and stored as emitted, per `apiVersion kind`: the counts printed at the end. */
    const accepted = new Map<string, number>();
    const distinct = new Set<string>();
    const defaulted = new Map<string, Set<string>>();

    const kubectl = (args: readonly string[]) =>
      run(cluster.binaries.kubectl, [
        "--kubeconfig",
        cluster.kubeconfigs.admin,
        "--cache-dir",
        join(work, "kubectl-cache"),
        ...args,
      ]);
    const fileArgs = (files: readonly string[]) => files.flatMap((file) => ["-f", file]);
    /** Server-side apply; `clientSide` is plain `kubectl apply -f`, as docs/cli.md shows. */
    const apply = (files: readonly string[], clientSide = false) =>
      kubectl([
        "apply",
        ...(clientSide ? [] : ["--server-side", `--field-manager=${FIELD_MANAGER}`]),
        "--validate=strict",
        ...fileArgs(files),
      ]);

    /** `charter check --format <format>` of the paths, in the fixture project. */
    async function check(
      format: string,
      label: string,
      paths: readonly string[],
    ): Promise<undefined> {
      const output = join(work, `report-${format}${label ? `-${label}` : ""}.yaml`);
      const result = await charter(
        ["check", ...paths, "--now", NOW, "--format", format, "--output", output],
        PROJECT,
      );
      // 1: deny policies failed, as they should on these manifests.
      if (result.code !== 1) {
        throw new Error(
          `charter check --format ${format} exited ${result.code}:\n${result.stderr}`,
        );
      }
      reports.set(`${format}${label ? ` ${label}` : ""}`, output);
      return undefined;
    }

    beforeAll(async () => {
      work = mkdtempSync(join(tmpdir(), "charter-crd-objects-"));
      writeLargeNamespace(join(work, "large"));
      const tasks = [
        ...VARIANTS.map((variant, index) => () => build(variant, join(work, `build-${index}`))),
        ...REPORT_FORMATS.flatMap((format) => [
          () => check(format, "", ["manifests", join(repo, "examples/todo-app/insecure")]),
          () => check(format, "large", [join(work, "large")]),
        ]),
      ];
      const [started, built] = await Promise.all([
        devClusterForTests(),
        twoAtATime<Built | undefined>(tasks),
      ]);
      cluster = started as DevCluster;
      builds = built.filter((b): b is Built => b !== undefined);
      for (const { variant, compileErrors } of builds) {
        for (const error of compileErrors) {
          console.log(`${variant.name}: left out, a compile error: ${relative(repo, error)}`);
        }
      }
    }, 900_000);

    afterAll(async () => {
      await cluster?.stop();
      if (work) rmSync(work, { recursive: true, force: true });
    });

    it("installs the Kyverno, Gatekeeper, PolicyReport and OpenReports CRDs, all Established", async () => {
      const files = CRD_FOLDERS.flatMap((folder) => yamlFiles(join(SCHEMAS, folder)));
      // The Kyverno CRDs are over a megabyte: too large for client-side apply's annotation.
      const installed = await apply(files);
      expect(installed.code, installed.stderr).toBe(0);
      const names = files.flatMap(readObjects).map((e) => e.object.metadata.name);
      expect(names).toEqual(
        expect.arrayContaining([
          "validatingpolicies.policies.kyverno.io",
          "policyexceptions.policies.kyverno.io",
          "clusterpolicies.kyverno.io",
          "policyexceptions.kyverno.io",
          "constrainttemplates.templates.gatekeeper.sh",
          "syncsets.syncset.gatekeeper.sh",
          "policyreports.wgpolicyk8s.io",
          "clusterpolicyreports.wgpolicyk8s.io",
          "reports.openreports.io",
          "clusterreports.openreports.io",
        ]),
      );
      const established = await kubectl([
        "wait",
        "--for=condition=Established",
        "--timeout=120s",
        ...names.map((name) => `customresourcedefinition/${name}`),
      ]);
      expect(established.code, established.stderr).toBe(0);
      const namespace = await kubectl(["create", "namespace", EXCEPTION_NAMESPACE]);
      expect(namespace.code, namespace.stderr).toBe(0);
    });

    /**
     * Applies the objects (the files as emitted where they hold nothing else), reads each back at
     * its emitted version, and returns one line per object the server refused or did not store as
     * sent; the objects stay in the cluster.
     */
    async function applyAndCompare(
      label: string,
      emitted: readonly Emitted[],
      clientSide = false,
    ): Promise<string[]> {
      const files = [...new Set(emitted.map((e) => e.file))];
      const applied = await apply(files, clientSide);
      const lines = applied.stderr.split("\n").filter((line) => line.trim() !== "");
      // The server's warnings (a deprecated API version) are the user's to see, not refusals.
      for (const line of lines.filter((l) => l.startsWith("Warning: ")))
        console.log(`${label}: ${line}`);
      const problems = lines.filter((l) => !l.startsWith("Warning: ")).map((l) => `refused: ${l}`);
      if (applied.code !== 0 && problems.length === 0)
        problems.push(`kubectl apply exited ${applied.code}`);
      const read = await kubectl(["get", ...fileArgs(files), "-o", "json"]);
      const body = JSON.parse(read.stdout || '{"items": []}') as K8sObject & {
        items?: K8sObject[];
      };
      const stored = new Map((body.items ?? [body]).map((o) => [objectKey(o), o]));
      for (const e of emitted) {
        const got = stored.get(objectKey(e.object));
        if (got === undefined) {
          problems.push(`${describeObject(e)}: not stored`);
          continue;
        }
        const { differences, added } = compareStored(e.object, got);
        for (const d of differences) {
          problems.push(
            `${describeObject(e)}: ${d.path} ${d.problem} (emitted ${JSON.stringify(d.sent)?.slice(0, 200)}, stored ${JSON.stringify(d.stored)?.slice(0, 200)})`,
          );
        }
        if (differences.length > 0) continue;
        const key = kindKey(e.object);
        accepted.set(key, (accepted.get(key) ?? 0) + 1);
        distinct.add(JSON.stringify(e.object));
        const server = added.filter((path) => !/^\.(status|metadata)\b/.test(path));
        const seen = defaulted.get(key) ?? new Set<string>();
        for (const path of server) seen.add(path);
        defaulted.set(key, seen);
      }
      console.log(`${label}: ${emitted.length} objects applied and read back`);
      return problems;
    }

    async function remove(files: readonly string[]): Promise<void> {
      // An object the server refused is not there to delete: the refusal is the failure to show.
      const deleted = await kubectl([
        "delete",
        "--wait=true",
        "--ignore-not-found",
        ...fileArgs(files),
      ]);
      expect(deleted.code, deleted.stderr).toBe(0);
    }

    it.each(VARIANTS.map((variant) => variant.name))(
      "accepts and stores as emitted every object of the build: %s",
      async (name) => {
        const built = builds.find((b) => b.variant.name === name) as Built;
        const everything = ["kyverno", "gatekeeper"].flatMap((target) =>
          yamlFiles(join(built.out, target)).flatMap(readObjects),
        );
        const constraints = everything.filter((e) => isConstraint(e.object));
        // A file holding a Constraint and something else is applied as a copy without it.
        const mixed = new Set(constraints.map((e) => e.file));
        const emitted = everything
          .filter((e) => !isConstraint(e.object))
          .map((e) => {
            if (!mixed.has(e.file)) return e;
            const copy = join(work, "unmixed", relative(work, e.file));
            mkdirSync(join(copy, ".."), { recursive: true });
            writeFileSync(copy, stringify(e.object));
            return { file: copy, object: e.object };
          });
        expect(emitted.length).toBeGreaterThan(0);
        const problems = await applyAndCompare(
          `${name} (${constraints.length} Constraints out of scope)`,
          emitted,
        );
        await remove([...new Set(emitted.map((e) => e.file))]);
        expect(problems).toEqual([]);
      },
      300_000,
    );

    it.each(REPORT_FORMATS)(
      "accepts and stores as written every report of charter check --format %s",
      async (format) => {
        const file = reports.get(format) as string;
        const emitted = readObjects(file);
        // The reports cover pass, fail and skip rows in namespaced and cluster-scoped resources.
        for (const scope of ["namespaced", "cluster"] as const) {
          const results = emitted
            .filter((e) => (e.object.metadata.namespace !== undefined) === (scope === "namespaced"))
            .flatMap((e) => e.object.results as { result: string }[]);
          expect(new Set(results.map((r) => r.result)), scope).toEqual(
            new Set(["pass", "fail", "skip"]),
          );
        }
        for (const namespace of new Set(emitted.map((e) => e.object.metadata.namespace))) {
          if (namespace === undefined) continue;
          const exists = await kubectl(["get", "namespace", namespace]);
          if (exists.code !== 0) {
            const created = await kubectl(["create", "namespace", namespace]);
            expect(created.code, created.stderr).toBe(0);
          }
        }
        const problems = await applyAndCompare(`charter check --format ${format}`, emitted);
        await remove([file]);
        expect(problems).toEqual([]);
      },
      300_000,
    );

    it.each(REPORT_FORMATS)(
      `accepts the reports of a namespace of ${LARGE_NAMESPACE_DEPLOYMENTS} Deployments (--format %s), split, by client-side and server-side apply`,
      async (format) => {
        const file = reports.get(`${format} large`) as string;
        const emitted = readObjects(file);
        // One report would be refused: over the annotation limit of client-side apply, and
        // over etcd's 1.5 MiB (measured: "etcdserver: request is too large").
        const large = emitted.filter((e) => e.object.metadata.namespace === "large");
        expect(large.length).toBeGreaterThan(1);
        const created = await kubectl(["create", "namespace", "large"]);
        expect(created.code === 0 || /AlreadyExists/.test(created.stderr), created.stderr).toBe(
          true,
        );
        for (const clientSide of [true, false]) {
          const how = clientSide ? "client-side" : "server-side";
          const problems = await applyAndCompare(
            `charter check --format ${format} of ${LARGE_NAMESPACE_DEPLOYMENTS} Deployments, ${emitted.length} reports, ${how} apply`,
            emitted,
            clientSide,
          );
          await remove([file]);
          expect(problems, how).toEqual([]);
        }
      },
      300_000,
    );

    it("the checks bite: an unknown field is refused, a bad value is refused, a pruned field is found", async () => {
      const library = builds.find((b) => b.variant.name === "library") as Built;
      const [policy] = readObjects(join(library.out, "kyverno", "disallow-host-path.yaml"));
      const object = policy?.object as K8sObject;
      const variantFile = (name: string, change: (o: K8sObject) => void) => {
        const copy = structuredClone(object);
        copy.metadata.name = `bite-${name}`;
        change(copy);
        const file = join(work, `bite-${name}.yaml`);
        writeFileSync(file, stringify(copy));
        return { file, object: copy };
      };
      const unknown = variantFile("unknown", (o) => {
        (o.spec as { [key: string]: Json }).failurPolicy = "Fail";
      });
      const refusedUnknown = await apply([unknown.file]);
      expect(refusedUnknown.code).not.toBe(0);
      expect(refusedUnknown.stderr).toMatch(/\.spec\.failurPolicy: field not declared in schema/);

      const badValue = variantFile("value", (o) => {
        (o.spec as { [key: string]: Json }).validationActions = ["Block"];
      });
      const refusedValue = await apply([badValue.file]);
      expect(refusedValue.code).not.toBe(0);
      expect(refusedValue.stderr).toMatch(/validationActions\[0\]: Unsupported value: "Block"/);

      // Without strict validation, a plain create prunes the unknown field silently; the
      // comparison is what finds it.
      const pruned = variantFile("pruned", (o) => {
        (o.spec as { [key: string]: Json }).failurPolicy = "Fail";
      });
      const created = await kubectl(["create", "--validate=false", "-f", pruned.file]);
      expect(created.code, created.stderr).toBe(0);
      const read = await kubectl(["get", "-f", pruned.file, "-o", "json"]);
      const { differences } = compareStored(pruned.object, JSON.parse(read.stdout));
      expect(differences).toEqual([
        { path: ".spec.failurPolicy", problem: "pruned", sent: "Fail", stored: undefined },
      ]);
      await remove([pruned.file]);
    });

    it("accepted every kind Charter emits: the counts", () => {
      const lines = [...accepted.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([kind, n]) => `  ${String(n).padStart(4)}  ${kind}`);
      console.log(
        `accepted and stored as emitted, per kind (${[...accepted.values()].reduce((a, b) => a + b, 0)} applied, ${distinct.size} distinct):\n${lines.join("\n")}`,
      );
      for (const [kind, paths] of defaulted) {
        if (paths.size > 0) console.log(`the server defaults in ${kind}: ${[...paths].join(", ")}`);
      }
      expect([...accepted.keys()]).toEqual(
        expect.arrayContaining([
          "policies.kyverno.io/v1 ValidatingPolicy",
          "policies.kyverno.io/v1 PolicyException",
          "kyverno.io/v1 ClusterPolicy",
          "kyverno.io/v2 PolicyException",
          "templates.gatekeeper.sh/v1 ConstraintTemplate (Rego)",
          "templates.gatekeeper.sh/v1 ConstraintTemplate (K8sNativeValidation)",
          "syncset.gatekeeper.sh/v1alpha1 SyncSet",
          "wgpolicyk8s.io/v1alpha2 PolicyReport",
          "wgpolicyk8s.io/v1alpha2 ClusterPolicyReport",
          "openreports.io/v1alpha1 Report",
          "openreports.io/v1alpha1 ClusterReport",
        ]),
      );
    });
  },
);
