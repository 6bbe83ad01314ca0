import type { Cond } from "@charter/dsl";

/** A rule's builder form, and its template form where the library shows one. */
export interface Forms {
  readonly builder: Cond;
  readonly template?: Cond;
}
