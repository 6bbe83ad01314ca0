/**
 * What the policies say about one admission request: the IR engine's rows for the judged
 * object, exceptions applied — the rows `charter check` gives for the same object, by
 * construction (evaluatePolicy, applyExceptions) — or why the request is not judged.
 *
 * Which object is judged (packages/ir README, item 17): CREATE and UPDATE the new object,
 * DELETE the object deleted (`oldObject`), by the policies whose operations include the
 * request's; CONNECT by none. A subresource carries another object (a Scale, a Binding) or
 * a status change; only `pods/ephemeralcontainers` and `pods/resize` are judged, as the whole
 * Pod (item 11). The object is judged as sent: the API server has already defaulted it.
 *
 * A review that some policy with image rules judges reads the registry first (image-facts.ts),
 * so its verdict is a promise; every other review is judged synchronously, as before.
 */
import {
  isCrossResource,
  type Json,
  type JsonObject,
  judgesOperation,
  type Operation,
  POD_SPEC_SUBRESOURCES,
  type Policy,
  type PolicyException,
  ruleNamesOf,
} from "@charter/ir";
import {
  type AdmissionContext,
  applyExceptions,
  type CompiledPolicy,
  compilePolicy,
  evaluatePolicy,
  type Finding,
  type ImageContext,
  type InventoryIndex,
  identityOf,
  inScanOrder,
  podView,
  policyApplies,
  type Resource,
} from "@charter/runtime";
import type { LoggedImage } from "../audit/logged-image.js";
import type { AdmissionRequest } from "./admission-review.js";
import { readsScans } from "./caches/cached-kinds.js";
import { type AdmissionImages, imageFactsFor } from "./image-facts.js";
import type { JudgingContext } from "./judging-context.js";
import { loggedImages } from "./logged-images.js";
import { scanReportsIn } from "./scan-reports.js";

export interface WebhookPolicySet {
  readonly policies: readonly Policy[];
  readonly exceptions: readonly PolicyException[];
  /** The policy set's system namespaces (README item 16), as `charter check` reads them. */
  readonly systemNamespaces: readonly string[];
}

export type Verdict =
  /**
   * Judged: every row of every policy that applies (exceptions applied), but the policies
   * whose caches are not synced yet: an error row each when that denies, else in `unjudged`.
   */
  | {
      readonly kind: "judged";
      readonly object: Json;
      readonly findings: readonly Finding[];
      readonly unjudged: readonly UnjudgedPolicy[];
      /** The pod view's images, when a policy with image rules judged it (the decision log's). */
      readonly images?: readonly LoggedImage[];
    }
  /** Nothing to judge: allowed, with the reason. */
  | { readonly kind: "not-judged"; readonly reason: string }
  /** Cannot be judged safely: denied, with the reason (fail closed). */
  | { readonly kind: "failed"; readonly reason: string };

/**
 * A policy not judged because a cache it reads is not synced. Those that deny are error rows
 * among the findings; those that warn or audit (`--unsynced allow`, warn and audit policies)
 * are listed in the verdict, for a warning or an audit annotation.
 */
export interface UnjudgedPolicy {
  readonly policy: Policy;
  readonly action: "deny" | "warn" | "audit";
  readonly message: string;
}

export interface Judge {
  /** A promise only when a policy with image rules judges the request (it reads the registry). */
  judge(request: AdmissionRequest, now: number): Verdict | Promise<Verdict>;
}

export interface JudgeOptions {
  /**
   * How image rules read the registry (image-facts.ts). Absent: every image a policy's
   * registry requirements judge is an error — denied, never admitted unverified.
   */
  readonly images?: AdmissionImages;
}

/** Compiles the policies once (a CharterError for IR the engine cannot run). */
export function createJudge(
  set: WebhookPolicySet,
  context: JudgingContext,
  options: JudgeOptions = {},
): Judge {
  const compiled = set.policies.map((policy) => compilePolicy(policy, set.systemNamespaces));
  // The policies asked about each operation, found once rather than on every review.
  const askedByOperation = new Map<string, readonly CompiledPolicy[]>();
  const askedAbout = (operation: string) => {
    const known = askedByOperation.get(operation);
    if (known !== undefined) return known;
    const asked = compiled.filter((c) => judgesOperation(c.policy.match, operation as Operation));
    askedByOperation.set(operation, asked);
    return asked;
  };
  return {
    judge(request, now) {
      // Nothing the policies did not say may pass: an unexpected failure denies.
      const failed = (error: unknown): Verdict => {
        const reason = error instanceof Error ? error.message : String(error);
        return { kind: "failed", reason: `the webhook could not judge the request: ${reason}` };
      };
      try {
        const verdict = judgeRequest(askedAbout, set, context, options, request, now);
        return verdict instanceof Promise ? verdict.catch(failed) : verdict;
      } catch (error) {
        return failed(error);
      }
    },
  };
}

function judgeRequest(
  askedAbout: (operation: string) => readonly CompiledPolicy[],
  set: WebhookPolicySet,
  context: JudgingContext,
  options: JudgeOptions,
  request: AdmissionRequest,
  now: number,
): Verdict | Promise<Verdict> {
  const { operation } = request;
  if (operation === "CONNECT") {
    return { kind: "not-judged", reason: "CONNECT requests are not judged by any policy" };
  }
  if (request.subResource !== undefined && !isPodSpecChange(request)) {
    return {
      kind: "not-judged",
      reason: `the subresource ${request.resource ?? ""}/${request.subResource} is not judged`,
    };
  }
  const asked = askedAbout(operation);
  if (asked.length === 0) {
    return { kind: "not-judged", reason: `no policy judges ${operation} requests` };
  }
  const sent = operation === "DELETE" ? request.oldObject : request.object;
  if (sent === undefined) {
    return {
      kind: "failed",
      reason:
        operation === "DELETE"
          ? "the DELETE request carries no oldObject to judge"
          : `the ${operation} request carries no object to judge`,
    };
  }
  const object = inRequestNamespace(sent, request.namespace);
  const applies = new Map(
    asked.map(
      (c) => [c, policyApplies(c.policy, object, set.systemNamespaces, operation)] as const,
    ),
  );
  const applying = asked.filter((c) => applies.get(c) !== "no");
  if (applying.length === 0) {
    return { kind: "judged", object, findings: [], unjudged: [] };
  }
  // A policy that reads a cache not synced yet is not judged; the written rule says what the
  // review gets instead (caches/unsynced-decision.ts). Scans are read from a cache too.
  const crossResource = applying.filter(
    (c) => (isCrossResource(c.policy) || readsScans(c.policy)) && applies.get(c) === "yes",
  );
  const decisions = new Map(
    context.decide(crossResource.map((c) => c.policy)).map((d) => [d.policy, d]),
  );
  const unjudged: UnjudgedPolicy[] = [];
  const judged = applying.filter((c) => {
    const decision = decisions.get(c.policy.name);
    if (decision === undefined || decision.action === "judge") return true;
    unjudged.push({ policy: c.policy, action: decision.action, message: decision.message });
    return false;
  });
  const readsCluster = judged.some((c) => decisions.has(c.policy.name));
  const inventory = readsCluster ? context.inventoryFor(object) : undefined;
  if (readsCluster && inventory === undefined) {
    // Judged without it, a rule reading the Namespace would be skipped: never a silent pass.
    return {
      kind: "failed",
      reason: "the webhook's judging context gave no objects for a policy that reads them",
    };
  }
  const admission: AdmissionContext = {
    operation: operation as Operation,
    ...(request.userInfo !== undefined ? { userInfo: request.userInfo } : {}),
    ...(request.oldObject !== undefined ? { oldObject: request.oldObject } : {}),
  };
  const finish = (images?: ReviewImages): Verdict =>
    judgedVerdict(set, object, admission, applying, judged, unjudged, inventory, images, now);
  const imagePolicies = judged.map((c) => c.policy).filter((p) => p.images !== undefined);
  if (imagePolicies.length === 0) return finish();
  // The registry (and the namespace's scans) first: the only asynchronous part of a review.
  const pod = podView(object) as Json | undefined;
  const scans =
    inventory !== undefined && imagePolicies.some(readsScans)
      ? scanReportsIn(inventory, namespaceOf(object))
      : undefined;
  return imageFactsFor(imagePolicies, pod, scans, options.images, now).then(({ context, table }) =>
    finish({ context, logged: loggedImages(pod, table, scans) }),
  );
}

interface ReviewImages {
  readonly context: ImageContext;
  readonly logged: readonly LoggedImage[];
}

/** The rows of the judged policies (and the error rows of those denied for want of a cache). */
function judgedVerdict(
  set: WebhookPolicySet,
  object: Json,
  admission: AdmissionContext,
  applying: readonly CompiledPolicy[],
  judged: readonly CompiledPolicy[],
  unjudged: readonly UnjudgedPolicy[],
  inventory: InventoryIndex | undefined,
  images: ReviewImages | undefined,
  now: number,
): Verdict {
  const operation = admission.operation;
  const resource: Resource = {
    object,
    request: admission,
    ...(images !== undefined ? { images: images.context } : {}),
  };
  const identity = identityOf(object);
  const rows = [
    ...judged.flatMap((c) => evaluatePolicy(c, resource, 0, identity, inventory)),
    // Denying for want of a cache: error rows, which refuse the request (fail closed).
    ...unjudged
      .filter((u) => u.action === "deny")
      .flatMap(({ policy, message }) =>
        // Every rule name of the policy, its image requirements' too (an image policy may have
        // no rules at all, and must still be refused).
        ruleNamesOf(policy).map(
          (rule): Finding => ({
            policy: policy.name,
            rule,
            result: "error",
            message,
            messages: [message],
            severity: policy.severity,
            enforcement: policy.enforcement,
            resource: identity,
            resourceIndex: 0,
          }),
        ),
      ),
  ];
  // In the order charter check reports one object's rows: rows reading beyond it come last.
  const ordered = inScanOrder(
    rows,
    applying.map((c) => c.policy),
    [object],
    set.systemNamespaces,
    operation,
  );
  const { findings } = applyExceptions(ordered, [resource], set.exceptions, now);
  return {
    kind: "judged",
    object,
    findings,
    unjudged: unjudged.filter((u) => u.action !== "deny"),
    ...(images !== undefined ? { images: images.logged } : {}),
  };
}

function namespaceOf(object: Json): string | undefined {
  const metadata = isObject(object) && isObject(object.metadata) ? object.metadata : undefined;
  return typeof metadata?.namespace === "string" ? metadata.namespace : undefined;
}

function isPodSpecChange(request: AdmissionRequest): boolean {
  return (
    request.resource === "pods" &&
    (POD_SPEC_SUBRESOURCES as readonly string[]).includes(request.subResource ?? "")
  );
}

/**
 * The object with the request's namespace when it names none: the API server sets
 * `metadata.namespace` from the request before admission, so this only matters for a review
 * built by hand. The sent object itself is never changed.
 */
function inRequestNamespace(object: Json, namespace: string | undefined): Json {
  if (namespace === undefined || !isObject(object)) return object;
  const metadata = isObject(object.metadata) ? object.metadata : {};
  if (typeof metadata.namespace === "string" && metadata.namespace !== "") return object;
  return { ...object, metadata: { ...metadata, namespace } };
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
