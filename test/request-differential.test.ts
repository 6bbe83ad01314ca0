/**
 * Differential of admission requests (packages/ir README, item 17): generated resources — odd
 * types, nulls, hostile strings — each judged in a generated request (no request, or a CREATE,
 * UPDATE or DELETE with a generated user and a generated old object) by policies that judge
 * some operations and read `request.operation`, `request.userInfo…` and `request.oldObject…`.
 * The IR engine, real OPA on the Rego (the request as an AdmissionReview), the Gatekeeper Rego
 * through opa and the Kubernetes CEL judge must agree on every (policy, rule, resource) result
 * and message. A fixed seed runs every time, plus one random seed printed for replay.
 */
import type { Json, JsonObject, Operation, Policy } from "@charter/ir";
import {
  type AdmissionContext,
  createCelJudgeEngine,
  createGatekeeperEngine,
  createIrEngine,
  createOpaEngine,
  type Engine,
  type Finding,
  findOpa,
  type Resource,
} from "@charter/runtime";
import {
  and,
  any,
  containers,
  eq,
  exists,
  lit,
  message,
  not,
  obj,
  podMatch,
  policy,
  rule,
  str,
  v,
} from "@charter/test-support/build-ir";
import { celJudgeForTests } from "@charter/test-support/cel-judge-for-tests";
import {
  CEL_PRINTABLE_NUMBERS,
  generatedResources,
} from "@charter/test-support/generated-resources";
import { REQUEST_POLICIES, req } from "@charter/test-support/request-table";
import { HOSTILE } from "@charter/test-support/semantics-table";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { requireEngine } from "./support/engines.js";

const RESOURCES_PER_SEED = Number(process.env.CHARTER_REQUEST_DIFFERENTIAL_COUNT ?? 1500);

/** Pods and their controllers in every operation, reading every part of the request. */
const READS_EVERYTHING: Policy = policy(
  "rq-differential",
  [
    rule(
      "user",
      str(req("userInfo", "username"), "startsWith", lit("system:")),
      message(
        req("operation"),
        " by ",
        req("userInfo", "username"),
        " in ",
        req("userInfo", "groups"),
      ),
    ),
    rule(
      "labels",
      and(
        exists(req("oldObject", "metadata", "labels")),
        not(eq(obj("metadata", "labels"), req("oldObject", "metadata", "labels"))),
      ),
      message("labels were ", req("oldObject", "metadata", "labels", "app"), " ", req("operation")),
    ),
    rule(
      "image",
      any(
        "c",
        containers(),
        any("o", req("oldObject", "spec", "containers"), eq(v("o", "image"), v("c", "image"))),
      ),
      message("kept ", v("c", "image"), " uid ", req("userInfo", "uid")),
    ),
    rule(
      "scopes",
      any("s", req("userInfo", "extra", "scopes"), str(v("s"), "contains", lit("admin"))),
      message("scope ", v("s")),
    ),
  ],
  { match: { ...podMatch(), operations: ["CREATE", "UPDATE", "DELETE"] } },
);

const POLICIES: readonly Policy[] = [...REQUEST_POLICIES, READS_EVERYTHING];

const text = fc.oneof(
  fc.constantFrom(HOSTILE, "", "system:serviceaccount:a:b", "system:masters", "admin", "😀"),
  fc.string({ unit: "grapheme", maxLength: 8 }),
);
const userInfo: fc.Arbitrary<JsonObject> = fc.record(
  {
    username: text,
    uid: text,
    groups: fc.array(text, { maxLength: 3 }),
    extra: fc.dictionary(
      fc.constantFrom("scopes", "a/b", HOSTILE),
      fc.array(text, { maxLength: 3 }),
    ),
  },
  { requiredKeys: [] },
);

/** Resources, each in no request or a generated one (its old object another resource). */
function requestResources(numbers?: readonly number[]): fc.Arbitrary<Resource> {
  const resources = generatedResources(numbers ? { numbers } : {});
  return fc
    .tuple(
      resources,
      resources,
      fc.option(fc.constantFrom<Operation>("CREATE", "UPDATE", "DELETE"), {
        nil: undefined,
      }),
      fc.option(userInfo, { nil: undefined }),
      fc.boolean(),
    )
    .map(([resource, old, operation, user, sameMetadata]): Resource => {
      if (operation === undefined) return { object: resource.object };
      const oldObject =
        sameMetadata && isObject(old.object) && isObject(resource.object)
          ? { ...old.object, metadata: resource.object.metadata ?? null }
          : old.object;
      const request: AdmissionContext = {
        operation,
        ...(user ? { userInfo: user } : {}),
        ...(operation === "UPDATE" ? { oldObject } : {}),
      };
      return { object: resource.object, request };
    });
}

function isObject(value: Json): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function disagreements(
  ir: readonly Finding[],
  other: readonly Finding[],
  resources: readonly Resource[],
): string[] {
  const key = (f: Finding) => `${f.resourceIndex} ${f.policy} ${f.rule}`;
  const byKey = new Map(other.map((f) => [key(f), f]));
  const problems: string[] = [];
  for (const f of ir) {
    const o = byKey.get(key(f));
    byKey.delete(key(f));
    if (!o || o.result !== f.result || o.message !== f.message) {
      problems.push(
        `${f.policy}/${f.rule} on ${JSON.stringify(resources[f.resourceIndex])}: ir=${f.result} ${JSON.stringify(f.message)} other=${o ? `${o.result} ${JSON.stringify(o.message)}` : "no row"}`,
      );
    }
  }
  for (const o of byKey.values())
    problems.push(`${o.policy}/${o.rule} #${o.resourceIndex}: only the other engine answered`);
  return problems;
}

describe("differential: admission requests on every engine", () => {
  const seeds = [20261207, Math.floor(Math.random() * 2 ** 31)];

  it.each(seeds)(
    "seed %i: IR, OPA and the Gatekeeper Rego agree",
    async (seed) => {
      const opaPath = requireEngine("opa", findOpa());
      if (!opaPath) return;
      console.log(
        `request differential seed ${seed} (replay: CHARTER_REQUEST_DIFFERENTIAL_SEED=${seed})`,
      );
      const resources = fc.sample(requestResources(), {
        seed: Number(process.env.CHARTER_REQUEST_DIFFERENTIAL_SEED ?? seed),
        numRuns: RESOURCES_PER_SEED,
      });
      const ir = createIrEngine(POLICIES).evaluateSync(resources);
      // Every rule reading the request fails somewhere, or the comparison proves little.
      const failing = new Set(ir.filter((f) => f.result === "fail").map((f) => f.rule));
      for (const rule of ["user", "labels", "image", "scopes", "privileged"]) {
        expect(failing, rule).toContain(rule);
      }
      const engines: Engine[] = [
        createOpaEngine(POLICIES, { opaPath }),
        createGatekeeperEngine(POLICIES, { opaPath }),
      ];
      for (const engine of engines) {
        const got = await engine.evaluate(resources);
        expect(disagreements(ir, got, resources).slice(0, 5), engine.name).toEqual([]);
      }
    },
    600_000,
  );

  it.each(seeds)(
    "seed %i: IR and the Kubernetes CEL judge agree",
    async (seed) => {
      const judgePath = celJudgeForTests();
      if (!judgePath) return;
      // Numbers CEL prints as the IR does (docs/capabilities.md, "Known differences").
      const resources = fc.sample(requestResources(CEL_PRINTABLE_NUMBERS), {
        seed: Number(process.env.CHARTER_REQUEST_DIFFERENTIAL_SEED ?? seed),
        numRuns: RESOURCES_PER_SEED,
      });
      const ir = createIrEngine(POLICIES).evaluateSync(resources);
      const got = await createCelJudgeEngine(POLICIES, { judgePath }).evaluate(resources);
      expect(disagreements(ir, got, resources).slice(0, 5)).toEqual([]);
    },
    600_000,
  );
});
