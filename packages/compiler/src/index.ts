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
