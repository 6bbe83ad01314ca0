// The Gatekeeper engine: the emitted ConstraintTemplates' Rego judged by `opa` in Gatekeeper's input shape.
export { createGatekeeperEngine, type GatekeeperEngineOptions } from "./engine.js";
export { type FindGatorOptions, findGator } from "./find-gator.js";
export { constraintMatches, namespaceGlobMatches } from "./match.js";
export { admissionReview } from "./review.js";
