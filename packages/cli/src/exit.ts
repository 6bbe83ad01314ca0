/** Exit codes, the contract CI relies on (docs/cli.md). 2 wins over 1. */
export const EXIT_OK = 0;
/** A `deny` policy failed, a test case failed, engines disagreed, or `build --check` drifted. */
export const EXIT_FAILURE = 1;
/** Usage error, unreadable input, or no Kubernetes object found. */
export const EXIT_USAGE = 2;

export function worst(...codes: number[]): number {
  return codes.includes(EXIT_USAGE) ? EXIT_USAGE : Math.max(EXIT_OK, ...codes);
}
