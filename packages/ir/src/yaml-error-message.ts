/**
 * A YAML parse error in the user's terms: the line they must change and what is wrong there,
 * in plain words. The yaml package reports where it noticed the problem, in its grammar's
 * words ("Nested mappings are not allowed in compact mappings" on the line *before* a key
 * indented too far; "Missing closing quote" at the end of the file). The common mistakes are
 * recognised from its error code and the text around the position; anything else keeps the
 * parser's own words. The parser's text always travels along as `detail`.
 *
 * Recognised: a key indented deeper or shallower than its siblings, a `key: value` on the line
 * of another key's value, a tab in the indentation, an unclosed quote, `[` or `{`, a
 * `key:value` without a space, a list item at the wrong indentation.
 */

export interface YamlErrorInput {
  /** The yaml package's error code (`BAD_INDENT`, `TAB_AS_INDENT`, …). */
  readonly code: string;
  /** The yaml package's message (its first line is used). */
  readonly message: string;
  /** Where the parser noticed it: an offset into `text`. */
  readonly offset: number;
}

export interface YamlErrorExplained {
  /** Offset in the text of the place to change. */
  readonly offset: number;
  readonly message: string;
  /** The parser's own words, without its position and code frame. */
  readonly detail: string;
}

/** The parser's first line without the ` at line L, column C:` it appends. */
export function parserWords(message: string): string {
  const head = message.split("\n", 1)[0] ?? message;
  return head.replace(/ at line \d+, column \d+:?$/, "").trim();
}

interface Line {
  readonly start: number;
  readonly text: string;
  /** 1-based line number within the text. */
  readonly number: number;
}

function linesOf(text: string): Line[] {
  const out: Line[] = [];
  let start = 0;
  let number = 1;
  for (const text_ of text.split("\n")) {
    out.push({ start, text: text_.replace(/\r$/, ""), number });
    start += text_.length + 1;
    number++;
  }
  return out;
}

function lineAt(lines: readonly Line[], offset: number): Line {
  let found = lines[0] as Line;
  for (const line of lines) {
    if (line.start > offset) break;
    found = line;
  }
  return found;
}

const isBlank = (line: Line) => /^\s*(#.*)?$/.test(line.text);

/** The column (1-based) where the line's key starts, past its indentation and `- ` markers. */
function keyColumn(line: Line): number {
  const match = /^[ ]*(?:-[ ]+)*/.exec(line.text);
  return (match?.[0].length ?? 0) + 1;
}

/** The key the line starts with (`name` of `  name: web`), if it is a `key:` line. */
function keyOf(line: Line): string | undefined {
  return /^[ ]*(?:-[ ]+)*([^\s:#][^:#]*?):(?:\s|$)/.exec(line.text)?.[1];
}

/** The nearest line above, not blank or a comment. */
function previousContent(lines: readonly Line[], line: Line): Line | undefined {
  for (let i = line.number - 2; i >= 0; i--) {
    const candidate = lines[i] as Line;
    if (!isBlank(candidate)) return candidate;
  }
  return undefined;
}

/** `line N` as a message names it, in the file the text was cut from. */
type Name = (line: Line) => string;

/** The rest of a quoted string up to and with its closing quote (`\"` and `''` are escapes). */
const CLOSES: Record<string, RegExp> = { '"': /^(?:[^"\\]|\\.)*"/, "'": /^(?:[^']|'')*'/ };

function quoteStart(
  lines: readonly Line[],
  before: number,
): { line: Line; column: number; quote: string } | undefined {
  // The first quote that opens a value (after `: `, `- `, `[`, `{`, `,` or at a line's start)
  // and is not closed on its line.
  for (const line of lines) {
    if (line.start > before) break;
    if (isBlank(line)) continue; // a quote in a comment opens nothing
    const opener = /(^|[:\-[{,]\s+|^\s*)(["'])/g;
    for (let match = opener.exec(line.text); match; match = opener.exec(line.text)) {
      const quote = match[2] as string;
      const at = match.index + (match[1]?.length ?? 0);
      const closed = CLOSES[quote]?.exec(line.text.slice(at + 1));
      if (!closed) return { line, column: at + 1, quote };
      // Skip past the closed string before looking for the next opener.
      opener.lastIndex = at + 1 + closed[0].length;
    }
  }
  return undefined;
}

/** The line after the opening one where a quoted string that did not close on its line closes. */
function closingLine(
  lines: readonly Line[],
  start: { line: Line; column: number; quote: string },
): Line | undefined {
  const closes = CLOSES[start.quote] as RegExp;
  for (let i = start.line.number; i < lines.length; i++) {
    const line = lines[i] as Line;
    const closed = closes.exec(line.text);
    // A `key: "` before the quote is the next value opening: the string never closed.
    if (closed) return /:\s/.test(closed[0]) ? undefined : line;
  }
  return undefined;
}

/** The offset of the outermost `[` (or `{`) still open at `before`. */
function unclosedFlow(text: string, before: number, open: "[" | "{"): number | undefined {
  const stack: number[] = [];
  let quote: string | undefined;
  let comment = false;
  for (let i = 0; i < before && i < text.length; i++) {
    const char = text[i];
    if (char === "\n") comment = false;
    if (comment) continue;
    if (quote !== undefined) {
      if (quote === '"' && char === "\\") i++;
      else if (char === quote) quote = undefined;
      continue;
    }
    if (char === "#" && (i === 0 || /\s/.test(text[i - 1] ?? ""))) comment = true;
    else if ((char === '"' || char === "'") && /[\s[{,:]/.test(text[i - 1] ?? " ")) quote = char;
    else if (char === "[" || char === "{") stack.push(i);
    else if (char === "]" || char === "}") stack.pop();
  }
  // The outermost unclosed collection of this kind is where the user opened it.
  return stack.find((at) => text[at] === open) ?? stack[0];
}

/**
 * The error in plain words. `name` names a line as the user sees it (`line 5`): the text may
 * be one document cut from a longer file.
 */
export function explainYamlError(
  error: YamlErrorInput,
  text: string,
  name: Name,
): YamlErrorExplained {
  const detail = parserWords(error.message);
  const lines = linesOf(text);
  const here = lineAt(lines, error.offset);
  const plain = (offset: number, message: string) => ({ offset, message, detail });

  switch (error.code) {
    case "TAB_AS_INDENT": {
      const tab = here.text.indexOf("\t");
      return plain(
        here.start + Math.max(tab, 0),
        `${name(here)} is indented with a tab: YAML allows only spaces in indentation; replace the tab with spaces`,
      );
    }
    case "MISSING_CHAR": {
      if (/closing ["']?quote/i.test(detail)) {
        const start = quoteStart(lines, error.offset);
        const closing = start && closingLine(lines, start);
        if (start && closing) {
          // Closed further down: YAML wants the lines a quoted string continues on indented
          // further than its key (go-yaml is laxer; the loader follows YAML here).
          return plain(
            closing.start,
            `the ${start.quote}…${start.quote} string opened on ${name(start.line)} goes on to ${name(closing)}, which is not indented further than its key: indent the continued line, or keep the string on one line`,
          );
        }
        if (start) {
          return plain(
            start.line.start + start.column - 1,
            `the ${start.quote}…${start.quote} string opened on ${name(start.line)} (column ${start.column}) is never closed: add the closing ${start.quote} at the end of the value`,
          );
        }
      }
      break;
    }
    case "BAD_INDENT":
    case "BLOCK_AS_IMPLICIT_KEY":
    case "MULTILINE_IMPLICIT_KEY": {
      const flow = /Flow (sequence|map)/.exec(detail);
      if (flow) {
        const open = flow[1] === "sequence" ? "[" : "{";
        const at = unclosedFlow(text, error.offset, open);
        if (at !== undefined) {
          const line = lineAt(lines, at);
          const close = open === "[" ? "]" : "}";
          return plain(
            at,
            `the ${open} opened on ${name(line)} (column ${at - line.start + 1}) is never closed: add ${close} at the end of its ${open === "[" ? "list" : "mapping"}`,
          );
        }
        break;
      }
      const noSpace = /^[ ]*(?:-[ ]+)*([^\s:#"'[{][^:\s#]*):([^\s:][^\s]*)/.exec(here.text);
      if (error.code === "MULTILINE_IMPLICIT_KEY" && noSpace) {
        const [, key, value] = noSpace;
        return plain(
          here.start + here.text.indexOf(`${key}:`) + (key?.length ?? 0),
          `\`${key}:${value}\` has no space after the colon, so YAML does not read it as a key: write \`${key}: ${value}\``,
        );
      }
      if (/sequence items|block sequence may not be used/i.test(detail)) {
        const item = listItem(lines, here, name);
        return item
          ? plain(item.offset, item.message)
          : plain(error.offset, `YAML does not parse: ${detail}`);
      }
      if (/Nested mappings/i.test(detail)) return nestedMapping(lines, error.offset, name, detail);
      if (/mapping items must start at the same column/i.test(detail)) {
        const line = here;
        const key = keyOf(line);
        const before = previousContent(lines, line);
        const column = keyColumn(line);
        const expected = before ? keyColumn(before) : undefined;
        const what = key ? `\`${key}:\`` : "this line";
        return plain(
          line.start + column - 1,
          `${name(line)} is not indented like the keys around it: ${what} starts at column ${column}${expected !== undefined && expected !== column ? `, the key above it at column ${expected}` : ""}; keys of one mapping must start at the same column (a nested one further right)`,
        );
      }
      break;
    }
  }
  return plain(error.offset, `YAML does not parse: ${detail}`);
}

/** A `key: value` the parser found inside another value: on the same line, or indented under it. */
function nestedMapping(lines: readonly Line[], offset: number, name: Name, detail: string) {
  const here = lineAt(lines, offset);
  // The mapping indicator after the value's start: on this line, or on a continuation line.
  const sameLine =
    /:\s/.test(here.text.slice(offset - here.start)) ||
    /:$/.test(here.text.slice(offset - here.start));
  if (sameLine) {
    const key = keyOf(here);
    return {
      offset,
      message: `${name(here)} has a second \`key: value\` after ${key ? `\`${key}:\`` : "a key"} on the same line: put it on a line of its own, indented under ${key ? `\`${key}:\`` : "its key"}`,
      detail,
    };
  }
  for (let i = here.number; i < lines.length; i++) {
    const line = lines[i] as Line;
    if (isBlank(line)) continue;
    const key = keyOf(line);
    const column = keyColumn(line);
    const expected = keyColumn(here);
    return {
      offset: line.start + column - 1,
      message: `${name(line)} is indented further than the key above it: ${key ? `\`${key}:\`` : "it"} starts at column ${column}, \`${keyOf(here) ?? "the key"}:\` on ${name(here)} at column ${expected}; indent both alike, or give \`${keyOf(here) ?? "that key"}:\` no value on its line to nest under it`,
      detail,
    };
  }
  return { offset, message: `YAML does not parse: ${detail}`, detail };
}

/** A `- item` whose dash is not in the column of the items before it. */
function listItem(lines: readonly Line[], here: Line, name: Name) {
  const dash = (line: Line) => /^([ ]*)-(\s|$)/.exec(line.text);
  // The line the parser stopped at, or the next `-` line (it may stop at the line's start).
  let line = here;
  for (let i = here.number - 1; i < lines.length && !dash(line); i++) line = lines[i] as Line;
  const own = dash(line);
  if (!own) return undefined;
  const column = (own[1]?.length ?? 0) + 1;
  for (let i = line.number - 2; i >= 0; i--) {
    const other = dash(lines[i] as Line);
    if (other && (other[1]?.length ?? 0) + 1 !== column) {
      const expected = (other[1]?.length ?? 0) + 1;
      return {
        offset: line.start + column - 1,
        message: `the list item on ${name(line)} starts at column ${column}, the items before it at column ${expected}: the \`-\` of every item of one list must be in the same column`,
      };
    }
  }
  return undefined;
}
