/**
 * An error about a policy shown as compilers show theirs: the message, then the source line
 * it points at with a caret under the offending token, then the hint.
 *
 *   policies/p.ts:6:62: error: policy "p", rule "r": unknown field `privilegd` on SecurityContext
 *       6 |       fail: when`any c in pod.containers: c.securityContext.privilegd == true`,
 *         |                                                             ^^^^^^^^^
 *     hint: did you mean `privileged`?
 */
import { CharterError, type ErrorLocation } from "@charter/ir";
import { lineText, sourceText } from "./source-text.js";

/** The width of the token at `column`: a word, `${`, a two-character operator, or 1. */
function tokenWidth(line: string, index: number): number {
  const word = /^[A-Za-z0-9_]+/.exec(line.slice(index));
  if (word) return word[0].length;
  const pair = line.slice(index, index + 2);
  return ["${", "==", "!=", "<=", ">=", "??", "&&", "||", "{{"].includes(pair) ? 2 : 1;
}

/** The line a location points at and a caret line under its column; undefined if unknown. */
export function excerptOf(location: ErrorLocation): string | undefined {
  const { file, line, column } = location;
  if (file === undefined || line === undefined || column === undefined) return undefined;
  const text = sourceText(file);
  const source = text === undefined ? undefined : lineText(text, line);
  if (source === undefined || column < 1 || column > source.length + 1) return undefined;
  const gutter = String(line);
  const pad = " ".repeat(gutter.length);
  // Tabs stay tabs under the caret, so it lines up however the terminal shows them.
  const lead = source.slice(0, column - 1).replace(/[^\t]/g, " ");
  const caret = "^".repeat(column > source.length ? 1 : tokenWidth(source, column - 1));
  return `  ${gutter} | ${source}\n  ${pad} | ${lead}${caret}`;
}

/** A CharterError whose `format()` shows the source line under the message. */
export class ExcerptedError extends CharterError {
  readonly excerpt: string | undefined;

  constructor(message: string, location: ErrorLocation, hint?: string) {
    super(message, location, hint);
    this.excerpt = excerptOf(location);
  }

  override format(): string {
    if (this.excerpt === undefined) return super.format();
    const head = new CharterError(this.message, this.location).format();
    return [head, this.excerpt, ...(this.hint ? [`  hint: ${this.hint}`] : [])].join("\n");
  }
}
