/**
 * One HTTPS request to the dev cluster with a user's token, for the harness's own waits
 * (/readyz, a namespace's service account). Scans of a cluster use @kubernetes/client-node.
 */
import { request } from "node:https";

export interface ClusterResponse {
  readonly status: number;
  readonly body: string;
}

export function clusterRequest(
  server: string,
  ca: string,
  token: string,
  path: string,
  timeoutMs = 5_000,
): Promise<ClusterResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, server),
      { ca, headers: { authorization: `Bearer ${token}` }, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer from ${server}${path}`)));
    req.on("error", reject);
    req.end();
  });
}
