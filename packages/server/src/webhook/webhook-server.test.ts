/**
 * `POST /validate` over HTTPS with real AdmissionReviews: the verdicts of the IR engine (as
 * `charter check` gives them) as the API server reads them — uid, allowed, status, warnings,
 * audit annotations — exceptions, dry runs, operations, and every kind of bad input.
 */
import { request as httpsRequest } from "node:https";
import { connect as tlsConnect } from "node:tls";
import { DEFAULT_SYSTEM_NAMESPACES, type JsonObject, type Policy } from "@charter/ir";
import {
  applyExceptions,
  createIrEngine,
  type InventoryIndex,
  inventoryKindsOf,
} from "@charter/runtime";
import { httpsCall, postReview, reviewOf } from "@charter/test-support/webhook-client";
import {
  configMap,
  defaultDeny,
  LEGACY_EXCEPTION,
  namespaceObject,
  protectConfigMaps,
  service,
  WEBHOOK_POLICIES,
  webhookPod,
} from "@charter/test-support/webhook-fixtures";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../bundle-server/log.js";
import { selfSignedCertificates } from "../certificates/self-signed.js";
import { decisionLabels } from "./decision-event.js";
import { createJudge } from "./judge-review.js";
import { type JudgingContext, staticJudgingContext } from "./judging-context.js";
import { MAX_REVIEW_BYTES } from "./read-review-body.js";
import { createWebhookServer, type WebhookServer } from "./webhook-server.js";

const running: WebhookServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});

const KINDS = inventoryKindsOf(WEBHOOK_POLICIES);
const CLUSTER = [
  namespaceObject("team-a"),
  namespaceObject("legacy"),
  defaultDeny("team-a"),
  defaultDeny("legacy"),
];

async function start(
  options: { policies?: readonly Policy[]; context?: JudgingContext; now?: number } = {},
) {
  const certs = selfSignedCertificates({ hosts: ["127.0.0.1", "localhost"] });
  const context = options.context ?? staticJudgingContext(KINDS, CLUSTER);
  const judge = createJudge(
    {
      policies: options.policies ?? WEBHOOK_POLICIES,
      exceptions: [LEGACY_EXCEPTION],
      systemNamespaces: DEFAULT_SYSTEM_NAMESPACES,
    },
    context,
  );
  const server = await createWebhookServer({
    port: 0,
    tls: certs.serving,
    judge,
    context,
    labels: decisionLabels("test"),
    logger: silentLogger,
    ...(options.now !== undefined ? { now: () => options.now as number } : {}),
  });
  running.push(server);
  const ca = certs.ca.cert;
  return { server, ca, review: (body: unknown) => postReview(server.url, ca, body) };
}

describe("POST /validate", () => {
  it("echoes the uid and allows an object every policy passes", async () => {
    const { review } = await start();
    const body = reviewOf(webhookPod("web", "team-a"), { uid: "4b6c0f1e-uid" });
    const answer = await review(body);
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toBe("application/json");
    expect(answer.json()).toEqual({
      apiVersion: "admission.k8s.io/v1",
      kind: "AdmissionReview",
      response: { uid: "4b6c0f1e-uid", allowed: true },
    });
  });

  it("denies deny failures with 403 naming each policy, rule and message — the rows charter check gives", async () => {
    const { review } = await start();
    const object = webhookPod("agent", "team-a", { privileged: true, hostPath: true });
    const { response } = (await review(reviewOf(object, { uid: "u-1" }))).json();
    expect(response.uid).toBe("u-1");
    expect(response.allowed).toBe(false);
    expect(response.status.code).toBe(403);
    expect(response.status.reason).toBe("Forbidden");
    // The IR engine offline, on the same object: the same failing deny rows, in order.
    const offline = createIrEngine(WEBHOOK_POLICIES, {
      systemNamespaces: DEFAULT_SYSTEM_NAMESPACES,
    }).evaluateSync([{ object }]);
    const failing = offline.filter((f) => f.result === "fail" && f.enforcement === "deny");
    // Offline the scanned set is the Pod alone: the NetworkPolicy rows fail there, not here.
    const expected = failing.filter((f) => f.policy !== "require-default-deny-network-policy");
    expect(expected.map((f) => f.policy)).toEqual([
      "disallow-privileged-containers",
      "disallow-host-path",
    ]);
    expect(response.status.message).toBe(
      `Pod "agent" in namespace team-a violates 2 policies enforced with deny: ${expected
        .map((f) => `[${f.policy}/${f.rule}] ${f.message}`)
        .join("; ")}`,
    );
  });

  it("judges cross-resource policies with the judging context, and fails closed until it is synced", async () => {
    const { review } = await start();
    const inBare = (await review(reviewOf(webhookPod("web", "team-b")))).json().response;
    expect(inBare.allowed).toBe(false);
    expect(inBare.status.message).toMatch(
      /\[require-default-deny-network-policy\/ingress\] Pod web runs in namespace "team-b", which has no default-deny ingress NetworkPolicy/,
    );
    const unsynced = await start({
      context: staticJudgingContext(KINDS, CLUSTER, { synced: false }),
    });
    const waiting = (await unsynced.review(reviewOf(webhookPod("web", "team-a")))).json().response;
    expect(waiting.allowed).toBe(false);
    expect(waiting.status.message).toMatch(
      /cache of networking\.k8s\.io\/v1\/NetworkPolicy is not synced yet/,
    );
    // A kind no cross-resource policy judges does not wait for the caches.
    const plain = (await unsynced.review(reviewOf(service("db", "team-a")))).json().response;
    expect(plain).toEqual({ uid: plain.uid, allowed: true });
  });

  it("follows the written rule per policy while a cache is not synced: the others are judged", async () => {
    const unsynced = staticJudgingContext(KINDS, CLUSTER, { synced: false });
    // A deny policy waiting for its cache refuses, beside the deny failures judged as usual.
    const { review } = await start({ context: unsynced });
    const privileged = webhookPod("agent", "team-a", { privileged: true });
    const refused = (await review(reviewOf(privileged))).json().response;
    expect(refused.allowed).toBe(false);
    expect(refused.status.message).toMatch(
      /^Pod "agent" in namespace team-a violates 1 policy enforced with deny and could not be judged by 1 policy, so it is refused: \[disallow-privileged-containers\/privileged\] .*; \[require-default-deny-network-policy\/ingress\] Charter's cache of networking\.k8s\.io\/v1\/NetworkPolicy is not synced yet; retry \(policy require-default-deny-network-policy needs it\)/,
    );
    // The same policy enforced with warn: not judged, said in a warning; the object is allowed.
    const warnOnly = WEBHOOK_POLICIES.map((policy) =>
      policy.name === "require-default-deny-network-policy"
        ? { ...policy, enforcement: "warn" as const }
        : policy,
    );
    const warned = await start({ policies: warnOnly, context: unsynced });
    const answer = (await warned.review(reviewOf(webhookPod("web", "team-a")))).json().response;
    expect(answer.allowed).toBe(true);
    expect(answer.warnings).toEqual([
      "[require-default-deny-network-policy/(not judged)] policy require-default-deny-network-policy was not judged: Charter's cache of networking.k8s.io/v1/NetworkPolicy is not synced yet",
    ]);
  });

  it("gives warn failures as warnings and audit failures as audit annotations, and allows", async () => {
    const { review } = await start();
    const labels = { "app.kubernetes.io/managed-by": "helm" };
    const warned = (await review(reviewOf(configMap("settings", "team-a", labels)))).json();
    expect(warned.response).toEqual({
      uid: warned.response.uid,
      allowed: true,
      warnings: ["[warn-team-label/teamLabel] ConfigMap settings has no team label"],
    });
    const audited = (await review(reviewOf(service("db", "team-a", "ExternalName")))).json();
    expect(audited.response).toEqual({
      uid: audited.response.uid,
      allowed: true,
      auditAnnotations: {
        "audit-service-type": "externalName: Service db is of type ExternalName",
      },
    });
  });

  it("applies exceptions as offline, skips system namespaces, and judges dry runs the same", async () => {
    const { review } = await start();
    const excused = await review(reviewOf(webhookPod("agent", "legacy", { privileged: true })));
    expect(excused.json().response.allowed).toBe(true);
    // An exception in force only until yesterday no longer applies.
    const later = await start({ now: Date.parse("2100-01-02T00:00:00Z") });
    const expired = await later.review(
      reviewOf(webhookPod("agent", "legacy", { privileged: true })),
    );
    expect(expired.json().response.allowed).toBe(false);
    const system = await review(reviewOf(webhookPod("proxy", "kube-system", { privileged: true })));
    expect(system.json().response.allowed).toBe(true);
    const dry = await review(
      reviewOf(webhookPod("agent", "team-a", { privileged: true }), { dryRun: true }),
    );
    expect(dry.json().response.allowed).toBe(false);
  });

  it("judges UPDATE's new object, DELETE's old one by the policies asking for DELETE, and allows CONNECT", async () => {
    const { review } = await start();
    const old = webhookPod("web", "team-a");
    const updated = await review(
      reviewOf(webhookPod("web", "team-a", { privileged: true }), {
        operation: "UPDATE",
        oldObject: old,
      }),
    );
    expect(updated.json().response.allowed).toBe(false);
    // Deleting a privileged Pod: no policy of the library asks about deletions.
    const deletePod = await review(
      reviewOf(undefined, {
        operation: "DELETE",
        oldObject: webhookPod("x", "team-a", { privileged: true }),
      }),
    );
    expect(deletePod.json().response).toMatchObject({ allowed: true });
    const protectedMap = configMap("keep", "team-a", { protected: "true" });
    const deleteProtected = (
      await review(reviewOf(undefined, { operation: "DELETE", oldObject: protectedMap }))
    ).json().response;
    expect(deleteProtected.allowed).toBe(false);
    expect(deleteProtected.status.message).toBe(
      'ConfigMap "keep" in namespace team-a violates 1 policy enforced with deny: [protect-configmaps/protected] ConfigMap keep is protected and cannot be deleted',
    );
    // Creating the same ConfigMap is not a deletion.
    expect((await review(reviewOf(protectedMap))).json().response.allowed).toBe(true);
    const onlyDelete = await start({ policies: [protectConfigMaps] });
    const create = (await onlyDelete.review(reviewOf(protectedMap))).json().response;
    expect(create).toMatchObject({
      allowed: true,
      status: { message: "no policy judges CREATE requests" },
    });
    const exec = (
      await review(
        reviewOf(
          { apiVersion: "v1", kind: "PodExecOptions", command: ["sh"] },
          {
            operation: "CONNECT",
            resource: "pods",
            subResource: "exec",
          },
        ),
      )
    ).json().response;
    expect(exec).toMatchObject({ allowed: true });
    // pods/status is never judged; pods/ephemeralcontainers is, as the whole Pod.
    const privileged = webhookPod("web", "team-a", { privileged: true });
    const status = await review(
      reviewOf(privileged, {
        operation: "UPDATE",
        oldObject: old,
        resource: "pods",
        subResource: "status",
      }),
    );
    expect(status.json().response.allowed).toBe(true);
    const debug = await review(
      reviewOf(privileged, {
        operation: "UPDATE",
        oldObject: old,
        resource: "pods",
        subResource: "ephemeralcontainers",
      }),
    );
    expect(debug.json().response.allowed).toBe(false);
  });

  it("allows a kind no policy matches", async () => {
    const { review } = await start();
    const role = { apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "team-a" } };
    expect((await review(reviewOf(role))).json().response.allowed).toBe(true);
  });

  it("keeps warnings within the API server's limits and without control characters", async () => {
    const hostile = webhookPod("web", "team-a");
    const { review } = await start();
    const name = `settings\u001b[2J\u0085${"é".repeat(400)}`;
    const labels = { "app.kubernetes.io/managed-by": "helm" };
    const cm = configMap(name, "team-a", labels);
    const answer = (await review(reviewOf(cm))).json().response;
    expect(answer.warnings).toHaveLength(1);
    const [warning] = answer.warnings as string[];
    expect([...(warning as string)].length).toBeLessThanOrEqual(256);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the point
    expect(warning).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(warning).toMatch(/…$/);
    expect((await review(reviewOf(hostile))).json().response.allowed).toBe(true);
  });
});

describe("bad input and faults", () => {
  it("answers each with a clear status and message", async () => {
    const { server, ca, review } = await start();
    const errorOf = async (answer: Promise<{ status: number; json(): { error: string } }>) => {
      const { status, json } = await answer;
      return { status, error: json().error };
    };
    expect(await errorOf(review("{not json"))).toMatchObject({
      status: 400,
      error: expect.stringMatching(/^the body is not valid JSON/),
    });
    expect(await errorOf(review("[1,2]"))).toMatchObject({
      status: 400,
      error: expect.stringMatching(/must be a JSON object: an AdmissionReview/),
    });
    const beta = { ...reviewOf(webhookPod("w", "team-a")), apiVersion: "admission.k8s.io/v1beta1" };
    expect(await errorOf(review(beta))).toMatchObject({
      status: 400,
      error: expect.stringMatching(/apiVersion "admission.k8s.io\/v1beta1" is not served/),
    });
    const noUid = reviewOf(webhookPod("w", "team-a"));
    delete (noUid.request as Record<string, unknown>).uid;
    expect(await errorOf(review(noUid))).toEqual({
      status: 400,
      error: "the AdmissionReview's request has no uid",
    });
    expect(
      await errorOf(review({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview" })),
    ).toEqual({
      status: 400,
      error: "the AdmissionReview has no request",
    });
    const big = reviewOf({ ...webhookPod("w", "team-a"), data: "x".repeat(MAX_REVIEW_BYTES) });
    expect(await errorOf(review(big))).toMatchObject({ status: 413 });
    // 100,000 levels (JSON.stringify itself could not write them).
    const deepReview = JSON.stringify(
      reviewOf({ ...webhookPod("w", "team-a"), deep: "DEEP" }),
    ).replace('"DEEP"', `${"[".repeat(100_000)}${"]".repeat(100_000)}`);
    expect(await errorOf(review(deepReview))).toMatchObject({
      status: 400,
      error: expect.stringMatching(/nested more than \d+ levels deep/),
    });
    // Sent in chunks without a Content-Length: counted as it arrives, stopped past 3 MiB.
    const chunked = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpsRequest(
        `${server.url}/validate`,
        { method: "POST", ca, agent: false, headers: { "Transfer-Encoding": "chunked" } },
        (res) => {
          let text = "";
          res.setEncoding("utf8").on("data", (c: string) => {
            text += c;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on("error", reject);
      const chunk = Buffer.alloc(256 * 1024, " ");
      let sent = 0;
      let answered = false;
      const more = () => {
        while (sent < 4 * MAX_REVIEW_BYTES && !answered) {
          sent += chunk.length;
          if (!req.write(chunk)) return req.once("drain", more);
        }
        req.end();
      };
      req.on("response", () => {
        answered = true;
      });
      more();
    });
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.text).error).toBe(
      `the body is larger than ${MAX_REVIEW_BYTES} bytes, the API server's limit`,
    );
    // Deep, but within the loader's limit: judged.
    const fineDepth = JSON.stringify(
      reviewOf({ ...webhookPod("w", "team-a", { privileged: true }), deep: "DEEP" }),
    ).replace('"DEEP"', `${"[".repeat(500)}${"]".repeat(500)}`);
    expect((await review(fineDepth)).json().response.allowed).toBe(false);
    expect((await httpsCall(`${server.url}/validate`, ca)).status).toBe(405);
    expect((await httpsCall(`${server.url}/validate`, ca)).headers.allow).toBe("POST");
    expect((await httpsCall(`${server.url}/mutate`, ca, { body: "{}" })).status).toBe(404);
    expect((await httpsCall(`${server.url}/healthz`, ca, { body: "{}" })).status).toBe(405);
    // Still serving.
    expect((await review(reviewOf(webhookPod("w", "team-a")))).json().response.allowed).toBe(true);
  });

  it("stays up under hundreds of concurrent bad requests, then judges a good review", async () => {
    const { server, ca, review } = await start();
    const port = server.port;
    const garbage = [
      () => review("{"),
      () => review(reviewOf(webhookPod("w", "team-a"), { operation: "PATCH" })),
      () => httpsCall(`${server.url}/nope`, ca),
      () => review({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: [] }),
      () => review(Buffer.from([0xff, 0xfe, 0x00, 0x7b])),
      // A TLS connection that sends a broken request line.
      () =>
        new Promise<{ status: number }>((resolve) => {
          const socket = tlsConnect({ host: "127.0.0.1", port, ca }, () => {
            socket.end("GARBAGE\r\n\r\n");
          });
          socket.on("data", () => {});
          socket.on("close", () => resolve({ status: 400 }));
          socket.on("error", () => resolve({ status: 400 }));
        }),
      // A client that is not TLS at all.
      () =>
        new Promise<{ status: number }>((resolve) => {
          import("node:net").then(({ connect }) => {
            const socket = connect(port, "127.0.0.1", () =>
              socket.end("POST /validate HTTP/1.1\r\n\r\n"),
            );
            socket.on("close", () => resolve({ status: 400 }));
            socket.on("error", () => resolve({ status: 400 }));
          });
        }),
    ];
    const answers = await Promise.all(
      Array.from({ length: 350 }, (_, i) =>
        (garbage[i % garbage.length] as () => Promise<{ status: number }>)(),
      ),
    );
    expect(answers.every((answer) => answer.status >= 400 && answer.status < 500)).toBe(true);
    const good = await review(
      reviewOf(webhookPod("agent", "team-a", { privileged: true }), { uid: "after" }),
    );
    expect(good.json().response).toMatchObject({ uid: "after", allowed: false });
    const metrics = (await httpsCall(`${server.url}/metrics`, ca)).text;
    expect(metrics).toMatch(
      /^charter_webhook_requests_total\{route="\/validate",code="400"\} \d+$/m,
    );
    expect(metrics).toMatch(/^charter_webhook_requests_total\{route="\/validate",code="200"\} 1$/m);
  });
});

describe("health, readiness and metrics", () => {
  it("/readyz is 503 until the judging context is synced; /metrics counts reviews and results", async () => {
    let synced = false;
    const base = staticJudgingContext(KINDS, CLUSTER);
    const context: JudgingContext = {
      ...base,
      synced: () => synced,
      kinds: () => base.kinds().map((kind) => ({ ...kind, synced })),
    };
    const { server, ca, review } = await start({ context });
    expect((await httpsCall(`${server.url}/healthz`, ca)).status).toBe(200);
    const waiting = await httpsCall(`${server.url}/readyz`, ca);
    expect(waiting.status).toBe(503);
    expect(waiting.json()).toEqual({
      status: "waiting for the caches",
      waiting: ["networking.k8s.io/v1/NetworkPolicy"],
    });
    synced = true;
    expect((await httpsCall(`${server.url}/readyz`, ca)).status).toBe(200);
    await review(reviewOf(webhookPod("agent", "team-a", { privileged: true })));
    await review(reviewOf(webhookPod("web", "team-a"), { dryRun: true }));
    const metrics = await httpsCall(`${server.url}/metrics`, ca);
    expect(metrics.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = metrics.text;
    expect(text).toMatch(/^charter_webhook_decisions_total\{allowed="false",dry_run="false"\} 1$/m);
    expect(text).toMatch(/^charter_webhook_decisions_total\{allowed="true",dry_run="true"\} 1$/m);
    expect(text).toMatch(
      /^charter_webhook_policy_results_total\{policy="disallow-privileged-containers",result="fail"\} 1$/m,
    );
    expect(text).toMatch(/^charter_webhook_review_duration_seconds_count 2$/m);
    expect(text).toMatch(/^charter_webhook_review_duration_seconds_bucket\{le="\+Inf"\} 2$/m);
    expect(text).toMatch(/^charter_webhook_caches_synced 1$/m);
    expect(text).toMatch(
      /^charter_webhook_cache_synced\{kind="networking.k8s.io\/v1\/NetworkPolicy"\} 1$/m,
    );
    expect(text).toMatch(
      /^charter_webhook_cache_objects\{kind="networking.k8s.io\/v1\/NetworkPolicy"\} 2$/m,
    );
  });
});

describe("an exception applies exactly as offline", () => {
  it("the webhook's rows are applyExceptions' rows", async () => {
    const { review } = await start();
    const object = webhookPod("agent", "legacy", { privileged: true, hostPath: true });
    const offline = createIrEngine(WEBHOOK_POLICIES, {
      systemNamespaces: DEFAULT_SYSTEM_NAMESPACES,
    });
    const rows = offline.evaluateSync([{ object }]);
    const { findings } = applyExceptions(rows, [{ object }], [LEGACY_EXCEPTION], Date.now());
    const denied = findings
      .filter((f) => f.result === "fail" && f.enforcement === "deny")
      .filter((f) => f.policy !== "require-default-deny-network-policy");
    expect(denied.map((f) => f.policy)).toEqual(["disallow-host-path"]);
    const { response } = (await review(reviewOf(object as JsonObject))).json();
    expect(response.status.message).toBe(
      `Pod "agent" in namespace legacy violates 1 policy enforced with deny: [${denied[0]?.policy}/${denied[0]?.rule}] ${denied[0]?.message}`,
    );
  });
});

describe("a judging context that gives no objects", () => {
  it("denies what a cross-resource policy judges rather than skip its rules", async () => {
    const base = staticJudgingContext(KINDS, CLUSTER);
    const { review } = await start({ context: { ...base, inventoryFor: () => undefined } });
    const answer = (await review(reviewOf(webhookPod("web", "team-a")))).json().response;
    expect(answer.allowed).toBe(false);
    expect(answer.status.message).toMatch(/gave no objects for a policy that reads them/);
  });
});

describe("evaluation errors", () => {
  it("deny the request with the reason (fail closed), whatever the policy's enforcement", async () => {
    const base = staticJudgingContext(KINDS, CLUSTER);
    const index = base.inventoryFor({}) as InventoryIndex;
    // An index that fails when a rule lists NetworkPolicies: the rule's row is an error.
    const broken = Object.create(index, {
      list: {
        value: () => {
          throw new Error("the cache is corrupt");
        },
      },
    }) as InventoryIndex;
    const { review } = await start({ context: { ...base, inventoryFor: () => broken } });
    const answer = (await review(reviewOf(webhookPod("web", "team-a")))).json().response;
    expect(answer.allowed).toBe(false);
    expect(answer.status.message).toBe(
      'Pod "web" in namespace team-a could not be judged by 1 policy, so it is refused: [require-default-deny-network-policy/ingress] evaluation failed: the cache is corrupt; [require-default-deny-network-policy/egress] evaluation failed: the cache is corrupt',
    );
  });
});
