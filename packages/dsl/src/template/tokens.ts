/**
 * The tokens of the condition language. Keywords may also be field names after `.`, so every
 * keyword belongs to the `Name` category along with identifiers.
 */
import { createToken, Lexer, type TokenType } from "chevrotain";

export const Name = createToken({ name: "Name", pattern: Lexer.NA, label: "a name" });
export const Identifier = createToken({
  name: "Identifier",
  pattern: /[A-Za-z_][A-Za-z0-9_]*/,
  categories: [Name],
  label: "a name",
});

export const CompareOp = createToken({
  name: "CompareOp",
  pattern: Lexer.NA,
  label: "a comparison",
});
export const StringOp = createToken({
  name: "StringOp",
  pattern: Lexer.NA,
  label: "a string operator",
});
export const QuantifierKeyword = createToken({
  name: "QuantifierKeyword",
  pattern: Lexer.NA,
  label: "`any`, `all` or `none`",
});

function keyword(word: string, categories: TokenType[] = []): TokenType {
  return createToken({
    name: word === "in" ? "In" : word[0]?.toUpperCase() + word.slice(1),
    pattern: new RegExp(word),
    longer_alt: Identifier,
    categories: [Name, ...categories],
    label: `\`${word}\``,
  });
}

export const Any = keyword("any", [QuantifierKeyword]);
export const All = keyword("all", [QuantifierKeyword]);
export const None = keyword("none", [QuantifierKeyword]);
export const In = keyword("in");
/** Listed before `In` in allTokens: `in` would otherwise take the first two letters. */
export const Inventory = keyword("inventory");
export const And = keyword("and");
export const Or = keyword("or");
export const Not = keyword("not");
export const True = keyword("true");
export const False = keyword("false");
export const Null = keyword("null");
export const Exists = keyword("exists");
export const Len = keyword("len");
export const Keys = keyword("keys");
export const StartsWith = keyword("startsWith", [StringOp]);
export const EndsWith = keyword("endsWith", [StringOp]);
export const Contains = keyword("contains", [StringOp]);
export const Matches = keyword("matches", [StringOp]);
export const Glob = keyword("glob", [StringOp]);

function punctuation(name: string, text: string, categories: TokenType[] = []): TokenType {
  const pattern = new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return createToken({ name, pattern, categories, label: `'${text}'` });
}

export const Equal = punctuation("Equal", "==", [CompareOp]);
export const NotEqual = punctuation("NotEqual", "!=", [CompareOp]);
export const LessEqual = punctuation("LessEqual", "<=", [CompareOp]);
export const GreaterEqual = punctuation("GreaterEqual", ">=", [CompareOp]);
export const Less = punctuation("Less", "<", [CompareOp]);
export const Greater = punctuation("Greater", ">", [CompareOp]);
export const Coalesce = punctuation("Coalesce", "??");
export const Dot = punctuation("Dot", ".");
export const Comma = punctuation("Comma", ",");
export const Colon = punctuation("Colon", ":");
export const LParen = punctuation("LParen", "(");
export const RParen = punctuation("RParen", ")");
export const LBracket = punctuation("LBracket", "[");
export const RBracket = punctuation("RBracket", "]");

export const StringLiteral = createToken({
  name: "StringLiteral",
  pattern: /"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/,
  label: "a string",
});
export const NumberLiteral = createToken({
  name: "NumberLiteral",
  pattern: /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/,
  label: "a number",
});

/** An interpolated `${…}`: never produced by the lexer, inserted between template parts. */
export const Hole = createToken({
  name: "Hole",
  pattern: Lexer.NA,
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the text names an interpolation
  label: "an interpolated `${…}`",
});

export const WhiteSpace = createToken({
  name: "WhiteSpace",
  pattern: /[ \t\r\n]+/,
  group: Lexer.SKIPPED,
  line_breaks: true,
});

export const allTokens: TokenType[] = [
  WhiteSpace,
  StringLiteral,
  NumberLiteral,
  Equal,
  NotEqual,
  LessEqual,
  GreaterEqual,
  Less,
  Greater,
  Coalesce,
  Dot,
  Comma,
  Colon,
  LParen,
  RParen,
  LBracket,
  RBracket,
  Any,
  All,
  None,
  Inventory,
  In,
  And,
  Or,
  Not,
  True,
  False,
  Null,
  Exists,
  Len,
  Keys,
  StartsWith,
  EndsWith,
  Contains,
  Matches,
  Glob,
  Identifier,
  Name,
  CompareOp,
  StringOp,
  QuantifierKeyword,
  Hole,
];

export const conditionLexer = new Lexer(allTokens, { ensureOptimizations: false });
