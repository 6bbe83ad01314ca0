// The WASM engine: the emitted Rego compiled by `opa build -t wasm` (@charter/compiler's
// buildWasm), judged by opa-wasm.
export { createWasmEngine, WASM_ENGINE_ENTRYPOINT, type WasmEngineOptions } from "./engine.js";
export { HOST_BUILTINS, loadCompiledPolicy } from "./host-builtins.js";
