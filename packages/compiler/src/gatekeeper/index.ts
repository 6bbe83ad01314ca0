export { celSourceFrom, GATEKEEPER_CEL_OPTIONS } from "./cel-source.js";
export {
  constraint,
  constraintTemplate,
  emitGatekeeper,
  GATEKEEPER_TARGET,
  type GatekeeperEngine,
  type GatekeeperOptions,
} from "./emit-gatekeeper.js";
export { constraintMatch, matchedKinds } from "./match.js";
export { gatekeeperKind, gatekeeperTemplateName } from "./names.js";
export {
  GATEKEEPER_LIB_PACKAGE,
  GATEKEEPER_OBJECT,
  gatekeeperLib,
  gatekeeperPackage,
  gatekeeperRego,
} from "./rego-source.js";
export { structuralSchema } from "./schema.js";
export { syncSet } from "./syncset.js";
