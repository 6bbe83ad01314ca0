/**
 * Ajv, loaded on first use. Most runs never validate anything (a warm `charter check` reads its
 * policies from the cache), and Ajv is a tenth of the start-up budget; it is CommonJS, so a
 * synchronous `require` can defer it without making the validators async.
 */
import { createRequire } from "node:module";
import type { Ajv } from "ajv";

export type { Ajv };

let ajvClass: typeof Ajv | undefined;

/** A new Ajv instance with the options every Charter validator uses. */
export function newAjv(): Ajv {
  ajvClass ??= (createRequire(import.meta.url)("ajv") as typeof import("ajv")).Ajv;
  return new ajvClass({ allErrors: true, strict: false });
}
