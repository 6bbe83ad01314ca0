import { CharterError, type Policy } from "@charter/ir";

/** Policies become cluster objects named after them: two with one name would overwrite each other. */
export function checkUniqueNames(policies: readonly Policy[], target: string): void {
  const seen = new Set<string>();
  for (const policy of policies) {
    if (seen.has(policy.name)) {
      throw new CharterError(
        `two policies are named "${policy.name}"; target "${target}" names its objects after the policy: rename one`,
        policy.source ?? {},
      );
    }
    seen.add(policy.name);
  }
}
