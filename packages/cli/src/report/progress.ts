/**
 * Progress of a long scan on a terminal: one counter line on stderr, rewritten in place with
 * `\r`, at most every `intervalMs` and only once the scan has run `delayMs` (a short scan never
 * flickers). Nothing at all when stderr is not a TTY, so logs and pipes stay clean; stdout,
 * where the report goes, is never touched.
 */

/** What the loading and evaluating sides call, with the documents read so far. */
export type Progress = (documentsRead: number) => void;

export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

export interface ProgressMeter {
  readonly update: Progress;
  /** Clears the line, before anything else is written to stderr and at the end. */
  readonly clear: () => void;
}

export interface ProgressOptions {
  readonly intervalMs?: number;
  readonly delayMs?: number;
  readonly clock?: () => number;
}

/** A meter on `stream`, or undefined when the stream is not a terminal. */
export function progressMeter(
  stream: ProgressStream,
  { intervalMs = 100, delayMs = 300, clock = Date.now }: ProgressOptions = {},
): ProgressMeter | undefined {
  if (!stream.isTTY) return undefined;
  const started = clock();
  let last = Number.NEGATIVE_INFINITY;
  let shown = false;
  return {
    update(documentsRead) {
      const now = clock();
      if (now - started < delayMs || now - last < intervalMs) return;
      last = now;
      shown = true;
      // `\x1b[K` erases what a longer previous line left to the right.
      stream.write(`\r${documentsRead.toLocaleString("en-US")} documents scanned\x1b[K`);
    },
    clear() {
      if (shown) stream.write("\r\x1b[K");
      shown = false;
    },
  };
}
