/**
 * What a judgement of image rules reads beyond the resource: the facts the registry and the
 * scanners gave about each image (packages/ir README, item 18), and the judging instant.
 */
import type { ImageFacts } from "@charter/ir";

export interface ImageContext {
  /** The judging instant (ms since the epoch): `--now`, or the clock. */
  readonly now: number;
  /**
   * The facts about `reference` (as written) for `policy`'s attestors; undefined when nobody
   * looked — an `error` verdict, as an unreachable registry is.
   */
  facts(policy: string, reference: string): ImageFacts | undefined;
}

/** An ImageContext over a table `policy → reference → facts` (a test case's, a scan's). */
export function imageContextOf(
  table: ReadonlyMap<string, ReadonlyMap<string, ImageFacts>>,
  now: number,
): ImageContext {
  return { now, facts: (policy, reference) => table.get(policy)?.get(reference) };
}
