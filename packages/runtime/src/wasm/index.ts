// The WASM engine: the emitted Rego compiled by `opa build -t wasm`, judged by opa-wasm.
export { type BuildWasmOptions, buildWasm, type WasmBuild } from "./build.js";
export { createWasmEngine, WASM_ENGINE_ENTRYPOINT, type WasmEngineOptions } from "./engine.js";
export { HOST_BUILTINS, loadCompiledPolicy } from "./host-builtins.js";
export { emitWasm, WASM_AGGREGATE_ENTRYPOINT, wasmEntrypoints } from "./target.js";
