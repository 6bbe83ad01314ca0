/**
 * Structured logs: one JSON object per line (time, level, msg, then the fields), so a log
 * shipper can read serve's stderr without parsing prose.
 */

export type LogLevel = "debug" | "info" | "warn" | "error";

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  log(level: LogLevel, msg: string, fields?: LogFields): void;
}

/** A logger writing lines at `level` and above through `write` (one call per line). */
export function jsonLogger(write: (line: string) => void, level: LogLevel = "info"): Logger {
  return {
    log(entryLevel, msg, fields = {}) {
      if (RANK[entryLevel] < RANK[level]) return;
      write(JSON.stringify({ time: new Date().toISOString(), level: entryLevel, msg, ...fields }));
    },
  };
}

export const silentLogger: Logger = { log() {} };

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
