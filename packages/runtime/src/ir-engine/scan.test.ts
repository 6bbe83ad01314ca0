/**
 * The streaming scan: the same rows as a batch evaluation, cross-resource rows judged once the
 * whole set is read (so the order of documents does not matter), and 100,000 documents.
 */
import type { Expr, Json, Segment } from "@charter/ir";
import {
  and,
  any,
  eq,
  exists,
  len,
  lit,
  message,
  not,
  obj,
  orElse,
  pod,
  policy,
  rule,
  v,
} from "@charter/test-support/build-ir";
import { crossResourcePolicies } from "@charter/test-support/cross-resource-table";
import { describe, expect, it } from "vitest";
import { applyExceptions } from "../exceptions/apply.js";
import type { Finding, Resource } from "../types.js";
import { createIrEngine } from "./engine.js";
import { project, projectionOf } from "./projection.js";
import { createScan, inReportOrder } from "./scan.js";

const ns = (...path: Segment[]): Expr => ({ kind: "ref", root: { kind: "namespace" }, path });

const defaultDeny = policy("default-deny", [
  rule(
    "ingress",
    not(
      any(
        "np",
        {
          kind: "inventory",
          apiVersion: "networking.k8s.io/v1",
          resource: "NetworkPolicy",
          namespace: orElse(obj("metadata", "namespace"), lit("default")),
        },
        eq(len(orElse(v("np", "spec", "podSelector"), lit({}))), lit(0)),
      ),
    ),
    message("namespace ", obj("metadata", "namespace"), " has no default-deny NetworkPolicy"),
  ),
]);
const runtimeClass = policy("runtime-class", [
  rule(
    "untrusted",
    and(
      eq(ns("metadata", "labels", "untrusted"), lit("true")),
      not(exists(pod("spec", "runtimeClassName"))),
    ),
    message("set a runtime class in ", ns("metadata", "name")),
  ),
]);
const privileged = policy("privileged", [
  rule(
    "privileged",
    any(
      "c",
      { kind: "ref", root: { kind: "containers" }, path: [] },
      eq(v("c", "securityContext", "privileged"), lit(true)),
    ),
    message("privileged ", v("c", "name")),
  ),
]);
const POLICIES = [defaultDeny, runtimeClass, privileged];

/** A namespace's documents: its workloads, then (for some) its Namespace; policies come last. */
function* documents(namespaces: number, workloadsPerNamespace: number): Generator<Resource> {
  for (let n = 0; n < namespaces; n++) {
    const namespace = `ns-${n}`;
    for (let w = 0; w < workloadsPerNamespace; w++) {
      const spec = {
        containers: [
          {
            name: "app",
            image: `registry.example.com/app:${w}`,
            securityContext: { privileged: w % 7 === 0 },
          },
        ],
        ...(w % 3 === 0 ? { runtimeClassName: "gvisor" } : {}),
      };
      yield {
        object:
          w % 2 === 0
            ? { apiVersion: "v1", kind: "Pod", metadata: { name: `p-${w}`, namespace }, spec }
            : {
                apiVersion: "apps/v1",
                kind: "Deployment",
                metadata: { name: `d-${w}`, namespace, labels: { app: "x" } },
                spec: { replicas: 2, template: { metadata: { labels: { app: "x" } }, spec } },
              },
      };
    }
    if (n % 5 !== 4) {
      yield {
        object: {
          apiVersion: "v1",
          kind: "Namespace",
          metadata: { name: namespace, labels: { untrusted: String(n % 2 === 0) } },
        },
      };
    }
  }
  for (let n = 0; n < namespaces; n += 2) {
    yield {
      object: {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: "default-deny", namespace: `ns-${n}` },
        spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
      },
    };
  }
}

function scanAll(resources: Iterable<Resource>): Finding[] {
  const scan = createScan(POLICIES);
  const findings: Finding[] = [];
  for (const resource of resources) findings.push(...scan.add(resource));
  findings.push(...scan.finish());
  return inReportOrder(findings, POLICIES);
}

describe("a streaming scan", () => {
  it("gives exactly the rows of a batch evaluation", () => {
    const batch = [...documents(12, 20)];
    const expected = createIrEngine(POLICIES).evaluateSync(batch);
    expect(scanAll(batch)).toEqual(expected);
    expect(expected.filter((f) => f.result === "fail").length).toBeGreaterThan(50);
  });

  it("gives the batch's rows on the cross-resource table's policies too", () => {
    const policies = crossResourcePolicies();
    const batch = [...documents(6, 10)];
    const scan = createScan(policies);
    const rows = [...batch.flatMap((r) => scan.add(r)), ...scan.finish()];
    expect(inReportOrder(rows, policies)).toEqual(createIrEngine(policies).evaluateSync(batch));
  });

  it("judges 100,000 documents, cross-resource rows at the end", () => {
    const namespaces = 500;
    const perNamespace = 200;
    const scan = createScan(POLICIES);
    const counts = new Map<string, number>();
    let read = 0;
    const before = process.memoryUsage().heapUsed;
    for (const resource of documents(namespaces, perNamespace)) {
      read++;
      for (const finding of scan.add(resource)) {
        counts.set(
          `${finding.policy} ${finding.result}`,
          (counts.get(`${finding.policy} ${finding.result}`) ?? 0) + 1,
        );
      }
    }
    const waiting = scan.waiting;
    const atTheEnd = scan.finish();
    for (const finding of atTheEnd) {
      counts.set(
        `${finding.policy} ${finding.result}`,
        (counts.get(`${finding.policy} ${finding.result}`) ?? 0) + 1,
      );
    }
    const after = process.memoryUsage().heapUsed;
    console.log(
      `scan: ${read} documents, ${waiting} judgements waited for the end, heap +${Math.round((after - before) / 2 ** 20)} MiB`,
    );
    const workloads = namespaces * perNamespace;
    expect(read).toBe(workloads + namespaces - namespaces / 5 + namespaces / 2);
    expect(read).toBeGreaterThanOrEqual(100_000);
    // Every workload waits for default-deny and for runtime-class; nothing else waits.
    expect(waiting).toBe(workloads * 2);
    // Even namespaces get their NetworkPolicy after every workload was read: still a pass.
    expect(counts.get("default-deny pass")).toBe(workloads / 2);
    expect(counts.get("default-deny fail")).toBe(workloads / 2);
    // runtime-class: Namespace missing for every fifth namespace (skip); untrusted in even ones.
    const perNs = (predicate: (n: number) => boolean) =>
      Array.from({ length: namespaces }, (_, n) => n).filter(predicate).length;
    const withoutRuntimeClass = perNamespace - Math.ceil(perNamespace / 3);
    expect(counts.get("runtime-class skip")).toBe(perNs((n) => n % 5 === 4) * perNamespace);
    expect(counts.get("runtime-class fail")).toBe(
      perNs((n) => n % 5 !== 4 && n % 2 === 0) * withoutRuntimeClass,
    );
    expect(counts.get("privileged fail")).toBe(namespaces * Math.ceil(perNamespace / 7));
  });
});

describe("projections", () => {
  it("keep only what the rules read, and who the resource is", () => {
    const projection = projectionOf(defaultDeny);
    const deployment: Json = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "d", namespace: "a", labels: { big: "x".repeat(1000) } },
      spec: { template: { spec: { containers: [{ name: "c" }] } } },
    };
    expect(project(deployment, projection.object)).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "d", namespace: "a" },
    });
    expect(project({ metadata: {}, spec: { containers: [] } }, projection.pod)).toEqual({});
  });

  it("keep whole lists behind the containers root, and list positions", () => {
    const projection = projectionOf(
      policy("p", [
        rule(
          "r",
          and(
            eq(obj("spec", "items", 1, "x"), lit(1)),
            any("c", { kind: "ref", root: { kind: "containers" }, path: [] }, lit(true)),
          ),
        ),
      ]),
    );
    expect(
      project(
        {
          spec: {
            items: [
              { x: 0, y: 1 },
              { x: 1, y: 2 },
            ],
          },
        },
        projection.object,
      ),
    ).toEqual({
      spec: { items: [null, { x: 1 }] },
    });
    const view = {
      metadata: { a: 1 },
      spec: { containers: [{ name: "a", z: 1 }], initContainers: [{ name: "i" }], volumes: [] },
    };
    expect(project(view, projection.pod)).toEqual({
      spec: { containers: [{ name: "a", z: 1 }], initContainers: [{ name: "i" }] },
    });
  });
});

describe("a streaming scan with exceptions", () => {
  it("excuses exactly the rows applyExceptions excuses on a batch, cross-resource rows too", () => {
    const exceptions = [
      {
        name: "ns-1-network",
        policy: "default-deny",
        match: { namespaces: ["ns-1"] },
        reason: "migrating",
        owner: "net",
        expires: "2099-01-01",
      },
      {
        name: "app-3",
        policy: "privileged",
        rules: ["privileged"],
        match: { names: ["*-0"], images: ["registry.example.com/app:*"] },
        reason: "debug build",
        owner: "app",
        expires: "2099-01-01",
      },
      {
        name: "expired",
        policy: "runtime-class",
        match: { namespaces: ["ns-2"] },
        reason: "old",
        owner: "x",
        expires: "2020-01-01",
      },
    ];
    const now = Date.parse("2026-11-27T00:00:00Z");
    const batch = [...documents(4, 15)];
    const scan = createScan(POLICIES, { exceptions, now });
    const rows = [...batch.flatMap((r) => scan.add(r)), ...scan.finish()];
    const expected = applyExceptions(
      createIrEngine(POLICIES).evaluateSync(batch),
      batch,
      exceptions,
      now,
    );
    expect(inReportOrder(rows, POLICIES)).toEqual(expected.findings);
    expect([...scan.usedExceptions].sort()).toEqual([...expected.used].sort());
    expect(expected.used).toEqual(new Set(["ns-1-network", "app-3"]));
  });
});
