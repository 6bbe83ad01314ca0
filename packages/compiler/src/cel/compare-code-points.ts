/** The IR's string order, which CEL and OPA share and JavaScript's `<` does not. */

/** Strings by Unicode code point (JS compares UTF-16 units, which puts astral before U+FFFF). */
export function compareCodePoints(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0) as number);
  const y = Array.from(b, (c) => c.codePointAt(0) as number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  }
  return x.length - y.length;
}
