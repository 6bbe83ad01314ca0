import type { PolicyException } from "@charter/ir";
import type { Evaluator } from "./ir-engine/evaluator.js";

/** Exceptions to apply, and the clock they expire by (milliseconds since the epoch). */
export interface ExceptionsInForce {
  readonly exceptions: readonly PolicyException[];
  readonly now: number;
}

/** What every engine is made with besides the policies. */
export interface EngineSettings extends ExceptionsInForce {
  /**
   * The policy set's system namespaces (packages/ir/src/system-namespaces.ts): every engine
   * gives their objects skip rows, the Rego ones through the emitted Rego and Constraints.
   * None by default: policy cases and conformance suites are judged without them.
   */
  readonly systemNamespaces?: readonly string[];
  /** How the `ir` engine evaluates rules (closures by default); other engines ignore it. */
  readonly evaluator?: Evaluator;
}
