/**
 * The Kyverno policy kinds Charter emits. Its own file because both the policy emitter and the
 * exception emitter need it, and neither should import the other for it.
 */
export type KyvernoApi = "validatingpolicy" | "clusterpolicy";

export const KYVERNO_APIS: readonly KyvernoApi[] = ["validatingpolicy", "clusterpolicy"];
