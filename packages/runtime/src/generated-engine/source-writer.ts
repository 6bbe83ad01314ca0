/**
 * Lines of generated source with their indentation, and fresh names. Every identifier in the
 * output comes from `name` (a fixed prefix and a counter) or is a runtime name: nothing taken
 * from a policy or from data is ever an identifier.
 */
export class SourceWriter {
  readonly #lines: string[] = [];
  #depth = 0;

  constructor(private readonly names: { next: number } = { next: 0 }) {}

  /** A writer for another body of the same function, sharing its name counter. */
  sibling(): SourceWriter {
    return new SourceWriter(this.names);
  }

  /** A name no other generated identifier has; `prefix` is one of the generator's own. */
  name(prefix: string): string {
    return `${prefix}${this.names.next++}`;
  }

  line(text: string): void {
    this.#lines.push(`${"  ".repeat(this.#depth)}${text}`);
  }

  /** `open {` body `}`, the body indented. */
  block(open: string, body: () => void): void {
    this.line(`${open} {`);
    this.#depth++;
    body();
    this.#depth--;
    this.line("}");
  }

  toString(): string {
    return this.#lines.join("\n");
  }
}
