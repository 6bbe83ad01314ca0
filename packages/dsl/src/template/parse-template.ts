/**
 * The only entry point to the template parser. A tagged template's raw parts are lexed one by
 * one and a `Hole` token stands for each `${…}` between them, so an interpolated value can never
 * become source text. Tokens carry their positions in the author's .ts file. The tokens and
 * the tree are cached per call site (its TemplateStringsArray); lowering runs per call, since
 * the interpolated values differ.
 */
import { CharterError, type ErrorLocation } from "@charter/ir";
import { type CstNode, createTokenInstance, type IToken } from "chevrotain";
import type { CallSite } from "../callsite.js";
import { templatePartStarts } from "./locate-template.js";
import { conditionParser } from "./parser.js";
import { conditionLexer, Hole } from "./tokens.js";
import { unknownFunctionError } from "./unknown-function.js";

export interface ParsedTemplate {
  readonly cst: CstNode;
  /** Where each `${…}` was written, by interpolation index. */
  readonly holes: readonly ErrorLocation[];
  readonly file?: string;
}

type Start = { line: number; column: number };

/** The position just after `text` when it starts at `start`. */
function advance(start: Start, text: string): Start {
  const lines = text.split("\n");
  if (lines.length === 1) return { line: start.line, column: start.column + text.length };
  return { line: start.line + lines.length - 1, column: (lines.at(-1) as string).length + 1 };
}

/** Moves a token from part coordinates (1-based within the part) to file coordinates. */
function place(token: IToken, start: Start): void {
  const move = (line: number | undefined, column: number | undefined): Start => {
    const l = line ?? 1;
    const c = column ?? 1;
    return l === 1
      ? { line: start.line, column: start.column + c - 1 }
      : { line: start.line + l - 1, column: c };
  };
  const from = move(token.startLine, token.startColumn);
  const to = move(token.endLine, token.endColumn);
  token.startLine = from.line;
  token.startColumn = from.column;
  token.endLine = to.line;
  token.endColumn = to.column;
}

/** Part starts relative to the template (line 1, column 1), counting `${…}` as 3 characters. */
function relativeStarts(raw: readonly string[]): Start[] {
  const starts: Start[] = [];
  let at: Start = { line: 1, column: 1 };
  for (const part of raw) {
    starts.push(at);
    at = advance(at, part);
    at = { line: at.line, column: at.column + 3 };
  }
  return starts;
}

export type Rule = "condition" | "hole";

/**
 * Lexes and parses template parts (raw text). `site` is where the template starts; without
 * it positions are relative to the template (line 1, column 1 at its first character).
 */
export function parseParts(
  raw: readonly string[],
  rule: Rule,
  site?: CallSite,
  startsAt?: Start[],
): ParsedTemplate {
  const starts = startsAt ?? (site ? templatePartStarts(site, raw) : relativeStarts(raw));
  const file = site?.file;
  const tokens: IToken[] = [];
  const holes: ErrorLocation[] = [];
  for (const [index, part] of raw.entries()) {
    const start = starts[index] as Start;
    const lexed = conditionLexer.tokenize(part);
    const [lexError] = lexed.errors;
    if (lexError) {
      const at =
        lexError.line === 1
          ? { line: start.line, column: start.column + (lexError.column ?? 1) - 1 }
          : { line: start.line + (lexError.line ?? 1) - 1, column: lexError.column ?? 1 };
      throw lexicalError(part.slice(lexError.offset), { file, ...at });
    }
    for (const token of lexed.tokens) {
      place(token, start);
      tokens.push(token);
    }
    if (index < raw.length - 1) {
      const at = advance(start, part);
      holes.push({ file, ...at });
      const hole = createTokenInstance(
        Hole,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the text names an interpolation
        "${…}",
        0,
        0,
        at.line,
        at.line,
        at.column,
        at.column + 1,
      );
      hole.payload = index;
      tokens.push(hole);
    }
  }
  conditionParser.input = tokens;
  const cst = rule === "condition" ? conditionParser.condition() : conditionParser.hole();
  const [syntaxError] = conditionParser.errors;
  if (syntaxError) {
    const token = syntaxError.token;
    const call = unknownFunctionError(tokens, token, (at) => ({
      file,
      line: at.startLine,
      column: at.startColumn,
    }));
    if (call) throw call;
    const found =
      Number.isNaN(token.startOffset) || token.startLine === undefined
        ? endOf(starts, raw)
        : { line: token.startLine, column: token.startColumn ?? 1 };
    throw new CharterError(
      syntaxError.message,
      { file, ...found },
      hintFor(syntaxError.message, token),
    );
  }
  return { cst, holes, ...(file ? { file } : {}) };
}

/** Where the template ends (an error "found the end of the condition" points there). */
function endOf(starts: Start[], raw: readonly string[]): Start {
  const last = raw.length - 1;
  return advance(starts[last] as Start, raw[last] as string);
}

function hintFor(message: string, token: IToken): string | undefined {
  if (
    /^(==|!=|<=?|>=?|in|startsWith|endsWith|contains|matches|glob)$/.test(token.image) &&
    message.includes("end of the condition")
  ) {
    return "comparisons do not chain: combine them with `and`";
  }
  return undefined;
}

function lexicalError(rest: string, at: ErrorLocation): CharterError {
  const char = rest[0] ?? "";
  if (char === '"' || char === "'") {
    return new CharterError(
      "unterminated string",
      at,
      `close the string with ${char} on the same line`,
    );
  }
  const words: Record<string, string> = { "&&": "and", "||": "or", "!": "not", "=": "==" };
  for (const [symbol, word] of Object.entries(words)) {
    if (rest.startsWith(symbol)) {
      return new CharterError(`unexpected '${symbol}'`, at, `write \`${word}\``);
    }
  }
  return new CharterError(`unexpected character '${char}'`, at);
}

const cache = new WeakMap<TemplateStringsArray, ParsedTemplate>();

/** Parses a tagged template's condition, once per call site. */
export function parseTemplate(
  strings: TemplateStringsArray,
  site: CallSite | undefined,
): ParsedTemplate {
  let parsed = cache.get(strings);
  if (!parsed) {
    parsed = parseParts(strings.raw, "condition", site);
    cache.set(strings, parsed);
  }
  return parsed;
}
