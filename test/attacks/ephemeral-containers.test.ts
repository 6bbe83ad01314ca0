/**
 * Attack: a privileged container added to a running Pod through `pods/ephemeralcontainers`
 * (what `kubectl debug --profile=sysadmin` does) was admitted: every emitted pod policy
 * matched `pods` only, and the API server matches a subresource only when a rule names it.
 * Each target is judged by its own matching code, offline:
 *
 * - VAP and Kyverno's ValidatingPolicy (same MatchResources, same matcher): the API server's
 *   matcher (`cel-judge -match`, k8s.io/apiserver `generic.PolicyMatcher`) on the emitted
 *   `matchConstraints` of every library policy: a policy that judges a Pod UPDATE also judges
 *   the ephemeral-containers and resize UPDATEs, and `pods/status` stays out;
 * - the emitted CEL on the API server's CEL (cel-judge): the whole Pod as it will be fails;
 * - Kyverno ClusterPolicy: `kyverno apply` with the request made a `pods/ephemeralcontainers`
 *   one (values `subresources`), through Kyverno's own `CheckKind`;
 * - Gatekeeper: `gator verify` on AdmissionReviews of the subresource UPDATEs: every library
 *   Constraint's `match` behind a probe template that reports whatever it is given (Gatekeeper's
 *   own matching selects the debug and resize UPDATEs exactly when it selects the Pod), and the
 *   emitted template denying the debugged Pod; real OPA on the template's Rego with Gatekeeper's
 *   input shape. (Gatekeeper also needs its webhook to send these requests: docs/capabilities.md.)
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  emitGatekeeper,
  emitKyverno,
  emitVap,
  gatekeeperPackage,
  policiesFor,
  toYaml,
} from "@charter/compiler";
import type { Json, Policy, TargetName } from "@charter/ir";
import {
  findGator,
  findOpa,
  type JudgeExpression,
  type MatchRequest,
  policyApplies,
  runCelJudge,
  runCelJudgeMatch,
} from "@charter/runtime";
import { celJudgeForTests } from "@charter/test-support/cel-judge-for-tests";
import { reportResults, requireKyverno, runKyverno } from "@charter/test-support/kyverno-binary";
import { afterAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { runOpa } from "../../packages/compiler/src/opa/run-opa.js";
import library from "../../policies/index.js";
import { requireEngine } from "../support/engines.js";

const NAMESPACE = "team-a";

const before = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "web", namespace: NAMESPACE, uid: "6a3b1c1e-0000-4000-8000-000000000001" },
  spec: {
    containers: [
      {
        name: "app",
        image:
          "registry.example.com/web@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
      },
    ],
  },
};

/** The Pod as the API server stores it after `kubectl debug --profile=sysadmin`: the whole Pod. */
const after = {
  ...before,
  spec: {
    ...before.spec,
    ephemeralContainers: [
      {
        name: "debugger",
        image: "busybox:1.36",
        targetContainerName: "app",
        securityContext: { privileged: true },
      },
    ],
  },
};

const POD_KIND = { group: "", version: "v1", kind: "Pod" } as const;
const PODS = { group: "", version: "v1", resource: "pods" } as const;

function podRequest(id: string, subResource?: string): MatchRequest {
  return {
    id,
    kind: POD_KIND,
    resource: PODS,
    ...(subResource ? { subResource } : {}),
    operation: "UPDATE",
    namespace: NAMESPACE,
    name: "web",
    object: after,
    oldObject: before,
  };
}

const namespaceObject = {
  apiVersion: "v1",
  kind: "Namespace",
  metadata: { name: NAMESPACE, labels: { "kubernetes.io/metadata.name": NAMESPACE } },
};

const privileged = library.find((p) => p.name === "disallow-privileged-containers") as Policy;

/** What `charter build` builds for the target. */
function builtFor(target: TargetName): readonly Policy[] {
  return policiesFor(library, target);
}

// biome-ignore lint/suspicious/noExplicitAny: emitted YAML read back
type Doc = any;

function firstDocument(text: string | undefined): Doc {
  return parseAllDocuments(text ?? "")[0]?.toJS();
}

const folders: string[] = [];
function workFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), "charter-ephemeral-"));
  folders.push(folder);
  return folder;
}
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

const judge = celJudgeForTests();

describe.skipIf(!judge)(
  "VAP and ValidatingPolicy match the subresource (the API server's matcher)",
  () => {
    const emitted = {
      vap: (policies: readonly Policy[]) =>
        policies.map((policy) => ({
          id: policy.name,
          matchConstraints: firstDocument(emitVap([policy]).get(`${policy.name}.yaml`)).spec
            .matchConstraints,
        })),
      validatingpolicy: (policies: readonly Policy[]) =>
        policies.map((policy) => ({
          id: policy.name,
          matchConstraints: firstDocument(emitKyverno([policy]).get(`${policy.name}.yaml`)).spec
            .matchConstraints,
        })),
    };
    const targetOf = { vap: "vap", validatingpolicy: "kyverno" } as const;

    it.each(["vap", "validatingpolicy"] as const)(
      "%s: every policy judging a Pod UPDATE judges the ephemeralcontainers and resize UPDATEs; pods/status and non-pod policies stay out",
      async (target) => {
        const policies = emitted[target](builtFor(targetOf[target]));
        const requests = [
          podRequest("update"),
          podRequest("ephemeralcontainers", "ephemeralcontainers"),
          podRequest("resize", "resize"),
          podRequest("status", "status"),
        ];
        const { results } = await runCelJudgeMatch(judge as string, {
          policies,
          requests,
          namespaces: [namespaceObject],
        });
        const verdict = (policy: string, request: string) =>
          results.find((r) => r.policy === policy && r.request === request);
        let podPolicies = 0;
        let otherPolicies = 0;
        for (const { id } of policies) {
          for (const request of requests) {
            expect(verdict(id, request.id)?.error, `${id} ${request.id}`).toBeUndefined();
          }
          const judgesPods = verdict(id, "update")?.matches === true;
          if (judgesPods) podPolicies++;
          else otherPolicies++;
          expect(verdict(id, "ephemeralcontainers")?.matches, `${id}: ephemeralcontainers`).toBe(
            judgesPods,
          );
          expect(verdict(id, "resize")?.matches, `${id}: resize`).toBe(judgesPods);
          expect(verdict(id, "status")?.matches, `${id}: status`).toBe(false);
        }
        // Neither side may be empty, or the equality above would prove nothing.
        console.info(
          `${target}: ${podPolicies} pod policies judge kubectl debug, ${otherPolicies} other policies do not`,
        );
        expect(podPolicies).toBeGreaterThan(20);
        expect(otherPolicies).toBeGreaterThan(5);
      },
    );
  },
);

describe.skipIf(!judge)(
  "the emitted CEL judges the whole Pod after the update (the API server's CEL)",
  () => {
    it("a privileged ephemeral container fails disallow-privileged-containers; the Pod before passes", async () => {
      const vap = firstDocument(emitVap([privileged]).get(`${privileged.name}.yaml`));
      const conditions: JudgeExpression[] = (vap.spec.matchConditions ?? []).map(
        (c: { name: string; expression: string }) => ({
          id: `match:${c.name}`,
          expression: c.expression,
        }),
      );
      const validations: JudgeExpression[] = vap.spec.validations.map(
        (v: { expression: string; messageExpression: string; message: string }, i: number) => ({
          id: `validation:${i}`,
          expression: v.expression,
          messageExpression: v.messageExpression,
          message: v.message,
        }),
      );
      const output = await runCelJudge(judge as string, {
        expressions: [...conditions, ...validations],
        variables: vap.spec.variables ?? [],
        cases: [
          {
            id: "after",
            object: after,
            oldObject: before,
            operation: "UPDATE",
            subResource: "ephemeralcontainers",
            namespaceObject,
          },
          {
            id: "before",
            object: before,
            oldObject: before,
            operation: "UPDATE",
            subResource: "ephemeralcontainers",
            namespaceObject,
          },
        ],
      });
      expect(output.compileErrors).toEqual([]);
      for (const result of output.results) {
        if (result.expression.startsWith("match:")) {
          expect(result.value, `${result.case} ${result.expression}`).toBe(true);
        }
      }
      const validation = (id: string) =>
        output.results.find((r) => r.case === id && r.expression === "validation:0");
      expect(validation("after")?.value).toBe(false);
      expect(validation("after")?.message).toContain(
        "container debugger sets securityContext.privileged: true",
      );
      expect(validation("before")?.value).toBe(true);
    });
  },
);

const kyverno = requireKyverno("the ClusterPolicy ephemeral-containers attack");

describe.skipIf(!kyverno)(
  "Kyverno ClusterPolicy judges the pods/ephemeralcontainers request (kyverno apply)",
  () => {
    it("fails the debugged Pod and passes the Pod before, as a subresource request", async () => {
      const folder = workFolder();
      const policyFile = join(folder, "policy.yaml");
      writeFileSync(
        policyFile,
        emitKyverno([privileged], { api: "clusterpolicy" }).get(`${privileged.name}.yaml`) ?? "",
      );
      // The CLI makes a resource of a declared subresource's kind a request on that subresource
      // (Pod → pods/<subresource>), and matches it with Kyverno's own CheckKind.
      const valuesFor = (subresource: string) => {
        const file = join(folder, `values-${subresource}.yaml`);
        const api = (name: string) => ({
          name,
          kind: "Pod",
          group: "",
          version: "v1",
          namespaced: true,
          singularName: "",
          verbs: ["update", "patch"],
        });
        writeFileSync(
          file,
          toYaml([
            {
              apiVersion: "cli.kyverno.io/v1alpha1",
              kind: "Value",
              metadata: { name: "values" },
              subresources: [
                { subresource: api(`pods/${subresource}`), parentResource: api("pods") },
              ],
            },
          ]),
        );
        return file;
      };
      const verdict = async (resource: Json, subresource: string) => {
        const resourceFile = join(folder, `resource-${subresource}.yaml`);
        writeFileSync(resourceFile, toYaml([resource]));
        const { stdout } = await runKyverno(kyverno as string, [
          "apply",
          policyFile,
          "--resource",
          resourceFile,
          "--values-file",
          valuesFor(subresource),
          "--policy-report",
          "--output-format",
          "json",
          "--remove-color",
        ]);
        return reportResults(stdout).map((r) => `${r.rule}:${r.result}`);
      };
      expect(await verdict(after, "ephemeralcontainers")).toEqual(["privileged:fail"]);
      expect(await verdict(before, "ephemeralcontainers")).toEqual(["privileged:pass"]);
      // Control: the CLI does route through the subresource, since `Pod` does not match pods/status.
      expect(await verdict(after, "status")).toEqual([]);
    });
  },
);

const gator = requireEngine("gator", findGator());

/** An AdmissionReview of a Pod UPDATE, through `subResource` when given (`kubectl debug`). */
function podReview(object: Json, oldObject: Json, subResource?: string): Json {
  return {
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid: "9f0c1b9e-0000-4000-8000-000000000002",
      kind: POD_KIND,
      resource: PODS,
      requestKind: POD_KIND,
      requestResource: PODS,
      ...(subResource ? { subResource, requestSubResource: subResource } : {}),
      name: "web",
      namespace: NAMESPACE,
      operation: "UPDATE",
      userInfo: { username: "developer" },
      object,
      oldObject,
      dryRun: false,
    },
  };
}

const debugReview = (object: Json, oldObject: Json) =>
  podReview(object, oldObject, "ephemeralcontainers");

/** `gator verify` on every suite under `folder`. */
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

describe.skipIf(!gator)(
  "Gatekeeper judges the pods/ephemeralcontainers request (gator verify)",
  () => {
    it("every emitted Constraint's match selects the subresource UPDATEs exactly when it selects the Pod", async () => {
      const folder = workFolder();
      const policies = builtFor("gatekeeper");
      const files = emitGatekeeper(policies);
      writeFileSync(join(folder, "template.json"), JSON.stringify(probeTemplate));
      const reviews = {
        update: podReview(after, before),
        ephemeralcontainers: debugReview(after, before),
        resize: podReview(after, before, "resize"),
      };
      for (const [name, review] of Object.entries(reviews)) {
        writeFileSync(join(folder, `${name}.json`), JSON.stringify(review));
      }
      let podPolicies = 0;
      const tests = policies.map((policy) => {
        const constraint = parse(files.get(`${policy.name}/constraint.yaml`) ?? "");
        const probe = {
          apiVersion: "constraints.gatekeeper.sh/v1beta1",
          kind: PROBE_KIND,
          metadata: { name: policy.name },
          spec: { match: constraint.spec.match },
        };
        writeFileSync(join(folder, `${policy.name}.json`), JSON.stringify(probe));
        // What Charter says the policy applies to; Gatekeeper's match must say the same for the
        // Pod however it changed.
        const applies = policyApplies(policy, after) === "yes";
        if (applies) podPolicies++;
        return {
          name: policy.name,
          template: "template.json",
          constraint: `${policy.name}.json`,
          cases: Object.keys(reviews).map((name) => ({
            name,
            object: `${name}.json`,
            assertions: [{ violations: applies ? 1 : "no" }],
          })),
        };
      });
      writeFileSync(
        join(folder, "suite.yaml"),
        JSON.stringify({ kind: "Suite", apiVersion: "test.gatekeeper.sh/v1alpha1", tests }),
      );
      expect(podPolicies).toBeGreaterThan(20);
      expect(policies.length - podPolicies).toBeGreaterThan(5);
      const result = await gatorVerify(folder);
      expect(result.code, result.out).toBe(0);
      expect(result.out, result.out).toMatch(/ok/);
    });

    it("the template denies the debugged Pod and passes the Pod before", async () => {
      const folder = workFolder();
      for (const [path, text] of emitGatekeeper([privileged])) {
        mkdirSync(join(folder, path, ".."), { recursive: true });
        writeFileSync(join(folder, path), text);
      }
      const dir = join(folder, privileged.name);
      writeFileSync(join(dir, "after.json"), JSON.stringify(debugReview(after, before)));
      writeFileSync(join(dir, "before.json"), JSON.stringify(debugReview(before, before)));
      const suite = {
        kind: "Suite",
        apiVersion: "test.gatekeeper.sh/v1alpha1",
        tests: [
          {
            name: "kubectl debug",
            template: "template.yaml",
            constraint: "constraint.yaml",
            cases: [
              {
                name: "privileged ephemeral container",
                object: "after.json",
                assertions: [
                  { violations: 1 },
                  {
                    message: "container debugger sets securityContext.privileged: true",
                    violations: 1,
                  },
                ],
              },
              { name: "the Pod before", object: "before.json", assertions: [{ violations: "no" }] },
            ],
          },
        ],
      };
      writeFileSync(join(dir, "suite.yaml"), JSON.stringify(suite));
      const result = await gatorVerify(folder);
      expect(result.out, result.out).toMatch(/ok/);
      expect(result.code, result.out).toBe(0);
    });
  },
);

const opa = requireEngine("opa", findOpa());

describe.skipIf(!opa)(
  "the Gatekeeper Rego judges the whole Pod of the subresource UPDATE (real OPA)",
  () => {
    it("denies the privileged ephemeral container in Gatekeeper's input shape", async () => {
      const files = emitGatekeeper([privileged]);
      const template = parse(files.get(`${privileged.name}/template.yaml`) ?? "");
      const constraint = parse(files.get(`${privileged.name}/constraint.yaml`) ?? "");
      const { rego, libs } = template.spec.targets[0].code[0].source as {
        rego: string;
        libs: string[];
      };
      const folder = workFolder();
      writeFileSync(join(folder, "template.rego"), rego);
      for (const [i, lib] of libs.entries()) writeFileSync(join(folder, `lib_${i}.rego`), lib);
      const violations = async (object: Json) => {
        const { request } = debugReview(object, before) as { request: Json };
        writeFileSync(
          join(folder, "input.json"),
          JSON.stringify({ review: request, parameters: constraint.spec.parameters ?? {} }),
        );
        const stdout = await runOpa(opa as string, [
          "eval",
          "--format=json",
          "--data",
          join(folder, "template.rego"),
          ...libs.flatMap((_, i) => ["--data", join(folder, `lib_${i}.rego`)]),
          "--input",
          join(folder, "input.json"),
          `data.${gatekeeperPackage(privileged)}.violation`,
        ]);
        const value = JSON.parse(stdout).result?.[0]?.expressions?.[0]?.value;
        return (value as { msg: string }[]).map((v) => v.msg);
      };
      expect(await violations(after)).toEqual([
        "container debugger sets securityContext.privileged: true; remove it or set it to false",
      ]);
      expect(await violations(before)).toEqual([]);
    });
  },
);
