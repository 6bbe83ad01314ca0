/**
 * docs/capabilities.md's table of targets and their minimum engine versions, written from the
 * descriptors (targets.test.ts fails when the page says otherwise).
 */
import { engineVersionText } from "./engine-versions.js";
import type { TargetDescriptor, TargetVariant } from "./target-descriptor.js";
import { TARGET_NAMES, TARGETS } from "./targets.js";

/** `` `gatekeeper` (`--gatekeeper-engine rego`, default) ``, `` `kyverno` (default) ``, `` `vap` ``. */
function variantName(target: TargetDescriptor, variant: TargetVariant): string {
  const name = `\`${target.name}\``;
  if (variant !== target.variants[0]) return `${name} (\`${variant.option}\`)`;
  if (variant.option !== undefined) return `${name} (\`${variant.option}\`, default)`;
  return target.variants.length > 1 ? `${name} (default)` : name;
}

/** The table in markdown, one row per variant, each line ending in a newline. */
export function versionTable(): string {
  const rows = TARGET_NAMES.flatMap((name) => {
    const target = TARGETS[name];
    return target.variants.map(
      (variant) =>
        `| ${variantName(target, variant)} | ${variant.emitted} | ${engineVersionText(variant.minimum)} |\n`,
    );
  });
  return ["| target | emitted | minimum |\n", "| --- | --- | --- |\n", ...rows].join("");
}
