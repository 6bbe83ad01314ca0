/** The compile targets `build --target` knows, and what each emits. */
import { emitRego } from "@charter/compiler";
import { CharterError, type Policy } from "@charter/ir";

export const TARGETS = { rego: emitRego } as const satisfies Record<
  string,
  (policies: readonly Policy[]) => ReadonlyMap<string, string>
>;

export type TargetName = keyof typeof TARGETS;

export function parseTargets(value: string): TargetName[] {
  const names = value === "all" ? Object.keys(TARGETS) : value.split(",").map((t) => t.trim());
  for (const name of names) {
    if (!(name in TARGETS)) {
      throw new CharterError(
        `unknown target "${name}"`,
        {},
        `choose from ${Object.keys(TARGETS).join(", ")}`,
      );
    }
  }
  return [...new Set(names)] as TargetName[];
}

export function compileTargets(
  policies: readonly Policy[],
  targets: readonly TargetName[],
): Map<string, ReadonlyMap<string, string>> {
  return new Map(targets.map((target) => [target, TARGETS[target](policies)]));
}
