/**
 * For the webhook's tests: AdmissionReviews shaped as the API server sends them, and an HTTPS
 * client that trusts only the test's CA (Node's fetch cannot be given one).
 */
import { randomUUID } from "node:crypto";
import { request } from "node:https";

export interface ReviewOptions {
  readonly operation?: string;
  readonly uid?: string;
  readonly dryRun?: boolean;
  readonly oldObject?: Record<string, unknown>;
  readonly userInfo?: Record<string, unknown>;
  readonly subResource?: string;
  readonly resource?: string;
}

/** An `admission.k8s.io/v1` AdmissionReview around `object` (the request's fields from it). */
export function reviewOf(
  object: Record<string, unknown> | undefined,
  options: ReviewOptions = {},
): Record<string, unknown> {
  const operation = options.operation ?? "CREATE";
  const subject = (operation === "DELETE" ? options.oldObject : object) ?? {};
  const metadata = (subject.metadata ?? {}) as Record<string, unknown>;
  const apiVersion = String(subject.apiVersion ?? "v1");
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const kind = String(subject.kind ?? "");
  const resource = options.resource ?? `${kind.toLowerCase()}s`;
  return {
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid: options.uid ?? randomUUID(),
      kind: { group, version, kind },
      resource: { group, version, resource },
      ...(options.subResource ? { subResource: options.subResource } : {}),
      requestKind: { group, version, kind },
      requestResource: { group, version, resource },
      ...(metadata.name ? { name: metadata.name } : {}),
      ...(metadata.namespace ? { namespace: metadata.namespace } : {}),
      operation,
      userInfo: options.userInfo ?? { username: "alice", uid: "alice-uid", groups: ["team-a"] },
      object: operation === "DELETE" ? null : (object ?? null),
      oldObject: options.oldObject ?? null,
      dryRun: options.dryRun ?? false,
      options: null,
    },
  };
}

export interface HttpsAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  // biome-ignore lint/suspicious/noExplicitAny: a test reads the JSON it expects
  json(): any;
}

/** One HTTPS request to `url` (e.g. `https://127.0.0.1:8443/validate`), trusting `ca`. */
export function httpsCall(
  url: string,
  ca: string | Buffer,
  options: {
    readonly method?: string;
    readonly body?: string | Buffer;
    readonly headers?: Record<string, string>;
  } = {},
): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? (options.body === undefined ? "GET" : "POST"),
        ca,
        agent: false,
        headers: {
          ...(options.body !== undefined ? { "Content-Type": "application/json" } : {}),
          ...options.headers,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text,
            json: () => JSON.parse(text),
          });
        });
        response.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

/** POST /validate with a review (an object is sent as JSON, a string or Buffer as is). */
export function postReview(
  base: string,
  ca: string | Buffer,
  review: unknown,
): Promise<HttpsAnswer> {
  const body =
    typeof review === "string" || Buffer.isBuffer(review) ? review : JSON.stringify(review);
  return httpsCall(`${base}/validate`, ca, { body });
}
