export { emitRego } from "./emit-rego.js";
export { escapeRego, regoString } from "./escape.js";
export { globToRegex } from "./glob.js";
export { emitLib, type LibOptions } from "./lib.js";
export { regoPackageName, regoPackageRef, regoPackageSegment, regoPolicyPath } from "./names.js";
export { emitPolicy, type PolicyOptions } from "./policy-emitter.js";
export { regoTerm } from "./terms.js";
