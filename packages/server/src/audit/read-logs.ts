/**
 * Reads the decision-log store `charter serve` writes: `decisions-<NNNNNN>.jsonl` files in
 * sequence order, one OPA event per line. Lines are streamed, so a log larger than memory can
 * be audited; a line that is not a JSON object is reported with its file and line, not fatal.
 */
import { createReadStream, existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { CharterError } from "@charter/ir";

const DECISION_FILE = /^decisions-(\d+)\.jsonl$/;

export type LogLine =
  | {
      readonly kind: "event";
      readonly event: Record<string, unknown>;
      readonly file: string;
      readonly line: number;
    }
  | {
      readonly kind: "corrupt";
      readonly file: string;
      readonly line: number;
      readonly reason: string;
    };

/** The decision files of DIR, oldest first (by sequence number, not by name). */
export function decisionLogFiles(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new CharterError(
      `decision-log folder not found: ${dir}`,
      { file: dir },
      "pass --logs the folder `charter serve --logs` writes (default .charter/logs)",
    );
  }
  return readdirSync(dir)
    .flatMap((name) => {
      const match = DECISION_FILE.exec(name);
      return match ? [{ name, sequence: Number(match[1]) }] : [];
    })
    .sort((a, b) => a.sequence - b.sequence || a.name.localeCompare(b.name))
    .map((entry) => entry.name);
}

/** Every line of every decision file of DIR, as events or corrupt lines. */
export async function* readDecisionLog(
  dir: string,
  files: readonly string[] = decisionLogFiles(dir),
): AsyncGenerator<LogLine> {
  for (const file of files) {
    try {
      yield* readFile(dir, file);
    } catch (error) {
      if (error instanceof CharterError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new CharterError(
        `cannot read ${join(dir, file)}: ${reason}`,
        { file: join(dir, file) },
        "check the file's permissions",
      );
    }
  }
}

async function* readFile(dir: string, file: string): AsyncGenerator<LogLine> {
  const lines = createInterface({
    input: createReadStream(join(dir, file), { encoding: "utf8" }),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === "") continue;
    let event: unknown;
    try {
      event = JSON.parse(text);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      yield { kind: "corrupt", file, line, reason: `not JSON: ${reason}` };
      continue;
    }
    if (typeof event !== "object" || event === null || Array.isArray(event)) {
      yield { kind: "corrupt", file, line, reason: "not a JSON object" };
      continue;
    }
    yield { kind: "event", event: event as Record<string, unknown>, file, line };
  }
}
