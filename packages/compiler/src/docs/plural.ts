/** `1 policy`, `2 policies`, `0 checks`: a count and its noun, in the number the count needs. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

/** The one irregular noun the CLI counts. */
export const policies = (n: number): string => count(n, "policy", "policies");
