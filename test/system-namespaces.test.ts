/**
 * System namespaces (packages/ir/src/system-namespaces.ts): the policy set's setting that keeps
 * every target off the control plane, and every engine's rows in step with them.
 *
 * - Every engine `charter check` can run gives the same rows on a set of objects in and out of
 *   the default system namespaces: skips naming the namespace for the objects in them (the
 *   Rego ones through the emitted `data.charter.systemNamespaces` and Constraints, which their
 *   engines check against the matcher), judged rows for the rest. Without the setting (cases,
 *   conformance suites) the same objects are judged.
 * - Each target's own matching code, offline, on the emitted artifacts of the whole library:
 *   the API server's matcher (`cel-judge -match`) on each VAP binding's namespaceSelector (with
 *   its policy's constraints, the intersection the server takes) and each Kyverno
 *   ValidatingPolicy's matchConstraints; `gator verify` on each Constraint's match; and
 *   `kyverno apply` on the ValidatingPolicy and the ClusterPolicy. Each must leave out exactly
 *   the objects in a system namespace — a Pod there and the Namespace itself — and judge a
 *   Node or a ClusterRoleBinding named like one.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { emitGatekeeper, emitKyverno, emitVap, policiesFor, toYaml } from "@charter/compiler";
import {
  DEFAULT_SYSTEM_NAMESPACES,
  groupOf,
  type Json,
  type JsonObject,
  type Policy,
  type TargetName,
} from "@charter/ir";
import {
  constraintMatches,
  createEngines,
  ENGINE_NAMES,
  type Finding,
  findGator,
  type MatchRequest,
  policyApplies,
  runCelJudgeMatch,
} from "@charter/runtime";
import {
  policy as buildPolicy,
  exists,
  kindsMatch,
  message,
  obj,
  rule,
} from "@charter/test-support/build-ir";
import { celJudgeForTests } from "@charter/test-support/cel-judge-for-tests";
import { reportResults, requireKyverno, runKyverno } from "@charter/test-support/kyverno-binary";
import { afterAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import library from "../policies/index.js";
import { requireEngine } from "./support/engines.js";

const SYSTEM = DEFAULT_SYSTEM_NAMESPACES;

const privilegedPod = (name: string, namespace: string): JsonObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace },
  spec: {
    hostNetwork: true,
    containers: [{ name: "app", image: "nginx:latest", securityContext: { privileged: true } }],
  },
});

/** A Namespace as the API server stores it: with the label it sets to the name. */
const namespace = (name: string, labels: JsonObject = {}): JsonObject => ({
  apiVersion: "v1",
  kind: "Namespace",
  metadata: { name, labels: { ...labels, "kubernetes.io/metadata.name": name } },
});

const clusterAdmin = (kind: "RoleBinding" | "ClusterRoleBinding", metadata: JsonObject) => ({
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind,
  metadata,
  roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
  subjects: [{ kind: "User", name: "alice", apiGroup: "rbac.authorization.k8s.io" }],
});

/** Objects, each with whether it is in a system namespace. */
const OBJECTS: readonly { readonly object: JsonObject; readonly system: boolean }[] = [
  { object: privilegedPod("agent", "kube-system"), system: true },
  { object: privilegedPod("web", "default"), system: false },
  { object: privilegedPod("lease", "kube-node-lease"), system: true },
  {
    object: {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "bare", namespace: "kube-public" },
    },
    system: true,
  },
  { object: namespace("kube-system", { "istio-injection": "enabled" }), system: true },
  { object: namespace("team-a", { "istio-injection": "enabled" }), system: false },
  { object: clusterAdmin("RoleBinding", { name: "ops", namespace: "kube-system" }), system: true },
  { object: clusterAdmin("ClusterRoleBinding", { name: "kube-system" }), system: false },
];

const resources = OBJECTS.map(({ object }) => ({ object: object as Json }));

function key(finding: Finding): string {
  return `${finding.resourceIndex} ${finding.policy}/${finding.rule}`;
}

describe("every engine leaves the system namespaces alone, and judges them without the setting", () => {
  const settings = { exceptions: [], now: Date.now(), systemNamespaces: SYSTEM };
  const { engines, missing } = createEngines(library, ENGINE_NAMES, settings);
  for (const { name } of missing) requireEngine(name, undefined);

  it.each(engines.map((engine) => [engine.name, engine] as const))(
    "%s: skips naming the namespace for objects in one, the IR engine's rows for the rest",
    async (_name, engine) => {
      const reference = createEngines(library, ["ir"], settings).engines[0];
      const expected = await reference?.evaluate(resources);
      const rows = await engine.evaluate(resources);
      const unjudgeable = new Set(engine.unjudgeable?.keys() ?? []);
      let systemRows = 0;
      for (const row of rows) {
        const { system } = OBJECTS[row.resourceIndex] as (typeof OBJECTS)[number];
        if (!system) continue;
        systemRows++;
        expect(row.result, key(row)).toBe("skip");
        expect(row.message, key(row)).toMatch(
          /is (in )?the system namespace kube-(system|public|node-lease), which no policy judges/,
        );
      }
      expect(systemRows).toBeGreaterThan(20);
      // The same rows as the IR engine, policies this engine cannot express aside.
      const comparable = (list: readonly Finding[] | undefined) =>
        (list ?? [])
          .filter((row) => !unjudgeable.has(row.policy))
          .map((row) => `${key(row)} ${row.result} ${row.message}`)
          .sort();
      expect(comparable(rows)).toEqual(comparable(expected));
    },
  );

  it("without the setting (policy cases, conformance suites) the same objects are judged", async () => {
    const [ir] = createEngines(library, ["ir"]).engines;
    const rows = (await ir?.evaluate(resources)) ?? [];
    const failing = (index: number) =>
      rows.filter((r) => r.resourceIndex === index && r.result === "fail").map((r) => r.policy);
    expect(failing(0)).toContain("disallow-privileged-containers");
    expect(failing(4)).toContain("require-mesh-wide-mtls");
    expect(failing(6)).toContain("restrict-cluster-admin-bindings");
    expect(rows.some((r) => /system namespace/.test(r.message))).toBe(false);
  });
});

// biome-ignore lint/suspicious/noExplicitAny: emitted YAML read back
type Doc = any;

/** What `charter build` builds for the target. */
function builtFor(target: TargetName): readonly Policy[] {
  return policiesFor(library, target);
}

/** Whether the IR says the policy concerns the object and judges it (a template skip counts). */
function judged(policy: Policy, object: Json): boolean {
  const applies = policyApplies(policy, object, SYSTEM);
  return applies === "yes" || applies === "skip";
}

/** Whether the policy matches the object at all, setting aside the system namespaces. */
function matched(policy: Policy, object: Json): boolean {
  return policyApplies(policy, object) !== "no";
}

const folders: string[] = [];
function workFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), "charter-system-ns-"));
  folders.push(folder);
  return folder;
}
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** The admission request the API server builds for creating the object. */
function createRequest(id: string, object: JsonObject): MatchRequest {
  const apiVersion = object.apiVersion as string;
  const kind = object.kind as string;
  const group = groupOf(apiVersion);
  const version = apiVersion.includes("/") ? (apiVersion.split("/")[1] as string) : apiVersion;
  const resource = `${kind.toLowerCase()}s`;
  const metadata = object.metadata as JsonObject;
  return {
    id,
    kind: { group, version, kind },
    resource: { group, version, resource },
    operation: "CREATE",
    ...(typeof metadata.namespace === "string" ? { namespace: metadata.namespace } : {}),
    name: metadata.name as string,
    object,
  };
}

const judge = celJudgeForTests();

describe.skipIf(!judge)("the API server's matcher (cel-judge -match)", () => {
  const requests = OBJECTS.map(({ object }, index) => createRequest(String(index), object));
  const namespaces = [
    namespace("kube-system"),
    namespace("kube-public"),
    namespace("kube-node-lease"),
    namespace("default"),
    namespace("team-a"),
  ];

  it.each(["vap", "validatingpolicy"] as const)(
    "%s: leaves out exactly the objects in a system namespace",
    async (target) => {
      const policies = builtFor(target === "vap" ? "vap" : "kyverno");
      const constraints = policies.map((policy) => {
        if (target === "validatingpolicy") {
          const [document] = parseAllDocuments(
            emitKyverno([policy], { systemNamespaces: SYSTEM }).get(`${policy.name}.yaml`) ?? "",
          ).map((d) => d.toJS() as Doc);
          return { id: policy.name, matchConstraints: document.spec.matchConstraints };
        }
        const [vap, binding] = parseAllDocuments(
          emitVap([policy], { systemNamespaces: SYSTEM }).get(`${policy.name}.yaml`) ?? "",
        ).map((d) => d.toJS() as Doc);
        // The server runs a binding where the policy's constraints and the binding's
        // matchResources both match: their namespace requirements ANDed.
        const own = vap.spec.matchConstraints.namespaceSelector?.matchExpressions ?? [];
        const bound = binding.spec.matchResources.namespaceSelector.matchExpressions;
        return {
          id: policy.name,
          matchConstraints: {
            ...vap.spec.matchConstraints,
            namespaceSelector: { matchExpressions: [...own, ...bound] },
          },
        };
      });
      const { results } = await runCelJudgeMatch(judge as string, {
        policies: constraints,
        requests,
        namespaces,
      });
      let left = 0;
      for (const policy of policies) {
        OBJECTS.forEach(({ object, system }, index) => {
          const result = results.find(
            (r) => r.policy === policy.name && r.request === String(index),
          );
          expect(result?.error, `${policy.name} on #${index}`).toBeUndefined();
          // The CEL match conditions carry the policy's own filters; the native part must not
          // leave out anything the policy judges, and must leave out every system object.
          if (judged(policy, object))
            expect(result?.matches, `${policy.name} on #${index}`).toBe(true);
          if (system && matched(policy, object)) {
            left++;
            expect(result?.matches, `${policy.name} on #${index}`).toBe(false);
          }
        });
      }
      expect(left).toBeGreaterThan(20);
    },
  );
});

const gator = requireEngine("gator", findGator());

/** A template that reports every object it is given: a violation means "the Constraint matched". */
const PROBE_KIND = "CharterMatchProbe";
const probeTemplate = {
  apiVersion: "templates.gatekeeper.sh/v1",
  kind: "ConstraintTemplate",
  metadata: { name: PROBE_KIND.toLowerCase() },
  spec: {
    crd: { spec: { names: { kind: PROBE_KIND } } },
    targets: [
      {
        target: "admission.k8s.gatekeeper.sh",
        code: [
          {
            engine: "Rego",
            source: {
              version: "v1",
              rego: 'package charter.probe\n\nviolation contains {"msg": "matched"} if true\n',
            },
          },
        ],
      },
    ],
  },
};

function gatorVerify(folder: string): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    execFile(
      gator as string,
      ["verify", "-v", "./..."],
      { cwd: folder, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        done({ code: error ? Number(error.code ?? 1) : 0, out: `${stdout}${stderr}` }),
    );
  });
}

describe.skipIf(!gator)("Gatekeeper's own matching (gator verify)", () => {
  it("every Constraint leaves out the objects in a system namespace, the Namespace itself by its name", async () => {
    const folder = workFolder();
    const policies = builtFor("gatekeeper");
    const files = emitGatekeeper(policies, { systemNamespaces: SYSTEM });
    writeFileSync(join(folder, "template.json"), JSON.stringify(probeTemplate));
    OBJECTS.forEach(({ object }, index) => {
      writeFileSync(join(folder, `object-${index}.json`), JSON.stringify(object));
    });
    let left = 0;
    const tests = policies.map((policy) => {
      const constraint = parse(files.get(`${policy.name}/constraint.yaml`) ?? "");
      writeFileSync(
        join(folder, `${policy.name}.json`),
        JSON.stringify({
          apiVersion: "constraints.gatekeeper.sh/v1beta1",
          kind: PROBE_KIND,
          metadata: { name: policy.name },
          spec: { match: constraint.spec.match },
        }),
      );
      return {
        name: policy.name,
        template: "template.json",
        constraint: `${policy.name}.json`,
        cases: OBJECTS.map(({ object, system }, index) => {
          const selects = constraintMatches(constraint.spec.match, object);
          // Charter's reading of the Constraint agrees with the matcher…
          if (judged(policy, object)) expect(selects, `${policy.name} #${index}`).toBe(true);
          if (system && matched(policy, object)) {
            left++;
            expect(selects, `${policy.name} #${index}`).toBe(false);
          }
          // …and Gatekeeper's own reading agrees with it.
          return {
            name: `object ${index}`,
            object: `object-${index}.json`,
            assertions: [{ violations: selects ? 1 : "no" }],
          };
        }),
      };
    });
    expect(left).toBeGreaterThan(20);
    writeFileSync(
      join(folder, "suite.yaml"),
      JSON.stringify({ kind: "Suite", apiVersion: "test.gatekeeper.sh/v1alpha1", tests }),
    );
    const result = await gatorVerify(folder);
    expect(result.code, result.out).toBe(0);
  });
});

const kyverno = requireKyverno("the system-namespace Kyverno test");

describe.skipIf(!kyverno)("Kyverno's own matching (kyverno apply)", () => {
  const chosen = ["disallow-privileged-containers", "restrict-cluster-admin-bindings"];
  // A Namespace policy Kyverno can express (require-mesh-wide-mtls lists other objects).
  const everyNamespace = buildPolicy(
    "every-namespace",
    [
      rule(
        "named",
        exists(obj("metadata", "name")),
        message("namespace ", obj("metadata", "name")),
      ),
    ],
    { match: kindsMatch([{ group: "", kind: "Namespace" }]) },
  );
  const policies = [...library.filter((policy) => chosen.includes(policy.name)), everyNamespace];

  it.each(["validatingpolicy", "clusterpolicy"] as const)(
    "%s: no result for the objects in a system namespace, failures for the others",
    async (api) => {
      const folder = workFolder();
      const policyFile = join(folder, "policies.yaml");
      const emitted = emitKyverno(policies, { api, systemNamespaces: SYSTEM });
      writeFileSync(policyFile, policies.map((p) => emitted.get(`${p.name}.yaml`)).join("---\n"));
      const resourceFile = join(folder, "resources.yaml");
      writeFileSync(resourceFile, toYaml(OBJECTS.map(({ object }) => object)));
      const { stdout } = await runKyverno(kyverno as string, [
        "apply",
        policyFile,
        "--resource",
        resourceFile,
        "--policy-report",
        "--output-format",
        "json",
        "--remove-color",
      ]);
      const results = reportResults(stdout);
      const judgedNames = new Set(
        results.flatMap((r) =>
          (r.resources ?? []).map((o) => `${o.kind}/${o.namespace ?? ""}/${o.name}`),
        ),
      );
      for (const { object, system } of OBJECTS) {
        const metadata = object.metadata as JsonObject;
        const name = `${object.kind}/${metadata.namespace ?? ""}/${metadata.name}`;
        const concerned = policies.some((policy) => matched(policy, object));
        if (!concerned) continue;
        expect(judgedNames.has(name), `${api}: ${name}\n${stdout}`).toBe(!system);
      }
      expect(results.filter((r) => r.result === "fail").length).toBeGreaterThanOrEqual(3);
    },
  );
});
