/** `"apps/v1/Deployment"` → `{group: "apps", kind: "Deployment"}`, for `kinds()` and exceptions. */
import { CharterError, type ErrorLocation, type KindRef } from "@charter/ir";

export function kindRefOf(text: string, what: string, at: ErrorLocation): KindRef {
  const slash = typeof text === "string" ? text.lastIndexOf("/") : -1;
  const apiVersion = slash > 0 ? text.slice(0, slash) : "";
  const kind = slash > 0 ? text.slice(slash + 1) : "";
  if (
    slash <= 0 ||
    !/^[A-Z][A-Za-z0-9]*$/.test(kind) ||
    !/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion)
  ) {
    throw new CharterError(
      `${what}: ${JSON.stringify(text)} is not "apiVersion/Kind"`,
      at,
      'write e.g. "v1/Service" or "apps/v1/Deployment"',
    );
  }
  const slashInVersion = apiVersion.indexOf("/");
  return { group: slashInVersion < 0 ? "" : apiVersion.slice(0, slashInVersion), kind };
}
