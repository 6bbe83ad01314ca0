/** Loopback ports for the dev cluster's processes: free ones to start, released ones to restart. */
import { createConnection, createServer } from "node:net";

/** A port nothing listens on now (the OS picks it; another process could still take it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === "object") resolve(address.port);
        else reject(new Error("the OS gave no port"));
      });
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Resolves once nothing accepts connections on `port`, or rejects after `timeoutMs`. */
export async function waitForPortReleased(port: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (await accepts(port)) {
    if (Date.now() > deadline)
      throw new Error(`port ${port} is still in use after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
