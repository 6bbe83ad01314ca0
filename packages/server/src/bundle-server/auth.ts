/** Bearer-token auth (`Authorization: Bearer <token>`), compared in constant time. */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

/**
 * Whether the request carries the token. Both sides are hashed first so the comparison takes
 * the same time whatever the lengths.
 */
export function hasBearerToken(headers: IncomingHttpHeaders, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? "");
  if (!match?.[1]) return false;
  return timingSafeEqual(digest(match[1]), digest(token));
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}
