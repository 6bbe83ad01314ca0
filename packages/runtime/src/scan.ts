/**
 * `@charter/runtime/scan`: reading manifests and judging them on the IR engine, and nothing
 * else. The package's main entry also loads every other engine (a Rego compiler, CEL, a
 * WebAssembly runtime): half a second a `charter check` on the IR engine need not pay.
 */
export { ENGINE_NAMES, type EngineName } from "./engine-names.js";
export type { EngineSettings, ExceptionsInForce } from "./engine-settings.js";
export { expiringWithin, inForce } from "./exceptions/index.js";
export { identityOf } from "./identity.js";
export type { ImageContext } from "./images/image-context.js";
export { NOT_VERIFIED, podImages } from "./images/judge-images.js";
export { applyApiServerDefaults } from "./input/api-server-defaults.js";
export {
  type LoadEvent,
  type LoadProblem,
  loadResources,
  type SkippedDocument,
  streamResources,
} from "./input/load.js";
export { firstPassFilter } from "./inventory/first-pass-filter.js";
export { inventoryKindsOf } from "./inventory/judged-with.js";
export { EVALUATORS, type Evaluator, isEvaluator } from "./ir-engine/evaluator.js";
export { createIrScanEngine } from "./ir-engine/ir-engine-of.js";
export { podView } from "./match.js";
export { type ScanEvent, scanResources } from "./scan-resources.js";
export type { Engine, Finding } from "./types.js";
