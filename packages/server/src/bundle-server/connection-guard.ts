/**
 * Connection limits for `charter serve`, so slow or silent clients cannot take every file
 * descriptor and starve OPA.
 *
 * A server cannot tell who a connection belongs to before its request headers arrive, so each
 * connection starts *unproven* and becomes *proven* once it sends a request that carries the
 * bearer token (any complete request when no token is configured).
 * - At most `maxConnections` are open; unproven ones may take only `maxConnections − reserve`
 *   of them (the reserve, a tenth of the cap and at least one, is kept for proven ones), and at
 *   most `maxPerClient` unproven ones may come from one client address.
 * - When a limit is reached, a new connection displaces the oldest unproven connection that
 *   has no request in progress (first of its own address, then any); only when there is none
 *   is the new one refused. A flood of silent connections thus keeps recycling its own slots,
 *   while a client that sends its request at once (OPA, a health check) gets in, and a request
 *   in progress is never displaced. /health does not prove a connection: anyone may ask for
 *   it, so a connection kept open after it would let a flood fill the reserve.
 * - A connection must complete its request headers within `headerTimeoutMs` of being
 *   accepted, and is closed after `idleTimeoutMs` without a request in progress. A request
 *   being answered (a held long poll) is never timed out here.
 */
import type { Server as HttpServer, IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";

export interface ConnectionLimits {
  readonly maxConnections: number;
  readonly maxPerClient: number;
  readonly headerTimeoutMs: number;
  readonly idleTimeoutMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  maxConnections: 1024,
  maxPerClient: 128,
  headerTimeoutMs: 10_000,
  idleTimeoutMs: 30_000,
};

export type ConnectionClosed = "refused" | "displaced" | "header_timeout" | "idle_timeout";

export interface ConnectionGuard {
  /** Open connections now, by whether they have proven themselves. */
  counts(): { readonly proven: number; readonly unproven: number };
  /** Connections the guard closed or refused, by reason. */
  closed(): Readonly<Record<ConnectionClosed, number>>;
}

/** The slots kept for proven connections: a tenth of the cap, at least one. */
export function reservedConnections(maxConnections: number): number {
  return Math.max(1, Math.floor(maxConnections / 10));
}

interface Connection {
  readonly key: string;
  readonly socket: Socket;
  readonly address: string;
  proven: boolean;
  /** Requests received and not yet answered. */
  active: number;
  timer?: NodeJS.Timeout;
}

export function guardConnections(
  server: HttpServer,
  limits: ConnectionLimits,
  /** Whether a request proves its connection (it carries the token). */
  proves: (request: IncomingMessage) => boolean,
): ConnectionGuard {
  const unprovenShare = Math.max(
    1,
    limits.maxConnections - reservedConnections(limits.maxConnections),
  );
  const byKey = new Map<string, Connection>();
  /** Unproven connections, oldest first (a Set keeps insertion order). */
  const unproven = new Set<Connection>();
  const unprovenByAddress = new Map<string, Set<Connection>>();
  const closed: Record<ConnectionClosed, number> = {
    refused: 0,
    displaced: 0,
    header_timeout: 0,
    idle_timeout: 0,
  };
  const keyOf = (socket: Socket) => `${socket.remoteAddress}|${socket.remotePort}`;

  const forgetUnproven = (connection: Connection) => {
    unproven.delete(connection);
    const mine = unprovenByAddress.get(connection.address);
    mine?.delete(connection);
    if (mine?.size === 0) unprovenByAddress.delete(connection.address);
  };

  const forget = (connection: Connection) => {
    clearTimeout(connection.timer);
    forgetUnproven(connection);
    if (byKey.get(connection.key) === connection) byKey.delete(connection.key);
  };

  const close = (connection: Connection, reason: ConnectionClosed) => {
    closed[reason] += 1;
    // Forgotten now, not at its 'close' event: the slot is free for the connection that
    // displaced it.
    forget(connection);
    connection.socket.destroy();
  };

  /** Closes the oldest idle unproven connection of `among`; false when there is none. */
  const displaceOldest = (among: Iterable<Connection> | undefined) => {
    for (const connection of among ?? []) {
      if (connection.active === 0) {
        close(connection, "displaced");
        return true;
      }
    }
    return false;
  };

  const waitFor = (connection: Connection, ms: number, reason: ConnectionClosed) => {
    clearTimeout(connection.timer);
    connection.timer = setTimeout(() => {
      if (connection.active === 0) close(connection, reason);
    }, ms);
    connection.timer.unref();
  };

  server.on("connection", (socket: Socket) => {
    const address = socket.remoteAddress ?? "unknown";
    const fits = () => {
      const mine = unprovenByAddress.get(address);
      if ((mine?.size ?? 0) >= limits.maxPerClient && !displaceOldest(mine)) return false;
      if (unproven.size >= unprovenShare && !displaceOldest(unproven)) return false;
      if (byKey.size >= limits.maxConnections && !displaceOldest(unproven)) return false;
      return true;
    };
    if (!fits()) {
      closed.refused += 1;
      socket.destroy();
      return;
    }
    const connection: Connection = {
      key: keyOf(socket),
      socket,
      address,
      proven: false,
      active: 0,
    };
    byKey.set(connection.key, connection);
    unproven.add(connection);
    let mine = unprovenByAddress.get(address);
    if (mine === undefined) {
      mine = new Set();
      unprovenByAddress.set(address, mine);
    }
    mine.add(connection);
    waitFor(connection, limits.headerTimeoutMs, "header_timeout");
    socket.once("close", () => forget(connection));
  });

  server.on("request", (request: IncomingMessage, response: ServerResponse) => {
    const connection = byKey.get(keyOf(request.socket));
    if (connection === undefined) return;
    connection.active += 1;
    clearTimeout(connection.timer);
    if (!connection.proven && proves(request)) {
      connection.proven = true;
      forgetUnproven(connection);
    }
    response.once("close", () => {
      connection.active -= 1;
      if (connection.active === 0 && !connection.socket.destroyed) {
        waitFor(connection, limits.idleTimeoutMs, "idle_timeout");
      }
    });
  });

  return {
    counts: () => ({ proven: byKey.size - unproven.size, unproven: unproven.size }),
    closed: () => ({ ...closed }),
  };
}
