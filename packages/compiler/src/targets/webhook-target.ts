/**
 * `webhook`: the manifests that deploy Charter's own admission webhook. A build target, but not
 * one of TARGET_NAMES (the IR's, which `excludeTargets` names and `--target all` builds), because
 * it is not a translation of the policies into another engine's language:
 *
 * - `excludeTargets` says which engines cannot or must not judge a policy. The webhook judges
 *   with the IR engine, which expresses every construct, so nothing is ever excluded from it for
 *   what it cannot say; a policy that must not be judged at admission at all already says so by
 *   leaving out every admission target (`isScanOnly`), and the webhook follows that.
 * - It deploys software (an image, a namespace, a failure policy, certificates): a project
 *   chooses to run it, it is not an artifact every build should write. `charter build` and
 *   `--target all` leave it out; `--target webhook` (alone or in a list) builds it into
 *   `DIR/webhook/`, atomically with the others.
 *
 * The manifests are for Charter's minimum Kubernetes (MINIMUM_VERSIONS.kubernetes, 1.32): they use
 * webhook matchConditions (GA in 1.30) and the PodDisruptionBudget's unhealthyPodEvictionPolicy
 * (GA in 1.31).
 */
export const WEBHOOK_TARGET = "webhook";
