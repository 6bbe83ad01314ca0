/**
 * The listing of a cluster scan against a fake API server: pages are followed with `continue`,
 * at most one page is fetched ahead of the scan (so memory holds two pages, never the
 * cluster), objects come back as stored with their apiVersion and kind, and a refused kind is
 * told once while the others are read.
 */
import { describe, expect, it } from "vitest";
import { type ClusterClient, ClusterRequestError } from "./cluster-client.js";
import {
  type ClusterListError,
  type ClusterScanPlan,
  clusterScanEvents,
} from "./cluster-resources.js";
import type { ServedKind } from "./discovery.js";

const PODS: ServedKind = {
  group: "",
  version: "v1",
  apiVersion: "v1",
  kind: "Pod",
  resource: "pods",
  namespaced: true,
};
const ROLES: ServedKind = {
  group: "rbac.authorization.k8s.io",
  version: "v1",
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind: "Role",
  resource: "roles",
  namespaced: true,
};

/** A server holding `count` Pods, refusing Roles; records every request. */
function fakeCluster(count: number) {
  const requests: string[] = [];
  const client: ClusterClient = {
    context: "fake",
    server: "https://fake",
    namespace: "default",
    async request() {
      throw new Error("not used");
    },
    async getJson(path, query = {}) {
      requests.push(`${path}?${new URLSearchParams(query).toString()}`);
      if (path.endsWith("/roles"))
        throw new ClusterRequestError(403, "roles are forbidden", "Forbidden");
      const limit = Number(query.limit);
      const start = Number(query.continue ?? 0);
      const end = Math.min(start + limit, count);
      const items = [];
      for (let i = start; i < end; i++) {
        items.push({
          metadata: { name: `pod-${i}`, namespace: "default", managedFields: [{ manager: "x" }] },
          spec: { containers: [] },
        });
      }
      return { items, metadata: end < count ? { continue: String(end) } : {} };
    },
  };
  return { client, requests };
}

const plan = (judged: ServedKind[]): ClusterScanPlan => ({
  judged,
  context: [],
  unserved: [],
  scope: { allNamespaces: true },
});

describe("clusterScanEvents", () => {
  it("follows continue, fetching at most one page ahead of the scan", async () => {
    const { client, requests } = fakeCluster(25);
    const seen: string[] = [];
    let furthestAhead = 0;
    for await (const event of clusterScanEvents(client, plan([PODS]), () => {}, { pageSize: 10 })) {
      if (event.kind !== "resource") continue;
      seen.push((event.resource.object as { metadata: { name: string } }).metadata.name);
      // Pages requested beyond the one the current object is on.
      const page = Math.floor((seen.length - 1) / 10);
      furthestAhead = Math.max(furthestAhead, requests.length - 1 - page);
    }
    expect(seen).toHaveLength(25);
    expect(seen[24]).toBe("pod-24");
    expect(requests).toEqual([
      "/api/v1/pods?limit=10",
      "/api/v1/pods?limit=10&continue=10",
      "/api/v1/pods?limit=10&continue=20",
    ]);
    expect(furthestAhead).toBe(1);
  });

  it("gives objects as stored, with apiVersion and kind, without managedFields", async () => {
    const { client } = fakeCluster(1);
    const objects = [];
    for await (const event of clusterScanEvents(client, plan([PODS]), () => {})) {
      if (event.kind === "resource") objects.push(event.resource.object);
    }
    expect(objects).toEqual([
      {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "pod-0", namespace: "default" },
        spec: { containers: [] },
      },
    ]);
  });

  it("tells a refused kind once and reads the others", async () => {
    const { client } = fakeCluster(3);
    const errors: ClusterListError[] = [];
    let pods = 0;
    for await (const event of clusterScanEvents(client, plan([ROLES, PODS]), (e) =>
      errors.push(e),
    )) {
      if (event.kind === "resource") pods++;
    }
    expect(pods).toBe(3);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.kind.kind).toBe("Role");
    expect(errors[0]?.error.status).toBe(403);
    expect(errors[0]?.purpose).toBe("judged");
  });
});
