/**
 * Compares two engines' findings on (resource, policy, rule): result and message. CEL gives
 * the first witness's message only, so `message` is compared, not the whole `messages` list.
 */
import type { Finding, Resource } from "@charter/runtime";

function key(f: Finding): string {
  return `${f.resourceIndex} ${f.policy} ${f.rule}`;
}

/** One line per disagreement, naming the policy, the resource and each engine's answer. */
export function disagreements(
  expected: readonly Finding[],
  actual: readonly Finding[],
  resources: readonly Resource[],
  names: readonly [string, string] = ["ir", "cel"],
): string[] {
  const byKey = new Map(actual.map((f) => [key(f), f]));
  const problems: string[] = [];
  for (const f of expected) {
    const o = byKey.get(key(f));
    byKey.delete(key(f));
    if (!o || o.result !== f.result || o.message !== f.message) {
      problems.push(
        `${f.policy}/${f.rule} on ${JSON.stringify(resources[f.resourceIndex]?.object)}: ${names[0]}=${f.result} ${JSON.stringify(f.message)} ${names[1]}=${o ? `${o.result} ${JSON.stringify(o.message)}` : "no row"}`,
      );
    }
  }
  for (const o of byKey.values()) {
    problems.push(
      `${o.policy}/${o.rule} on resource ${o.resourceIndex}: only ${names[1]} answered (${o.result} ${JSON.stringify(o.message)})`,
    );
  }
  return problems;
}
