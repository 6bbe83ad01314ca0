/**
 * Loads an author's TypeScript file (a policy or the config) directly, with no compile step of
 * theirs. jiti transpiles on the fly and keeps source maps, so positions in errors point at the
 * author's own lines.
 */

import { CharterError, isCharterError } from "@charter/ir";
import { createJiti } from "jiti";

const jiti = createJiti(import.meta.url, {
  interopDefault: true,
  sourceMaps: true,
  // Transpiled files are cached (jiti's folder in the OS temp dir, keyed by each file's path
  // and content, inline source maps included): a warm `charter check` starts ~0.75 s sooner.
  fsCache: true,
});

/** The module's default export (or the module itself when it has none). */
export async function importTypeScript(file: string): Promise<unknown> {
  process.setSourceMapsEnabled?.(true);
  try {
    return await jiti.import(file, { default: true });
  } catch (error) {
    if (isCharterError(error)) throw error;
    // An author's file that does not load (syntax error, missing import): say where.
    const message = error instanceof Error ? error.message : String(error);
    throw new CharterError(`cannot load ${file}: ${firstLine(message)}`, { file });
  }
}

function firstLine(text: string): string {
  return text.split("\n", 1)[0] ?? text;
}
