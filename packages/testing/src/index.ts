/** @charter/testing: unit-test Charter policies from any test runner. */
export {
  ENGINE_NAMES,
  ENGINES_ENV,
  type EngineName,
  type EngineSelection,
} from "./engines.js";
export {
  type ExpectPolicyOptions,
  expectPolicy,
  type FailOptions,
  type PassOptions,
  type PolicyExpectation,
  PolicyExpectationError,
  type VerifyImagesOptions,
} from "./expect-policy.js";
