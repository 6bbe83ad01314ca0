import type { Json, JsonObject } from "@charter/ir";
import {
  and,
  any,
  containers,
  eq,
  exists,
  kindsMatch,
  lit,
  message,
  not,
  obj,
  params,
  pod,
  podMatch,
  podObject,
  policy,
  rule,
  str,
  v,
} from "@charter/test-support/build-ir";
import { describe, expect, it } from "vitest";
import type { Resource } from "../types.js";
import { createIrEngine } from "./engine.js";

const resource = (object: Json, line?: number): Resource => ({
  object,
  ...(line !== undefined ? { source: { file: "in.yaml", line } } : {}),
});

/** `any c in containers: not any r in params.allowed: c.image startsWith r` */
const registryPolicy = policy(
  "restrict-image-registries",
  [
    rule(
      "registry",
      any(
        "c",
        containers(),
        not(any("r", params("allowed"), str(v("c", "image"), "startsWith", v("r")))),
      ),
      message("image ", v("c", "image"), " of container ", v("c", "name"), " is not approved"),
    ),
  ],
  { params: { allowed: ["registry.example.com/"] } },
);

describe("createIrEngine", () => {
  it("passes and fails with one row per (resource, policy, rule)", async () => {
    const engine = createIrEngine([registryPolicy]);
    const good = podObject({ containers: [{ name: "a", image: "registry.example.com/a:1" }] });
    const bad = podObject(
      { containers: [{ name: "a", image: "docker.io/nginx" }] },
      { name: "bad", namespace: "prod" },
    );
    const findings = await engine.evaluate([resource(good, 1), resource(bad, 9)]);
    expect(findings).toEqual([
      {
        policy: "restrict-image-registries",
        rule: "registry",
        result: "pass",
        message: "",
        messages: [],
        severity: "high",
        enforcement: "deny",
        resource: { apiVersion: "v1", kind: "Pod", name: "p" },
        resourceIndex: 0,
        source: { file: "in.yaml", line: 1 },
      },
      {
        policy: "restrict-image-registries",
        rule: "registry",
        result: "fail",
        message: "image docker.io/nginx of container a is not approved",
        messages: ["image docker.io/nginx of container a is not approved"],
        severity: "high",
        enforcement: "deny",
        resource: { apiVersion: "v1", kind: "Pod", namespace: "prod", name: "bad" },
        resourceIndex: 1,
        source: { file: "in.yaml", line: 9 },
      },
    ]);
    expect(engine.name).toBe("ir");
    expect(engine.evaluateSync([resource(good)])[0]).not.toHaveProperty("source");
  });

  it("gives one message per witness in document order: containers, then init, then ephemeral", () => {
    const engine = createIrEngine([registryPolicy]);
    const object = podObject({
      ephemeralContainers: [{ name: "e", image: "e.io/x" }],
      initContainers: [{ name: "i", image: "i.io/x" }],
      containers: [
        { name: "a", image: "a.io/x" },
        { name: "ok", image: "registry.example.com/ok" },
        { name: "b", image: "b.io/x" },
      ],
    });
    const [finding] = engine.evaluateSync([resource(object)]);
    expect(finding?.messages).toEqual([
      "image a.io/x of container a is not approved",
      "image b.io/x of container b is not approved",
      "image i.io/x of container i is not approved",
      "image e.io/x of container e is not approved",
    ]);
    expect(finding?.message).toBe("image a.io/x of container a is not approved");
  });

  it("orders nested witnesses by outer index, then inner index", () => {
    // any c in containers: any p in c.ports: p.hostPort == 80 or any
    const hostPorts = policy("host-ports", [
      rule(
        "host-port",
        any("c", containers(), any("p", v("c", "ports"), exists(v("p", "hostPort")))),
        message(v("c", "name"), ":", v("p", "hostPort")),
      ),
    ]);
    const object = podObject({
      containers: [
        { name: "a", ports: [{ hostPort: 2 }, { containerPort: 1 }, { hostPort: 1 }] },
        { name: "b", ports: null },
        { name: "c", ports: [{ hostPort: 3 }] },
      ],
    });
    const [finding] = createIrEngine([hostPorts]).evaluateSync([resource(object)]);
    expect(finding?.messages).toEqual(["a:2", "a:1", "c:3"]);
  });

  it("dedupes identical messages keeping the first, and renders values", () => {
    const p = policy("render", [
      rule(
        "r",
        any("c", containers(), exists(v("c", "name"))),
        message(
          "[",
          v("c", "name"),
          "|",
          v("c", "missing"),
          "|",
          v("c", "n"),
          "|",
          v("c", "sc"),
          "]",
        ),
      ),
    ]);
    const object = podObject({
      containers: [
        { name: "x", n: 1.0, sc: { privileged: true, caps: ["A", "B"] } },
        { name: "x", n: 1, sc: { privileged: true, caps: ["A", "B"] } },
        { name: "y", n: null, sc: "s" },
        { name: "😀", n: 2.5, sc: [null] },
      ],
    });
    const [finding] = createIrEngine([p]).evaluateSync([resource(object)]);
    expect(finding?.messages).toEqual(["[x||1|{...}]", "[y|||s]", "[😀||2.5|[...]]"]);
  });

  it("a failing rule without bindings has one message; guards before the loop filter witnesses", () => {
    const p = policy("guarded", [
      rule(
        "r",
        and(
          eq(pod("metadata", "name"), lit("p")),
          any("c", containers(), eq(v("c", "image"), lit("x"))),
        ),
        message("pod ", pod("metadata", "name"), " runs ", v("c", "name")),
      ),
      rule("plain", eq(pod("metadata", "name"), lit("p")), message("static text")),
    ]);
    const object = podObject({
      containers: [
        { name: "a", image: "x" },
        { name: "b", image: "y" },
      ],
    });
    const findings = createIrEngine([p]).evaluateSync([resource(object)]);
    expect(findings.map((f) => [f.rule, f.result, f.messages])).toEqual([
      ["r", "fail", ["pod p runs a"]],
      ["plain", "fail", ["static text"]],
    ]);
    const other = podObject({ containers: [{ name: "a", image: "x" }] }, { name: "q" });
    expect(
      createIrEngine([p])
        .evaluateSync([resource(other)])
        .map((f) => f.result),
    ).toEqual(["pass", "pass"]);
  });

  it("an empty message still makes the rule fail", () => {
    const p = policy("empty", [rule("r", lit(true), message())]);
    const [finding] = createIrEngine([p]).evaluateSync([resource(podObject({}))]);
    expect(finding).toMatchObject({ result: "fail", message: "", messages: [""] });
  });

  it("judges controllers through their template, and skips a controller without one", () => {
    const p = policy("names", [rule("r", eq(pod("metadata", "labels", "app"), lit("web")))]);
    const deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "d", namespace: "prod", labels: { app: "other" } },
      spec: { template: { metadata: { labels: { app: "web" } }, spec: { containers: [] } } },
    };
    const cronJob = {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "cj" },
      spec: { schedule: "* * * * *" },
    };
    const findings = createIrEngine([p]).evaluateSync([resource(deployment), resource(cronJob)]);
    expect(findings.map((f) => [f.resource.name, f.result])).toEqual([
      ["d", "fail"],
      ["cj", "skip"],
    ]);
    expect(findings[1]?.message).toBe(
      'CronJob "cj" has no pod template at spec.jobTemplate.spec.template; nothing to judge',
    );
  });

  it("gives no rows for a policy that does not apply, and rows in resource, policy, rule order", () => {
    const services = policy("svc", [rule("a", lit(true)), rule("b", lit(false))], {
      match: kindsMatch([{ group: "", kind: "Service" }]),
    });
    const pods = policy("pods", [rule("c", lit(true))], { match: podMatch(), enforcement: "warn" });
    const svc = { apiVersion: "v1", kind: "Service", metadata: { name: "s" } };
    const findings = createIrEngine([services, pods]).evaluateSync([
      resource(podObject({})),
      resource(svc),
      resource({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm" } }),
    ]);
    expect(
      findings.map((f) => [f.resourceIndex, f.policy, f.rule, f.result, f.enforcement]),
    ).toEqual([
      [0, "pods", "c", "fail", "warn"],
      [1, "svc", "a", "fail", "deny"],
      [1, "svc", "b", "pass", "deny"],
    ]);
  });

  it("kinds policies read the object root; the pod root is missing there", () => {
    const p = policy(
      "svc",
      [rule("type", eq(obj("spec", "type"), lit("NodePort"))), rule("pod", exists(pod("spec")))],
      { match: kindsMatch([{ group: "", kind: "Service" }]) },
    );
    const svc = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "s" },
      spec: { type: "NodePort" },
    };
    expect(
      createIrEngine([p])
        .evaluateSync([resource(svc)])
        .map((f) => f.result),
    ).toEqual(["fail", "pass"]);
  });

  it("turns an error during evaluation into an error row and goes on", () => {
    const p = policy("deep", [
      rule("compare", eq(obj("spec", "a"), obj("spec", "b"))),
      rule("fine", lit(true)),
    ]);
    const nest = (depth: number): Json => {
      let value: Json = 0;
      for (let i = 0; i < depth; i++) value = [value];
      return value;
    };
    const hostile = podObject({}) as JsonObject;
    const object = { ...hostile, spec: { a: nest(200_000), b: nest(200_000) } };
    const findings = createIrEngine([p]).evaluateSync([resource(object), resource(podObject({}))]);
    expect(findings.map((f) => [f.resourceIndex, f.rule, f.result])).toEqual([
      [0, "compare", "error"],
      [0, "fine", "fail"],
      [1, "compare", "pass"],
      [1, "fine", "fail"],
    ]);
    expect(findings[0]?.message).toMatch(/^evaluation failed: .*call stack/);
  });

  it("rejects IR it cannot run when it is created, naming policy and rule", () => {
    const broken = policy("broken", [rule("bad-re", str(obj("a"), "matches", lit("(")))]);
    expect(() => createIrEngine([broken])).toThrow(
      /policy "broken", rule "bad-re": the pattern "\(" is not valid RE2/,
    );
    const unbound = policy("unbound", [rule("r", lit(true), message(v("c", "name")))]);
    expect(() => createIrEngine([unbound])).toThrow(/variable "c" is not bound/);
  });

  it("evaluates the same compiled engine many times with the same answers", () => {
    const engine = createIrEngine([registryPolicy]);
    const bad = resource(podObject({ containers: [{ name: "a", image: "docker.io/x" }] }));
    const first = engine.evaluateSync([bad]);
    for (let i = 0; i < 100; i++) expect(engine.evaluateSync([bad])).toEqual(first);
  });
});
