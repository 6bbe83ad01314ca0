/**
 * The Kubernetes admission core every cluster target shares (VAP, Kyverno, Gatekeeper): which
 * kinds and resources a policy matches and how (`kinds.ts`, `match-constraints.ts`, with the
 * label selector written natively), the admission spec VAP and Kyverno's ValidatingPolicy
 * have in common (`admission-spec.ts`, `validation-actions.ts`), the labels and annotations
 * on every emitted document (`metadata.ts`), and the rule that policies become cluster objects
 * named after them (`unique-names.ts`). Nothing here belongs to one target; what does lives in
 * that target's folder.
 */
export { celPolicyOf } from "./admission-spec.js";
export { kindInfo } from "./kinds.js";
export { matchConstraintsOf } from "./match-constraints.js";
export { validationActionsOf } from "./validation-actions.js";
