/**
 * RE2 patterns for `matches` and `glob`, compiled once and cached: a policy's literal patterns
 * are compiled when the policy is, and patterns read from data are compiled the first time
 * they are seen. A pattern RE2 rejects is cached as `undefined` (it makes the test false).
 */
import { globToRe2 } from "@charter/ir";
import { RE2JS } from "re2js";

/** Bounded so hostile data with endless distinct patterns cannot grow memory without limit. */
const CACHE_LIMIT = 10_000;
const cache = new Map<string, RE2JS | undefined>();

/** Compiles an RE2 pattern, or throws the RE2 syntax error. */
export function compileRe2(pattern: string): RE2JS {
  return RE2JS.compile(pattern);
}

/** The compiled pattern, or `undefined` when RE2 rejects it. */
export function cachedRe2(pattern: string): RE2JS | undefined {
  if (cache.has(pattern)) return cache.get(pattern);
  let compiled: RE2JS | undefined;
  try {
    compiled = compileRe2(pattern);
  } catch {
    compiled = undefined;
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(pattern, compiled);
  return compiled;
}

/** RE2 partial match: true when the pattern matches anywhere in `text`. */
export function re2Matches(pattern: string, text: string): boolean {
  return cachedRe2(pattern)?.test(text) ?? false;
}

/** True when the glob matches the whole of `text` (see glob.ts). */
export function globMatches(glob: string, text: string): boolean {
  return re2Matches(globToRe2(glob), text);
}
