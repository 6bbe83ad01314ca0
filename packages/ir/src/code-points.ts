/**
 * Strings ordered and measured by Unicode code point, as Go (OPA) and CEL see them: the
 * compiler sorts `keys` literals with this order and the runtime evaluates `<` and `len` with
 * it, so both must be the same function.
 */

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/**
 * Orders two strings by Unicode code point, as Go (OPA) and CEL do. JavaScript's `<` compares
 * UTF-16 code units, which puts U+FFFF above U+1F600; this does not.
 * Returns a negative number, zero or a positive number. It walks UTF-16 units without
 * allocating (the runtime sorts and compares with it on every evaluation); the compiler's
 * former copy, arrays of code points, is the reference its tests compare it with.
 */
export function compareCodePoints(a: string, b: string): number {
  const shorter = Math.min(a.length, b.length);
  let i = 0;
  while (i < shorter && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === shorter) return a.length - b.length;
  // The first difference may be the low half of a pair whose high half both share: compare
  // the whole code points starting at that shared high half.
  if (
    i > 0 &&
    isHighSurrogate(a.charCodeAt(i - 1)) &&
    (isLowSurrogate(a.charCodeAt(i)) || isLowSurrogate(b.charCodeAt(i)))
  ) {
    i--;
  }
  return (a.codePointAt(i) as number) - (b.codePointAt(i) as number);
}

/** The number of code points of a string (a lone surrogate counts as one). */
export function codePointLength(s: string): number {
  let count = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    if (isHighSurrogate(s.charCodeAt(i))) {
      if (isLowSurrogate(s.charCodeAt(i + 1))) {
        count--;
        i++;
      }
    }
  }
  return count;
}
