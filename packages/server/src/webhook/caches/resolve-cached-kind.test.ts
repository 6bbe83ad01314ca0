import { describe, expect, it } from "vitest";
import { type ClusterClient, ClusterRequestError } from "../../cluster/cluster-client.js";
import { resolveCachedKind, UnservedKind } from "./resolve-cached-kind.js";

/** A client answering discovery from a table of paths; anything else is a 404. */
function clientOf(documents: Record<string, unknown>): ClusterClient & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    context: "test",
    server: "https://127.0.0.1:1",
    namespace: "default",
    async getJson(path) {
      asked.push(path);
      if (path in documents) return documents[path];
      throw new ClusterRequestError(
        404,
        "the server could not find the requested resource",
        "NotFound",
      );
    },
    async request() {
      throw new Error("not used");
    },
  };
}

const WATCHABLE = ["get", "list", "watch"];
const PA = { apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", namespaced: true };

describe("where the caches watch a kind", () => {
  it("watches at the version the policy names when the server serves it there", async () => {
    const client = clientOf({
      "/apis/security.istio.io/v1": {
        resources: [
          {
            name: "peerauthentications",
            kind: "PeerAuthentication",
            namespaced: true,
            verbs: WATCHABLE,
          },
          { name: "peerauthentications/status", kind: "PeerAuthentication", verbs: WATCHABLE },
        ],
      },
    });
    expect(await resolveCachedKind(client, PA)).toEqual({
      group: "security.istio.io",
      version: "v1",
      apiVersion: "security.istio.io/v1",
      kind: "PeerAuthentication",
      resource: "peerauthentications",
      namespaced: true,
    });
    expect(client.asked).toEqual(["/apis/security.istio.io/v1"]);
  });

  it("else where discovery finds the group and kind; the core group at /api/v1", async () => {
    const client = clientOf({
      "/apis": {
        groups: [
          {
            name: "security.istio.io",
            preferredVersion: { version: "v1beta1" },
            versions: [{ version: "v1beta1" }],
          },
        ],
      },
      "/apis/security.istio.io/v1beta1": {
        resources: [
          {
            name: "peerauthentications",
            kind: "PeerAuthentication",
            namespaced: true,
            verbs: WATCHABLE,
          },
        ],
      },
      "/api/v1": { resources: [{ name: "namespaces", kind: "Namespace", verbs: WATCHABLE }] },
    });
    expect((await resolveCachedKind(client, PA)).apiVersion).toBe("security.istio.io/v1beta1");
    expect(
      await resolveCachedKind(client, { apiVersion: "v1", kind: "Namespace", namespaced: false }),
    ).toMatchObject({ group: "", version: "v1", resource: "namespaces", namespaced: false });
  });

  it("refuses a kind that is not served, or served without watch", async () => {
    const noWatch = clientOf({
      "/apis/security.istio.io/v1": {
        resources: [{ name: "peerauthentications", kind: "PeerAuthentication", verbs: ["list"] }],
      },
      "/apis": { groups: [] },
    });
    await expect(resolveCachedKind(noWatch, PA)).rejects.toThrow(UnservedKind);
    await expect(resolveCachedKind(clientOf({ "/apis": { groups: [] } }), PA)).rejects.toThrow(
      /does not serve security\.istio\.io\/v1\/PeerAuthentication for listing and watching/,
    );
  });

  it("lets any other refusal through, for the cache to report and retry", async () => {
    const client = clientOf({});
    client.getJson = async () => {
      throw new ClusterRequestError(403, "forbidden", "Forbidden");
    };
    await expect(resolveCachedKind(client, PA)).rejects.toThrow(/^403 Forbidden: forbidden/);
  });
});
