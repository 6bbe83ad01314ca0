/**
 * The one way text Charter did not write itself — names, namespaces, messages and file paths
 * from manifests, exception fields, decision logs, policy text — reaches a terminal or a CI log
 * (GitHub renders ANSI escapes in logs). A manifest name holding `\x1b[2J`, `\x1b]8;;…` or a
 * carriage return could otherwise clear the screen, plant a link, or overwrite a FAIL line with
 * a PASS one; a bidi override could make a name read as another (CVE-2021-42574).
 *
 * Escaped as visible text: C0 controls (tab and line feed too: one field is one line, and a
 * line feed would forge a report line), DEL, C1 controls (U+009B is CSI on 8-bit terminals),
 * U+2028/U+2029, and the invisible direction controls — U+061C, U+200E, U+200F, the embeddings
 * and overrides U+202A–U+202E, the isolates U+2066–U+2069. `\n`, `\r`, `\t` keep their usual
 * names; the others are written `\xHH` or `\uHHHH`. Backslashes are not doubled: the result
 * is for reading, not for parsing back. JSON, SARIF and JUnit escape by their own rules.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching controls is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function visible(char: string): string {
  const named = NAMED[char];
  if (named !== undefined) return named;
  const code = char.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
}

/** One line of text, safe to print: no control or direction character is left raw. */
export function terminalText(text: string): string {
  return text.replace(UNSAFE, visible);
}

/** Several lines Charter laid out itself (a message and its hint): each line made safe. */
export function terminalLines(text: string): string {
  return text.split("\n").map(terminalText).join("\n");
}
