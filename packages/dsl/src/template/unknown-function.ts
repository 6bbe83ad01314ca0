/**
 * A call of a function the condition language does not have (`lower(c.image)`) parses as the
 * path `lower` followed by a stray `(`. The parser's own message for that ("expected the end
 * of the condition but found '('") names neither the function nor what to write, so a syntax
 * error at a `(` right after a name, or at a string operator written as a call, becomes this.
 */
import { CharterError, type ErrorLocation, editDistance } from "@charter/ir";
import { type IToken, tokenMatcher } from "chevrotain";
import * as t from "./tokens.js";

/** The functions of the condition language (parser.ts: `call` and `inventory`). */
export const FUNCTIONS = ["exists", "len", "keys", "inventory"] as const;
/** Written between their operands: `x startsWith "a"`. */
export const STRING_OPERATORS = ["startsWith", "endsWith", "contains", "matches", "glob"] as const;

const LIST = `the functions are ${FUNCTIONS.map((f) => `\`${f}(…)\``).join(", ")}; ${STRING_OPERATORS.map((o) => `\`${o}\``).join(", ")} are operators written between their operands: \`c.image startsWith "registry/"\``;

const CASE =
  'did you mean `matches`? The language has no case conversion: match without case with a `(?i)` pattern, `c.image matches "(?i)^nginx"`';

/** Functions other policy languages have (CEL, Rego, JavaScript), and what to write here. */
const EQUIVALENTS: Readonly<Record<string, string>> = {
  lower: CASE,
  upper: CASE,
  tolower: CASE,
  toupper: CASE,
  lowercase: CASE,
  uppercase: CASE,
  tolowercase: CASE,
  touppercase: CASE,
  lowerascii: CASE,
  upperascii: CASE,
  size: "did you mean `len`?",
  length: "did you mean `len`?",
  count: "did you mean `len`?",
  has: "did you mean `exists`?",
  defined: "did you mean `exists`?",
  isset: "did you mean `exists`?",
  includes: 'did you mean the operator `contains`? Write `x contains "a"`',
  regex: 'did you mean the operator `matches`? Write `x matches "^a"`',
  match: 'did you mean the operator `matches`? Write `x matches "^a"`',
  rematch: 'did you mean the operator `matches`? Write `x matches "^a"`',
  test: 'did you mean the operator `matches`? Write `x matches "^a"`',
};

function suggestion(name: string): string {
  const known = EQUIVALENTS[name.toLowerCase().replaceAll("_", "")];
  if (known) return known;
  const operator = STRING_OPERATORS.find((op) => op.toLowerCase() === name.toLowerCase());
  if (operator) return `did you mean the operator \`${operator}\`? Write \`x ${operator} "a"\``;
  const [nearest] = [...FUNCTIONS, ...STRING_OPERATORS]
    .map((candidate) => ({ candidate, distance: editDistance(name, candidate) }))
    .sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate));
  const candidate = nearest?.candidate as string;
  return (FUNCTIONS as readonly string[]).includes(candidate)
    ? `did you mean \`${candidate}(…)\`?`
    : `did you mean the operator \`${candidate}\`? Write \`x ${candidate} "a"\``;
}

/**
 * The error for a syntax error at `found` when it is a call of something that is not a
 * function; undefined otherwise. `tokens` is everything lexed, `place` gives a token's location.
 */
export function unknownFunctionError(
  tokens: readonly IToken[],
  found: IToken,
  place: (token: IToken) => ErrorLocation,
): CharterError | undefined {
  const index = tokens.indexOf(found);
  if (index < 0) return undefined;
  const next = tokens[index + 1];
  if (tokenMatcher(found, t.StringOp) && next?.tokenType === t.LParen) {
    return new CharterError(
      `\`${found.image}\` is an operator, not a function: write it between its operands`,
      place(found),
      `write \`x ${found.image} "a"\`, not \`${found.image}(x, "a")\``,
    );
  }
  const name = tokens[index - 1];
  if (found.tokenType !== t.LParen || name?.tokenType !== t.Identifier) return undefined;
  const method = tokens[index - 2]?.tokenType === t.Dot ? " (and it has no methods)" : "";
  return new CharterError(
    `\`${name.image}\` is not a function of the condition language${method}; ${suggestion(name.image)}`,
    place(name),
    LIST,
  );
}
