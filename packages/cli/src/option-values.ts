/** Readers of option values that several commands share: commander calls them as it parses. */
import { InvalidArgumentError } from "commander";

export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError("a port 0–65535");
  return port;
}

/** A whole number ≥ 1 (a count of connections or decoders). */
export function parseCount(value: string): number {
  const count = Number(value);
  if (!/^\d+$/.test(value.trim()) || count < 1 || !Number.isSafeInteger(count)) {
    throw new InvalidArgumentError("a whole number of at least 1");
  }
  return count;
}

const DURATION_UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000 };

/** `500ms`, `10s`, `2m` (a bare number is seconds), in milliseconds; at least 1 ms. */
export function parseDuration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m)?$/.exec(value.trim());
  const ms = match ? Number(match[1]) * (DURATION_UNIT_MS[match[2] ?? "s"] ?? 1000) : Number.NaN;
  if (!(ms >= 1) || ms > 2 ** 31 - 1)
    throw new InvalidArgumentError("a duration such as 10s, 500ms or 2m");
  return Math.round(ms);
}

/** `--image-deadline`: seconds, more than 0 and at most 29 (the API server waits at most 30). */
export function parseImageDeadline(value: string): number {
  const seconds = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || seconds <= 0 || seconds > 29) {
    throw new InvalidArgumentError("seconds, more than 0 and at most 29");
  }
  return seconds;
}
