/**
 * The static form of a message, as every target writes it where a message cannot be computed:
 * a ValidatingAdmissionPolicy's (and a Kyverno ValidatingPolicy's) `message` beside its
 * `messageExpression`, Rego's fallback in `finish_message`, the IR engine's. The API server
 * prints it as it stands when the messageExpression fails or gives an empty or over-5-KiB
 * result, so it is readable text, not a template: each `{{…}}` hole becomes `<word>`, the last
 * field name of the path the hole reads (`{{c.image}}` → `<image>`,
 * `{{object.metadata.name ?? "none"}}` → `<name>`), or `<value>` when it reads no field by a
 * plain name (a bound variable `{{v}}`, `annotations[k]`, a literal, a key such as
 * `istio.io/rev`). Each line break (CRLF, CR, LF, U+2028, U+2029) becomes one space, as the
 * API server refuses a static message with a line break.
 */
import type { Expr } from "./expr.js";
import type { Message } from "./policy.js";

/** A field name read as a word: letters and digits, starting with a letter. */
const WORD = /^[A-Za-z][A-Za-z0-9]*$/;

/** The word standing for a hole in the static message (see the header). */
export function holeWord(expr: Expr): string {
  if (expr.kind === "default") return holeWord(expr.value);
  if (expr.kind === "ref") {
    for (let i = expr.path.length - 1; i >= 0; i--) {
      const segment = expr.path[i];
      if (typeof segment === "string") return WORD.test(segment) ? segment : "value";
    }
  }
  return "value";
}

/** The text on one line: each line break made one space. */
export function oneLine(text: string): string {
  return text.replace(/\r\n|[\r\n\u2028\u2029]/g, " ");
}

/**
 * The static message: the template's text with each hole as `<word>`, on one line. When a
 * rendered message is empty or too long, every engine shows this instead.
 */
export function staticMessage(message: Message): string {
  const text = message.parts
    .map((part) => (part.kind === "text" ? part.text : `<${holeWord(part.expr)}>`))
    .join("");
  return oneLine(text);
}
