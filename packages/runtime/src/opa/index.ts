// The real-OPA engine: the emitted Rego judged by the `opa` binary.
export { createOpaEngine, type OpaEngineOptions } from "./engine.js";
export { type FindOpaOptions, findOpa } from "./find.js";
