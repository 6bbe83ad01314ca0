/**
 * The caches keep objects as `charter check --cluster` reads them (cluster/stored-object.ts):
 * without `metadata.managedFields`, often most of an object's size. The type checker lets an
 * `inventory(…)` element's path name `metadata.managedFields` (ObjectMeta has it), so such a
 * policy would read "missing" from the caches where the stored object has the field. Rather
 * than judge it on a field they do not keep, the caches refuse it when they start.
 *
 * The test is deliberately coarse, so it cannot be dodged: a policy that lists other objects
 * and mentions `managedFields` anywhere in its rules or parameter values (a path, a key looked
 * up at run time) is refused. `keys(np.metadata)` still sees the field absent — as
 * `check --cluster` does. The `namespace` root never holds it (the API server's
 * namespaceObject does not; the type checker refuses the path), so reading the Namespace alone
 * is never refused.
 */
import { CharterError, listsInventory, type Policy } from "@charter/ir";

const FIELD = "managedFields";

/** True when the policy lists other objects and could read their managedFields. */
export function readsCachedManagedFields(policy: Policy): boolean {
  if (!listsInventory(policy)) return false;
  return JSON.stringify([policy.rules, policy.parameters.values]).includes(FIELD);
}

/** Throws, naming them, when any policy would read a field the caches drop. */
export function refusePoliciesReadingManagedFields(policies: readonly Policy[]): void {
  const refused = policies.filter(readsCachedManagedFields).map((policy) => policy.name);
  if (refused.length === 0) return;
  throw new CharterError(
    `the webhook cannot judge ${refused.join(", ")}: ${refused.length === 1 ? "it reads" : "they read"} metadata.managedFields of other objects, which Charter's watch caches do not keep (as charter check --cluster does not); remove that read from the policy`,
  );
}
