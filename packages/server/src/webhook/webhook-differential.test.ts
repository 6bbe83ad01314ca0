/**
 * The webhook against the IR engine offline, on generated objects (test-support's resources:
 * every pod controller, odd types, hostile strings, missing fields): for each, the answer the
 * webhook gives over HTTPS is the answer built from the rows `charter check`'s engine gives
 * with the exceptions applied — allowed exactly when no deny rule fails or errs, the same
 * denial, warnings and annotations. A fixed seed and one printed random seed
 * (replay: CHARTER_WEBHOOK_SEED=<seed>).
 */
import {
  DEFAULT_SYSTEM_NAMESPACES,
  isCrossResource,
  isScanOnly,
  type JsonObject,
  unconfiguredReason,
} from "@charter/ir";
import { applyExceptions, createIrEngine } from "@charter/runtime";
import { generatedResource } from "@charter/test-support/generated-resources";
import { postReview, reviewOf } from "@charter/test-support/webhook-client";
import { LEGACY_EXCEPTION, WEBHOOK_POLICIES } from "@charter/test-support/webhook-fixtures";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import library from "../../../../policies/index.js";
import { silentLogger } from "../bundle-server/log.js";
import { selfSignedCertificates } from "../certificates/self-signed.js";
import { decisionLabels } from "./decision-event.js";
import { createJudge } from "./judge-review.js";
import { staticJudgingContext } from "./judging-context.js";
import { auditAnnotationsOf, denialMessage, denyingRows, warningsOf } from "./review-response.js";
import { createWebhookServer, type WebhookServer } from "./webhook-server.js";

// Every policy that reads only the object: the library's, the warn and audit fixtures — those
// the webhook judges (`charter webhook` leaves scan-only policies, the library's vulnerability
// gates on scanner reports among them, to charter check, and judges no policy still waiting for
// its signing keys).
const POLICIES = [
  ...library,
  ...WEBHOOK_POLICIES.filter((p) => !library.some((l) => l.name === p.name)),
].filter(
  (policy) =>
    !isCrossResource(policy) && !isScanOnly(policy) && unconfiguredReason(policy) === undefined,
);
const COUNT = 250;
const NOW = Date.parse("2027-01-20T00:00:00Z");

const servers: WebhookServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

describe("the webhook and the IR engine offline", () => {
  const seeds = [20261207, Math.floor(Math.random() * 2 ** 31)];
  it.each(seeds)("agree on every generated object (seed %i)", async (seed) => {
    const used = Number(process.env.CHARTER_WEBHOOK_SEED ?? seed);
    console.log(`webhook differential seed ${used} (replay: CHARTER_WEBHOOK_SEED=${used})`);
    const certs = selfSignedCertificates({ hosts: ["127.0.0.1"] });
    const context = staticJudgingContext([]);
    const set = {
      policies: POLICIES,
      exceptions: [LEGACY_EXCEPTION],
      systemNamespaces: DEFAULT_SYSTEM_NAMESPACES,
    };
    const server = await createWebhookServer({
      port: 0,
      tls: certs.serving,
      judge: createJudge(set, context),
      context,
      labels: decisionLabels("test"),
      logger: silentLogger,
      now: () => NOW,
    });
    servers.push(server);
    const engine = createIrEngine(POLICIES, { systemNamespaces: DEFAULT_SYSTEM_NAMESPACES });
    // What the API server would send: the object as JSON carries it.
    const objects = fc
      .sample(generatedResource, { seed: used, numRuns: COUNT })
      .map((resource) => JSON.parse(JSON.stringify(resource.object)) as JsonObject);
    let denied = 0;
    for (const [index, object] of objects.entries()) {
      const uid = `review-${index}`;
      const answer = await postReview(server.url, certs.ca.cert, reviewOf(object, { uid }));
      expect(answer.status).toBe(200);
      const rows = engine.evaluateSync([{ object }]);
      const { findings } = applyExceptions(rows, [{ object }], [LEGACY_EXCEPTION], NOW);
      const denying = denyingRows(findings);
      const failing = (enforcement: string) =>
        findings.filter((f) => f.result === "fail" && f.enforcement === enforcement);
      const warnings = warningsOf(failing("warn"));
      const annotations = auditAnnotationsOf(failing("audit"));
      const expected = {
        uid,
        allowed: denying.length === 0,
        ...(denying.length > 0
          ? { status: { code: 403, reason: "Forbidden", message: denialMessage(denying) } }
          : {}),
        ...(warnings.length > 0 ? { warnings } : {}),
        ...(Object.keys(annotations).length > 0 ? { auditAnnotations: annotations } : {}),
      };
      expect(answer.json().response, JSON.stringify(object)).toEqual(expected);
      if (!expected.allowed) denied++;
    }
    // The generator makes both kinds of answer.
    expect(denied).toBeGreaterThan(0);
    expect(denied).toBeLessThan(objects.length);
  });
});
