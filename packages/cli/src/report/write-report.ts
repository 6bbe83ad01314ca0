/**
 * `--output FILE`: the report is written to a temporary file beside FILE and renamed over it
 * only once complete (atomic-write.ts), so a reader — or a failed run — never sees half a
 * report, and a previous report stays intact until the new one is whole. Missing parent
 * folders are created.
 */
import { basename, dirname } from "node:path";
import { CharterError } from "@charter/ir";
import { writeFiles } from "../atomic-write.js";

export function writeReport(file: string, report: string): void {
  try {
    writeFiles(dirname(file), new Map([[basename(file), `${report}\n`]]));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CharterError(
      `cannot write the report to ${file}: ${reason}`,
      {},
      "pass --output a file path in a folder you can write to",
    );
  }
}
