/**
 * `CHARTER_TIMINGS=1`: how long a run took to reach each stage, in milliseconds since the process
 * started (Node's own start-up included), one line on stderr at the end. `pnpm bench` reads it
 * for the start-up profile in docs/benchmarks.md.
 */
const marks: [string, number][] = [];
// Read once: `mark` runs for every finding of a scan, and process.env is no plain object.
const ON = Boolean(process.env.CHARTER_TIMINGS);

/** Notes that the run reached `stage` (only the first time). */
export function mark(stage: string): void {
  if (!ON || marks.some(([name]) => name === stage)) return;
  marks.push([stage, performance.now()]);
}

/** The line to print, or undefined when timings are off. */
export function timingsLine(): string | undefined {
  if (!ON) return undefined;
  mark("done");
  return `timings (ms): ${marks.map(([name, ms]) => `${name} ${ms.toFixed(1)}`).join(", ")}`;
}
