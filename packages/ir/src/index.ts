export * from "./errors.js";
export type * from "./expr.js";
export type * from "./json.js";
export * from "./pod.js";
export type * from "./policy.js";
export { IR_VERSION } from "./policy.js";
export * from "./schema.js";
export * from "./visit.js";
export * from "./witness.js";
