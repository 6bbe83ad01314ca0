export { celPolicyOf } from "./admission-spec.js";
export { emitVap, type VapOptions, vapBindingName, vapDocuments } from "./emit-vap.js";
export { kindInfo } from "./kinds.js";
export { matchConstraintsOf } from "./match-constraints.js";
export { validationActionsOf } from "./validation-actions.js";
