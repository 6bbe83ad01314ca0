/**
 * The static form of a message template, as every target writes it where a message cannot be
 * computed (a ValidatingAdmissionPolicy's `message`, which the API server refuses with a line
 * break): the template with each line break (CRLF, CR, LF, U+2028, U+2029) made one space.
 * When a rendered message is empty or too long, every engine shows this instead.
 */
export function staticMessage(template: string): string {
  return template.replace(/\r\n|[\r\n\u2028\u2029]/g, " ");
}
