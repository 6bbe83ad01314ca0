/** Terminal output: colour only on a TTY and never when NO_COLOR is set (no-color.org). */
import { styleText } from "node:util";

type Style = "red" | "green" | "yellow" | "gray" | "bold" | "cyan";

export interface Output {
  out(line?: string): void;
  err(line?: string): void;
  paint(style: Style, text: string): string;
}

export function terminalOutput(
  stdout: NodeJS.WriteStream = process.stdout,
  stderr: NodeJS.WriteStream = process.stderr,
): Output {
  const color = Boolean(stdout.isTTY) && !process.env.NO_COLOR && process.env.TERM !== "dumb";
  return {
    out: (line = "") => stdout.write(`${line}\n`),
    err: (line = "") => stderr.write(`${line}\n`),
    paint: (style, text) => (color ? styleText(style, text) : text),
  };
}
