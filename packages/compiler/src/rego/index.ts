export { emitRego } from "./emit-rego.js";
export { escapeRego, regoString } from "./escape.js";
export { globToRegex } from "./glob.js";
export { regoPackageName, regoPackageRef, regoPackageSegment, regoPolicyPath } from "./names.js";
