/** The one way every engine writes a report row, so rows differ only in what was judged. */
import type { Policy } from "@charter/ir";
import type { Finding, Resource, ResourceIdentity, Result } from "./types.js";

/** The policy and the resource a row is about. */
export interface FindingSubject {
  readonly policy: Policy;
  readonly resource: Resource;
  readonly identity: ResourceIdentity;
  readonly resourceIndex: number;
}

/** A row for one rule: `message` is the first of `messages` (document order), or "". */
export function findingOf(
  { policy, resource, identity, resourceIndex }: FindingSubject,
  rule: string,
  result: Result,
  messages: readonly string[],
): Finding {
  // One object, `source` assigned last rather than spread: this runs once per row of a scan.
  const finding: { -readonly [K in keyof Finding]: Finding[K] } = {
    policy: policy.name,
    rule,
    result,
    message: messages[0] ?? "",
    messages,
    severity: policy.severity,
    enforcement: policy.enforcement,
    resource: identity,
    resourceIndex,
  };
  if (resource.source !== undefined) finding.source = resource.source;
  return finding;
}
