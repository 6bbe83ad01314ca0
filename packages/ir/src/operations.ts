/**
 * Admission operations: which requests a policy judges (IR semantics, item 17 of the README).
 *
 * A policy judges a request whose operation its `match.operations` lists; absent means
 * CREATE and UPDATE, what every policy judged before policies could say. Offline (`charter
 * check`, a scan) every object is judged as a CREATE with no old object; a test case may state
 * another operation.
 *
 * On a DELETE the judged object is the object being deleted (the request's `oldObject`): the
 * `object`, `pod` and `containers` roots, the kind, namespace and label filters all read it, as
 * Gatekeeper hands it to its templates. CEL targets say the same with
 * `request.operation == "DELETE" ? oldObject : object`.
 *
 * CONNECT is not a policy operation: its object is a connect-options object (PodExecOptions…),
 * not the resource a policy's kinds name, so no policy asks for it and admission allows it.
 */
export const OPERATIONS = ["CREATE", "UPDATE", "DELETE"] as const;

export type Operation = (typeof OPERATIONS)[number];

/** What a policy judges when its match does not say: creates and updates. */
export const DEFAULT_OPERATIONS: readonly Operation[] = ["CREATE", "UPDATE"];

/** What these functions read of a Match (typed so, policy.ts imports this file). */
interface Operations {
  readonly operations?: readonly Operation[];
}

/** The operations a match judges, in OPERATIONS order. */
export function operationsOf(match: Operations): readonly Operation[] {
  const listed = match.operations ?? DEFAULT_OPERATIONS;
  return OPERATIONS.filter((operation) => listed.includes(operation));
}

/** Whether a policy with this match judges requests of `operation`. */
export function judgesOperation(match: Operations, operation: string): boolean {
  return operationsOf(match).some((listed) => listed === operation);
}
