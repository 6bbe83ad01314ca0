/**
 * The last step of every rendered message, on every engine: what a Kubernetes API server would
 * show. A line break becomes a space (the server refuses a multi-line message), the ends are
 * trimmed as Go trims them, and a message that is then empty or longer than 5 KiB in UTF-8 (the
 * server's limit) gives way to the static message (`staticMessage` of @charter/ir: the
 * template's text with its holes in words, on one line), Go-trimmed, as the server shows a
 * policy's static `message`.
 */
import { trimGoSpace } from "../cel-in-process/go-text.js";

export const MAX_MESSAGE_BYTES = 5 * 1024;

const utf8 = new TextEncoder();

/** `fallback`: the rule's static message (`staticMessage(rule.message)`). */
export function finishMessage(text: string, fallback: string): string {
  const message = trimGoSpace(text.replaceAll("\n", " "));
  if (message === "" || utf8.encode(message).length > MAX_MESSAGE_BYTES) {
    return trimGoSpace(fallback);
  }
  return message;
}
