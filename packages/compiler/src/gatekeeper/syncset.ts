/**
 * The SyncSet (`syncset.gatekeeper.sh/v1alpha1`, Gatekeeper ≥ 3.15) a cross-resource policy
 * needs: Gatekeeper's Rego reads other objects only from `data.inventory`, which holds only
 * the kinds a SyncSet (or the Config resource) lists. Without it a rule reading the Namespace
 * never denies and `inventory(…)` lists are empty, so the template ships with its SyncSet.
 * Only the Rego engine reads `data.inventory`.
 */
import { groupOf, inventoryKinds, type JsonObject, type Policy } from "@charter/ir";
import { gatekeeperTemplateName } from "./names.js";

/** `apps/v1` → `v1`; `v1` → `v1`. */
function versionOf(apiVersion: string): string {
  return apiVersion.slice(apiVersion.indexOf("/") + 1);
}

/** The SyncSet of a policy, or undefined when it reads nothing beyond the object. */
export function syncSet(policy: Policy): JsonObject | undefined {
  const kinds = inventoryKinds(policy);
  if (kinds.length === 0) return undefined;
  const listed = kinds.map((kind) => `${kind.apiVersion} ${kind.kind}`).join(", ");
  return {
    apiVersion: "syncset.gatekeeper.sh/v1alpha1",
    kind: "SyncSet",
    metadata: {
      name: gatekeeperTemplateName(policy),
      annotations: {
        "charter.dev/policy": policy.name,
        "charter.dev/why": `the Charter policy "${policy.name}" reads ${listed} from data.inventory; Gatekeeper syncs only the kinds a SyncSet or its Config lists`,
      },
    },
    spec: {
      gvks: kinds.map((kind) => ({
        group: groupOf(kind.apiVersion),
        version: versionOf(kind.apiVersion),
        kind: kind.kind,
      })),
    },
  };
}
