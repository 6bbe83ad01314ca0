export {
  emitRego,
  escapeRego,
  globToRegex,
  regoPackageName,
  regoPackageRef,
  regoPackageSegment,
  regoPolicyPath,
  regoString,
} from "./rego/index.js";
export * from "./gatekeeper/index.js";
export * from "./kyverno/index.js";
export * from "./vap/index.js";
