/** Where the `opa` binary is: `$CHARTER_OPA`, `.tools/bin/opa`, or PATH (see find-tool.ts). */
import { type FindToolOptions, findTool } from "../find-tool.js";

export type FindOpaOptions = FindToolOptions;

/** The path of an `opa` binary, or undefined when there is none. */
export function findOpa(options: FindOpaOptions = {}): string | undefined {
  return findTool("opa", "CHARTER_OPA", options);
}
