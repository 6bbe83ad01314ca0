/**
 * Where Gatekeeper's `gator` is: `$CHARTER_GATOR`, `.tools/bin/gator`, or PATH (see
 * find-tool.ts); scripts/install-gator.sh builds it.
 */
import { type FindToolOptions, findTool } from "../find-tool.js";

export type FindGatorOptions = FindToolOptions;

/** The path of a `gator` binary, or undefined when there is none. */
export function findGator(options: FindGatorOptions = {}): string | undefined {
  return findTool("gator", "CHARTER_GATOR", options);
}
