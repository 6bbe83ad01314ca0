/**
 * A small in-process HTTP server on 127.0.0.1 for fault injection only: it answers what a test
 * says (401 challenges, a token service, an endless body) and forwards the rest to a real
 * registry, optionally changing the bytes on the way. It never stands in for a registry's
 * content: everything it forwards comes from the real one.
 */
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Handler = (
  request: IncomingMessage,
  response: ServerResponse,
  forward: (transform?: (body: Buffer) => Buffer) => Promise<void>,
) => void | Promise<void>;

export interface FaultServer {
  /** `127.0.0.1:<port>` */
  readonly host: string;
  /** Requests seen, as `METHOD path`. */
  readonly seen: string[];
  close(): Promise<void>;
}

export function startFaultServer(handler: Handler, upstream?: string): Promise<FaultServer> {
  const seen: string[] = [];
  const server = http.createServer((request, response) => {
    seen.push(`${request.method} ${request.url}`);
    const forward = async (transform?: (body: Buffer) => Buffer) => {
      if (upstream === undefined) throw new Error("no upstream to forward to");
      const answer = await fetch(`http://${upstream}${request.url}`, {
        method: request.method ?? "GET",
        headers:
          request.headers.accept !== undefined ? { accept: String(request.headers.accept) } : {},
      });
      let body: Buffer = Buffer.from(await answer.arrayBuffer());
      if (transform !== undefined) body = transform(body);
      const headers: Record<string, string> = {};
      answer.headers.forEach((value, name) => {
        if (name !== "content-length" && name !== "transfer-encoding" && name !== "connection")
          headers[name] = value;
      });
      headers["content-length"] = String(body.length);
      response.writeHead(answer.status, headers);
      response.end(request.method === "HEAD" ? undefined : body);
    };
    Promise.resolve(handler(request, response, forward)).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500);
      response.end(String(error));
    });
  });
  return new Promise((done) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      done({
        host: `127.0.0.1:${port}`,
        seen,
        close: () =>
          new Promise((closed) => {
            server.closeAllConnections();
            server.close(() => closed());
          }),
      });
    });
  });
}

/**
 * Streams `total` bytes of `{` … as a body, honouring backpressure, and resolves with how many
 * bytes were written when the client went away or all was sent.
 */
export function streamEndless(
  response: ServerResponse,
  total: number,
  announce: boolean,
): Promise<number> {
  response.writeHead(200, {
    "content-type": "application/vnd.oci.image.manifest.v1+json",
    ...(announce ? { "content-length": String(total) } : {}),
  });
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  let written = 0;
  return new Promise((done) => {
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      done(written);
    };
    response.on("close", finish);
    const pump = () => {
      while (!finished && written < total) {
        written += chunk.length;
        if (!response.write(chunk)) {
          response.once("drain", pump);
          return;
        }
      }
      if (written >= total) response.end(finish);
    };
    pump();
  });
}
