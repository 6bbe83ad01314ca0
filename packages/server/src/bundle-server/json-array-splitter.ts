/**
 * Splits a JSON array arriving in pieces of UTF-8 bytes into the bytes of its elements, so an
 * upload is decoded one event at a time and never held whole. It only finds the boundaries
 * (strings, escapes, nesting: all ASCII, and UTF-8 never uses ASCII bytes inside a multi-byte
 * character, so pieces may be cut anywhere). Each element is then validated by JSON.parse, so
 * what is accepted is exactly what JSON.parse accepts of the whole array. What it holds of an
 * unfinished element is copied out of the input pieces (off the V8 heap, and never pinning a
 * larger chunk than it needs).
 */

/** The body is not one JSON array (or not valid JSON at all). */
export class NotAnArrayError extends Error {}
/** One element is larger than the splitter may hold. */
export class ElementTooLargeError extends Error {}

export interface ArraySplitter {
  /** Feeds the next piece; calls `onElement` for each element it completes. */
  write(bytes: Buffer): void;
  /** The bytes of the element still being read (what the splitter holds). */
  held(): number;
  /** The input ended: throws unless it was one whole array. */
  end(): void;
}

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

const isWhitespace = (byte: number) => byte === SPACE || byte === LF || byte === CR || byte === TAB;

export function createArraySplitter(options: {
  readonly onElement: (bytes: Buffer) => void;
  readonly maxElementBytes: number;
}): ArraySplitter {
  let state: "before" | "first" | "element" | "after" = "before";
  let depth = 0;
  let inString = false;
  let escaped = false;
  let pieces: Buffer[] = [];
  let held = 0;

  const tooLarge = () =>
    new ElementTooLargeError(`one element is larger than ${options.maxElementBytes} bytes`);

  const finish = (last: Buffer) => {
    if (held + last.length > options.maxElementBytes) throw tooLarge();
    const whole = pieces.length === 0 ? last : Buffer.concat([...pieces, last]);
    pieces = [];
    held = 0;
    depth = 0;
    options.onElement(whole);
  };

  const write = (bytes: Buffer) => {
    let i = 0;
    let start = 0;
    // The next quote and backslash at or after i, found once per stretch (not per character).
    let nextQuote = -2;
    let nextBackslash = -2;
    while (i < bytes.length) {
      if (state !== "element") {
        const byte = bytes[i] as number;
        if (isWhitespace(byte)) {
          i += 1;
        } else if (state === "before") {
          if (byte !== OPEN_BRACKET) throw new NotAnArrayError("the body is not a JSON array");
          state = "first";
          i += 1;
        } else if (state === "first" && byte === CLOSE_BRACKET) {
          state = "after";
          i += 1;
        } else if (state === "first") {
          state = "element";
          start = i;
        } else {
          throw new NotAnArrayError("the body is not valid JSON: data after the array");
        }
        continue;
      }
      if (inString) {
        if (escaped) {
          escaped = false;
          i += 1;
          continue;
        }
        if (nextQuote !== -1 && nextQuote < i) nextQuote = bytes.indexOf(QUOTE, i);
        if (nextBackslash !== -1 && nextBackslash < i) nextBackslash = bytes.indexOf(BACKSLASH, i);
        if (nextQuote === -1 && nextBackslash === -1) {
          i = bytes.length;
        } else if (nextBackslash !== -1 && (nextQuote === -1 || nextBackslash < nextQuote)) {
          escaped = true;
          i = nextBackslash + 1;
        } else {
          inString = false;
          i = nextQuote + 1;
        }
        continue;
      }
      const byte = bytes[i] as number;
      if (byte === QUOTE) inString = true;
      else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth += 1;
      else if (byte === CLOSE_BRACE) depth -= 1;
      else if (byte === CLOSE_BRACKET && depth !== 0) depth -= 1;
      else if ((byte === CLOSE_BRACKET || byte === COMMA) && depth === 0) {
        finish(bytes.subarray(start, i));
        state = byte === CLOSE_BRACKET ? "after" : "element";
        start = i + 1;
      }
      i += 1;
    }
    if (state === "element" && start < bytes.length) {
      const rest = Buffer.from(bytes.subarray(start));
      held += rest.length;
      if (held > options.maxElementBytes) throw tooLarge();
      pieces.push(rest);
    }
  };

  return {
    write,
    held: () => held,
    end() {
      if (state === "before") throw new NotAnArrayError("the body is not valid JSON: it is empty");
      if (state !== "after") {
        throw new NotAnArrayError("the body is not valid JSON: it ends inside the array");
      }
    },
  };
}
