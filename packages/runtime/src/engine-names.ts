/** The engines by the name `--engine` gives them (engine-factory.ts makes them). */
export const ENGINE_NAMES = [
  "ir",
  "opa",
  "wasm",
  "gatekeeper",
  "kyverno-cel",
  "vap-cel",
  "cel-judge",
] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];
