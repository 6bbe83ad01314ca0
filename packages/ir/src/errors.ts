/**
 * The error every package throws for a problem a user must fix: where it is, what is wrong,
 * and what to do. The CLI prints it as `file:line:column: error: message` and exits 2.
 */
export interface ErrorLocation {
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
}

export class CharterError extends Error {
  constructor(
    message: string,
    readonly location: ErrorLocation = {},
    /** A suggestion such as "did you mean `securityContext`?". */
    readonly hint?: string,
  ) {
    super(message);
    this.name = "CharterError";
  }

  /** One line (two with a hint) for a terminal: `file:line:column: error: message`. */
  format(): string {
    const { file, line, column } = this.location;
    const where = [file, line, line !== undefined ? column : undefined]
      .filter((part) => part !== undefined)
      .join(":");
    const head = `${where ? `${where}: ` : ""}error: ${this.message}`;
    return this.hint ? `${head}\n  hint: ${this.hint}` : head;
  }
}

/**
 * True for a CharterError from any copy of this package: a policy file loaded through a
 * TypeScript loader may bring its own copy of `@charter/ir`, so `instanceof` is not enough.
 */
export function isCharterError(error: unknown): error is CharterError {
  return (
    error instanceof CharterError ||
    (error instanceof Error &&
      error.name === "CharterError" &&
      typeof (error as Partial<CharterError>).format === "function")
  );
}
