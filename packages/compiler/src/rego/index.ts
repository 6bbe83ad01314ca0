export { emitRego } from "./emit-rego.js";
export { regoString } from "./escape.js";
export { emitLib, type LibOptions } from "./lib.js";
export { regoPackageName, regoPackageRef, regoPackageSegment, regoPolicyPath } from "./names.js";
export { emitPolicy, type PolicyOptions } from "./policy-emitter.js";
export { regoTerm } from "./terms.js";
