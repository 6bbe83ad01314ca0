/**
 * Decision-log fixtures for the audit tests: events shaped as OPA v1 sends them (labels,
 * decision_id, bundles.<name>.revision, path, input, result, requested_by, timestamp with
 * nanoseconds, metrics, req_id), plus the `received_at` our server adds.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface ViolationFixture {
  readonly policy: string;
  readonly rule: string;
  readonly severity?: string;
  readonly enforcement?: string;
  readonly message?: string;
}

let sequence = 0;

export function pod(namespace: string | undefined, name = "app", privileged = false) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, ...(namespace ? { namespace } : {}) },
    spec: {
      containers: [{ name: "app", image: "nginx:1.27", securityContext: { privileged } }],
    },
  };
}

/** A Pod with the given container lists (`{containers: ["nginx:1.27"], initContainers: […]}`). */
export function podRunning(
  namespace: string,
  lists: Readonly<
    Partial<Record<"containers" | "initContainers" | "ephemeralContainers", readonly string[]>>
  >,
  name = "app",
) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace },
    spec: containerLists(lists),
  };
}

/** A Deployment whose pod template runs these containers. */
export function deploymentRunning(
  namespace: string,
  lists: Readonly<Partial<Record<"containers" | "initContainers", readonly string[]>>>,
  name = "app",
) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: containerLists(lists) },
    },
  };
}

function containerLists(lists: Readonly<Record<string, readonly string[] | undefined>>) {
  return Object.fromEntries(
    Object.entries(lists).map(([list, images]) => [
      list,
      (images ?? []).map((image, i) => ({ name: `${list}-${i}`, image })),
    ]),
  );
}

/** An AdmissionReview as the API server sends to OPA's kube-mgmt / admission webhook. */
export function admissionReview(object: Record<string, unknown>, namespace?: string) {
  return {
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid: "0df28fbd-5f5f-11e8-bc74-36e6bb280816",
      kind: { group: "", version: "v1", kind: object.kind },
      operation: "CREATE",
      ...(namespace ? { namespace } : {}),
      object,
    },
  };
}

export function decisionEvent(options: {
  readonly timestamp?: string;
  readonly receivedAt?: string;
  readonly input?: unknown;
  readonly result?: readonly ViolationFixture[] | unknown;
  readonly path?: string;
  readonly revision?: string;
  readonly error?: unknown;
  /** The `images` field Charter's webhook logs beside `result` (any value, to test malformed ones). */
  readonly images?: unknown;
}): Record<string, unknown> {
  sequence++;
  const violations = Array.isArray(options.result)
    ? options.result.map((v: ViolationFixture) => ({
        policy: v.policy,
        rule: v.rule,
        message: v.message ?? `${v.policy}/${v.rule} failed`,
        severity: v.severity ?? "high",
        enforcement: v.enforcement ?? "deny",
      }))
    : options.result;
  return {
    labels: { id: "5d3c6f1e-7a34-4b0b-9c3a-0b5b1c8e2f10", version: "1.22.3" },
    decision_id: `4ca636c1-55e4-417a-b1d8-4aceb67960${String(sequence).padStart(2, "0")}`,
    bundles: { charter: { revision: options.revision ?? "sha256:1f2e3d" } },
    path: options.path ?? "charter/violations",
    input: options.input ?? pod("team-a"),
    ...(violations === undefined ? {} : { result: violations }),
    ...(options.error === undefined ? {} : { error: options.error }),
    ...(options.images === undefined ? {} : { images: options.images }),
    requested_by: "127.0.0.1:53124",
    ...(options.timestamp ? { timestamp: options.timestamp } : {}),
    metrics: { timer_rego_query_eval_ns: 181_000, timer_server_handler_ns: 402_000 },
    req_id: sequence,
    received_at: options.receivedAt ?? "2026-01-10T00:00:00Z",
  };
}

/** Writes `decisions-<NNNNNN>.jsonl` files (lines given as objects or raw text). */
export function writeDecisionLog(
  dir: string,
  files: Readonly<Record<number, readonly (Record<string, unknown> | string)[]>>,
): void {
  mkdirSync(dir, { recursive: true });
  for (const [seq, lines] of Object.entries(files)) {
    const text = lines
      .map((line) => (typeof line === "string" ? line : JSON.stringify(line)))
      .join("\n");
    writeFileSync(join(dir, `decisions-${String(seq).padStart(6, "0")}.jsonl`), `${text}\n`);
  }
}
