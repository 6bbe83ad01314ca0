/**
 * The line each entry of `cases.pass` and `cases.fail` starts on in the policy file, so a
 * failing case written in the policy is reported at its own line. Read from the source text
 * after the `policy(` call with a small tokenizer (strings, templates, comments and regular
 * expressions skipped); anything it cannot follow for certain — `cases` given by a variable, a
 * spread element, a count that does not match — gives no lines, and the case is reported at
 * the `policy(…)` line instead.
 */

interface Token {
  readonly kind: "name" | "string" | "punct" | "other";
  readonly text: string;
  readonly start: number;
}

export interface CaseLines {
  readonly pass?: readonly number[];
  readonly fail?: readonly number[];
}

/** The lines of the case entries of the `policy(` call at `offset`, or undefined. */
export function caseLines(text: string, offset: number): CaseLines | undefined {
  let tokens: Token[];
  try {
    tokens = tokenize(text, offset);
  } catch {
    return undefined;
  }
  const open = tokens.findIndex((t) => t.text === "(");
  if (open < 0) return undefined;
  const lineOf = (at: number) => text.slice(0, at).split("\n").length;
  const lines: { pass?: number[]; fail?: number[] } = {};
  let depth = 0;
  let list: "pass" | "fail" | undefined;
  let inCases = false;
  let expectElement = false;
  for (let i = open; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    const next = tokens[i + 1];
    if (depth === 4 && list && expectElement && token.text !== "]") {
      if (token.text === "...") return undefined;
      lines[list] = [...(lines[list] ?? []), lineOf(token.start)];
      expectElement = false;
    }
    if (token.kind === "punct" && "([{".includes(token.text)) {
      depth++;
      continue;
    }
    if (token.kind === "punct" && ")]}".includes(token.text)) {
      depth--;
      if (depth === 3) list = undefined;
      if (depth === 2) inCases = false;
      if (depth === 0) break;
      continue;
    }
    if (token.text === "," && depth === 4 && list) expectElement = true;
    const key = keyName(token);
    if (next?.text !== ":" || key === undefined) continue;
    if (depth === 2 && key === "cases") {
      if (tokens[i + 2]?.text !== "{") return undefined;
      inCases = true;
    }
    if (depth === 3 && inCases && (key === "pass" || key === "fail")) {
      if (tokens[i + 2]?.text !== "[") return undefined;
      list = key;
      expectElement = true;
      i += 2;
      depth++;
    }
  }
  return lines;
}

function keyName(token: Token): string | undefined {
  if (token.kind === "name") return token.text;
  if (token.kind === "string") return token.text.slice(1, -1);
  return undefined;
}

const AFTER_VALUE = /^[\w$)\]}]$/;

/** The tokens from `from` to the end of the call it starts (or of the text). */
function tokenize(text: string, from: number): Token[] {
  const tokens: Token[] = [];
  let i = from;
  let depth = 0;
  let started = false;
  while (i < text.length) {
    const c = text[i] as string;
    const start = i;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (text.startsWith("//", i)) {
      const end = text.indexOf("\n", i);
      i = end < 0 ? text.length : end;
      continue;
    }
    if (text.startsWith("/*", i)) {
      const end = text.indexOf("*/", i + 2);
      if (end < 0) throw new Error("unterminated comment");
      i = end + 2;
      continue;
    }
    if (c === '"' || c === "'") {
      i = skipString(text, i);
      tokens.push({ kind: "string", text: text.slice(start, i), start });
      continue;
    }
    if (c === "`") {
      i = skipTemplate(text, i);
      tokens.push({ kind: "other", text: "`", start });
      continue;
    }
    if (c === "/") {
      const previous = tokens[tokens.length - 1]?.text.slice(-1) ?? "";
      if (!AFTER_VALUE.test(previous)) {
        i = skipRegex(text, i);
        tokens.push({ kind: "other", text: "/", start });
        continue;
      }
    }
    const name = /^[A-Za-z_$][\w$]*/.exec(text.slice(i, i + 256));
    if (name) {
      i += name[0].length;
      tokens.push({ kind: "name", text: name[0], start });
      continue;
    }
    if (text.startsWith("...", i)) {
      i += 3;
      tokens.push({ kind: "punct", text: "...", start });
      continue;
    }
    i++;
    tokens.push({ kind: "punct", text: c, start });
    if ("([{".includes(c)) {
      depth++;
      started = true;
    } else if (")]}".includes(c)) {
      depth--;
      if (started && depth === 0) break;
    }
  }
  return tokens;
}

function skipString(text: string, at: number): number {
  const quote = text[at];
  for (let i = at + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === quote) return i + 1;
    else if (text[i] === "\n") break;
  }
  throw new Error("unterminated string");
}

function skipTemplate(text: string, at: number): number {
  for (let i = at + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === "`") return i + 1;
    else if (text.startsWith("${", i)) i = skipCode(text, i + 2) - 1;
  }
  throw new Error("unterminated template");
}

/** Past the `}` closing an interpolation whose code starts at `at`. */
function skipCode(text: string, at: number): number {
  let depth = 0;
  for (let i = at; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") i = skipString(text, i) - 1;
    else if (c === "`") i = skipTemplate(text, i) - 1;
    else if (c === "{") depth++;
    else if (c === "}") {
      if (depth === 0) return i + 1;
      depth--;
    }
  }
  throw new Error("unterminated interpolation");
}

function skipRegex(text: string, at: number): number {
  let inClass = false;
  for (let i = at + 1; i < text.length; i++) {
    const c = text[i];
    if (c === "\\") i++;
    else if (c === "[") inClass = true;
    else if (c === "]") inClass = false;
    else if (c === "/" && !inClass) {
      let end = i + 1;
      while (end < text.length && /[a-z]/.test(text[end] as string)) end++;
      return end;
    } else if (c === "\n") break;
  }
  throw new Error("unterminated regular expression");
}
