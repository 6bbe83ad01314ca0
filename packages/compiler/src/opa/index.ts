// Running the `opa` binary: `opa build` here, `opa eval` in the runtime's engines.
export { OpaError, runOpa } from "./run-opa.js";
export { writeTree } from "./write-tree.js";
