// The wasm target: the emitted Rego compiled by `opa build -t wasm` (the runtime evaluates it).
export { type BuildWasmOptions, buildWasm, type WasmBuild } from "./build-wasm.js";
export { emitWasm, WASM_AGGREGATE_ENTRYPOINT, wasmEntrypoints } from "./emit-wasm.js";
export { isWasmHostBuiltin, WASM_HOST_BUILTINS, type WasmHostBuiltin } from "./host-builtins.js";
