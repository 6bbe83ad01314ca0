/**
 * The first two arguments of `inventory(apiVersion, kind[, namespace])`, checked the same way
 * for the template and the builder, with the shapes the IR schema accepts
 * (packages/ir/src/schema.ts), so a policy that lowers is a policy the schema takes.
 */
import { CharterError, type ErrorLocation } from "@charter/ir";

const API_VERSION = /^([a-z0-9.-]+\/)?v[0-9a-z]+$/;
const KIND = /^[A-Z][A-Za-z0-9]*$/;

const EXAMPLE =
  'write e.g. inventory("networking.k8s.io/v1", "NetworkPolicy", object.metadata.namespace) or inventory("v1", "Namespace")';

/** Throws when `apiVersion` or `kind` is not what the API server calls a kind. */
export function checkInventoryKind(
  apiVersion: string,
  kind: string,
  at: { apiVersion: ErrorLocation; kind: ErrorLocation },
): void {
  if (!API_VERSION.test(apiVersion)) {
    const slash = apiVersion.lastIndexOf("/");
    const kindInside = slash > 0 && KIND.test(apiVersion.slice(slash + 1));
    throw new CharterError(
      `inventory(): ${JSON.stringify(apiVersion)} is not an apiVersion ("v1", "group/version")`,
      at.apiVersion,
      kindInside
        ? `give the kind as the second argument: inventory(${JSON.stringify(apiVersion.slice(0, slash))}, ${JSON.stringify(apiVersion.slice(slash + 1))}, …)`
        : EXAMPLE,
    );
  }
  if (!KIND.test(kind)) {
    throw new CharterError(
      `inventory(): ${JSON.stringify(kind)} is not a kind (a capitalised name such as "NetworkPolicy", not a resource's plural)`,
      at.kind,
      EXAMPLE,
    );
  }
}
