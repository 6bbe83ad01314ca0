/**
 * The oldest engine each target variant runs on. Its own file because both the target
 * descriptors and the emitters read it (the Kyverno `minversion` annotation, the reason a
 * Gatekeeper CEL template cannot read the Namespace), and the descriptors import the emitters.
 */
export interface EngineVersion {
  readonly engine: string;
  readonly version: string;
  /** The last version that has what the variant emits, when it has been removed since. */
  readonly until?: string;
}

export const MINIMUM_VERSIONS = {
  opa: { engine: "OPA", version: "1.x (Rego v1)" },
  gatekeeper: { engine: "Gatekeeper", version: "3.19" },
  kyvernoValidatingPolicy: { engine: "Kyverno", version: "1.17" },
  kyvernoClusterPolicy: { engine: "Kyverno", version: "1.13", until: "1.19" },
  kubernetes: { engine: "Kubernetes", version: "1.32" },
} as const satisfies Record<string, EngineVersion>;

/** `Kyverno 1.13–1.19`, `Gatekeeper 3.19`. */
export function engineVersionText({ engine, version, until }: EngineVersion): string {
  return `${engine} ${version}${until ? `–${until}` : ""}`;
}
