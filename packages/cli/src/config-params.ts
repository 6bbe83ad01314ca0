/**
 * `params` in charter.config.ts, checked against the loaded policies and reported against the
 * config file: a policy name that is not loaded, a parameter the policy does not have, a value
 * of the wrong type, or a pattern RE2 rejects — each with the key path (`params.<policy>.<key>`)
 * and, when it can be found in the file, its line.
 */
import { readFileSync } from "node:fs";
import {
  attestorKeyProblems,
  CharterError,
  didYouMean,
  type ErrorLocation,
  type JsonObject,
  type Policy,
  paramPathText,
  paramProblems,
  withParams,
} from "@charter/ir";
import type { LoadedConfig } from "./config.js";

/**
 * The policies with the configured values set. `partial`: the policies loaded are a part of
 * the project (`--policies`), so a name under `params` that is not among them is no error.
 */
export function withConfiguredParams(
  policies: readonly Policy[],
  config: LoadedConfig,
  partial: boolean,
): Policy[] {
  const configured = config.params ?? {};
  const byName = new Map(policies.map((policy) => [policy.name, policy]));
  for (const [name, values] of Object.entries(configured)) {
    const policy = byName.get(name);
    if (!policy) {
      if (partial) continue;
      const suggestion = didYouMean(name, byName.keys());
      throw new CharterError(
        `params names the policy \`${name}\`, which is not loaded${suggestion ? `; ${suggestion}` : ""}`,
        locate(config, [name]),
        "the keys of `params` are policy names (see `charter docs` or the policy files)",
      );
    }
    if (typeof values !== "object" || values === null || Array.isArray(values)) {
      throw new CharterError(
        `params.${name} must be an object of parameter values`,
        locate(config, [name]),
      );
    }
    const merged = { ...policy.parameters.values, ...values };
    const problems = [
      ...paramProblems(policy.parameters.schema, merged, policy.rules),
      ...attestorKeyProblems(policy.images, merged),
    ];
    const [first] = problems;
    if (first) {
      throw new CharterError(
        problems.map((p) => `${paramPathText([name, ...p.path])} ${p.message}`).join("; "),
        locate(config, [name, ...first.path]),
        first.hint,
      );
    }
    byName.set(name, withParams(policy, values as JsonObject));
  }
  return policies.map((policy) => byName.get(policy.name) ?? policy);
}

/**
 * The config file and the line of `params.<key>.<key>…` in it, found by reading the keys in
 * order after `params:` (the deepest one found; list indexes are not looked for).
 */
function locate(config: LoadedConfig, path: readonly (string | number)[]): ErrorLocation {
  if (!config.file) return {};
  let text: string;
  try {
    text = withoutComments(readFileSync(config.file, "utf8"));
  } catch {
    return { file: config.file };
  }
  let at = keyAfter(text, "params", 0);
  if (at === undefined) return { file: config.file };
  let found = at;
  for (const segment of path) {
    if (typeof segment === "number") break;
    at = keyAfter(text, segment, found);
    if (at === undefined) break;
    found = at;
  }
  return { file: config.file, line: text.slice(0, found).split("\n").length };
}

/** The offset of `key:` (the key bare or quoted) at or after `from`. */
function keyAfter(text: string, key: string, from: number): number | undefined {
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = new RegExp(`(?:^|[\\s{,])(?:${escaped}|"${escaped}"|'${escaped}')\\s*:`, "g");
  pattern.lastIndex = from;
  const match = pattern.exec(text);
  return match ? match.index + (match[0].length - match[0].trimStart().length) : undefined;
}

/** The text with comments blanked (offsets and line breaks kept): an example in a comment is not the key. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|(?<![:"'\\])\/\/[^\n]*/g, (comment) =>
    comment.replace(/[^\n]/g, " "),
  );
}
