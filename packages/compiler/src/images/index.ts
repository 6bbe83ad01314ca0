export { digestRule, imageSelected, requirementNames } from "./image-rule-ir.js";
export { GATEKEEPER_NO_REGISTRY, NO_REGISTRY, refuseImageRules } from "./refuse-image-rules.js";
