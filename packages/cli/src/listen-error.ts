/**
 * What `charter serve` and `charter webhook` say when their port cannot be had: a CharterError
 * (exit 2, one line and a hint) for the errors a user fixes with another address; anything else
 * as it is.
 */
import { CharterError } from "@charter/ir";

const ADDRESS_ERRORS = new Set(["EADDRINUSE", "EACCES", "EADDRNOTAVAIL"]);

export function listenError(error: unknown, host: string, port: number): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string" || !ADDRESS_ERRORS.has(code)) return error;
  return new CharterError(
    `cannot listen on ${host}:${port} (${code})`,
    {},
    "choose another --port (0 picks a free one) or --host",
  );
}
