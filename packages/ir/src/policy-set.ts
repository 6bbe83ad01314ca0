/**
 * The root of the IR: the policies and the exceptions to them, with the format version. It
 * sits above policy.ts and exception.ts (an exception names a policy's kinds and selectors),
 * so neither of those imports the other's file.
 */
import type { PolicyException } from "./exception.js";
import type { Policy } from "./policy.js";

/** The IR format version, bumped on any incompatible change to these types. */
export const IR_VERSION = 1;

export interface PolicySet {
  readonly irVersion: typeof IR_VERSION;
  readonly policies: readonly Policy[];
  /** Exceptions to the policies (see exception.ts). */
  readonly exceptions?: readonly PolicyException[];
  /**
   * The system namespaces no policy judges (semantics: system-namespaces.ts): objects in them
   * and those Namespaces themselves get `skip` rows on every engine, and every target leaves
   * them out (a VAP binding's namespaceSelector, Kyverno's match, a Constraint's
   * `excludedNamespaces`, `data.charter.systemNamespaces` for Rego). Absent: none. The CLI
   * sets it from charter.config.ts, `DEFAULT_SYSTEM_NAMESPACES` unless the config says.
   */
  readonly systemNamespaces?: readonly string[];
}
