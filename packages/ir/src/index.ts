export type * from "./expr.js";
export type * from "./json.js";
export type * from "./policy.js";
export { IR_VERSION } from "./policy.js";
export * from "./pod.js";
export * from "./schema.js";
export * from "./visit.js";
export * from "./witness.js";
export * from "./errors.js";
