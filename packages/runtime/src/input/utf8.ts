/** Checks raw bytes before YAML sees them: text must be UTF-8 and free of NUL bytes. */

const strictDecoder = new TextDecoder("utf-8", { fatal: true });

export type Decoded =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly reason: string; readonly offset: number };

/**
 * Where the first ill-formed UTF-8 sequence starts (Unicode table 3-7: no overlong forms, no
 * surrogates, nothing above U+10FFFF), or -1. Only run after the decoder has refused the bytes,
 * to say where.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b0 = bytes[i] as number;
    if (b0 < 0x80) {
      i++;
      continue;
    }
    let length: number;
    let low = 0x80;
    let high = 0xbf;
    if (b0 >= 0xc2 && b0 <= 0xdf) length = 2;
    else if (b0 >= 0xe0 && b0 <= 0xef) {
      length = 3;
      if (b0 === 0xe0) low = 0xa0;
      if (b0 === 0xed) high = 0x9f;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      length = 4;
      if (b0 === 0xf0) low = 0x90;
      if (b0 === 0xf4) high = 0x8f;
    } else return i;
    if (i + length > bytes.length) return i;
    const b1 = bytes[i + 1] as number;
    if (b1 < low || b1 > high) return i;
    for (let k = 2; k < length; k++) {
      const b = bytes[i + k] as number;
      if (b < 0x80 || b > 0xbf) return i;
    }
    i += length;
  }
  return -1;
}

/** The 1-based line of a byte offset. */
export function lineOfByte(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < bytes.length; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

const lenientDecoder = new TextDecoder("utf-8");

/**
 * The 1-based line and column (in characters, as editors count them) of a byte offset; the
 * bytes before it on its line are decoded leniently, as they may be what is wrong.
 */
export function positionOfByte(
  bytes: Uint8Array,
  offset: number,
): { readonly line: number; readonly column: number } {
  const lineStart = offset > 0 ? bytes.lastIndexOf(0x0a, offset - 1) + 1 : 0;
  const before = lenientDecoder.decode(bytes.subarray(lineStart, offset));
  return { line: lineOfByte(bytes, lineStart), column: [...before].length + 1 };
}

/**
 * Decodes UTF-8 text (a leading byte-order mark is dropped), refusing binary data: a NUL
 * byte (which no YAML or JSON text contains) or bytes that are not UTF-8. `fileOffset` is where
 * the bytes are in their file, so that the reason names the byte the user can look up.
 */
export function decodeText(bytes: Uint8Array, fileOffset = 0): Decoded {
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    return {
      ok: false,
      offset: nul,
      reason: `contains a NUL byte at byte ${fileOffset + nul}: binary data, not YAML or JSON text`,
    };
  }
  try {
    return { ok: true, text: strictDecoder.decode(bytes) };
  } catch {
    const offset = Math.max(0, firstInvalidUtf8(bytes));
    return {
      ok: false,
      offset,
      reason: `is not valid UTF-8 (first bad byte at byte ${fileOffset + offset}); save it as UTF-8 text`,
    };
  }
}
