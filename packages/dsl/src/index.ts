/** @charter/dsl: what a policy author imports. */

// Binding parameters is the IR's (the CLI binds them without the DSL); authors keep importing
// these from the DSL.
export {
  CharterError,
  type ParamProblem,
  paramPathText,
  paramProblems,
  withParams,
} from "@charter/ir";
export {
  all,
  and,
  any,
  Cond,
  exists,
  inventory,
  isMatchMarker,
  isValue,
  keys,
  kinds,
  len,
  lit,
  type MatchMarker,
  namespaceObject,
  none,
  not,
  type Operand,
  or,
  PodRoot,
  params,
  pod,
  request,
  resource,
  Value,
} from "./builder.js";
export {
  type CaseEntry,
  fromYaml,
  type NamedCase,
  namespaceWith,
  podWith,
  type YamlCases,
} from "./cases.js";
export { type ExceptionSpec, exception } from "./exception.js";
export {
  boolean,
  integer,
  isParamSchema,
  list,
  number,
  object,
  ParamSchema,
  string,
} from "./params.js";
export { CharterErrors, type PolicySpec, policy, type RuleSpec } from "./policy.js";
export { Positions } from "./positions.js";
export { when } from "./when.js";
