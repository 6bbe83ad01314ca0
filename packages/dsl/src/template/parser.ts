/**
 * The grammar of the condition language, loosest first. It holds no semantics: cst-to-ir.ts
 * lowers the tree it builds.
 *
 *   condition  := or EOF
 *   or         := and ("or" and)*
 *   and        := not ("and" not)*
 *   not        := "not" not | quantifier | comparison
 *   quantifier := ("any"|"all"|"none") Identifier "in" value ":" or     -- body reaches right
 *   comparison := value (("=="|"!="|"<"|"<="|">"|">="|"in"|string-op) value)?  -- no chains
 *   value      := primary ("??" primary)*
 *   primary    := literal | list | "(" or ")" | ("exists"|"len"|"keys") "(" value ")"
 *               | inventory | (Identifier | Hole) segment*
 *   inventory  := "inventory" "(" value ("," value)* ")"   -- 2 or 3 arguments, checked when
 *                                                             lowering (with their positions)
 *   segment    := "." Name | "[" value "]"   -- a string or index literal is a path step,
 *                                                 any other value a lookup (`index`)
 */
import {
  CstParser,
  EOF,
  type IParserErrorMessageProvider,
  type IToken,
  type TokenType,
} from "chevrotain";
import * as t from "./tokens.js";

function describeToken(token: IToken): string {
  if (token.tokenType === EOF) return "the end of the condition";
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the text names an interpolation
  if (token.tokenType === t.Hole) return "an interpolated `${…}`";
  return `'${token.image}'`;
}

function describeExpected(type: TokenType): string {
  if (type === EOF) return "the end of the condition";
  return type.LABEL ?? type.name;
}

/** Messages in our voice: "expected X but found Y". */
const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual }) {
    return `expected ${describeExpected(expected)} but found ${describeToken(actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `expected the end of the condition but found ${describeToken(firstRedundant)}`;
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, actual, ruleName }) {
    const found = actual[0] ? describeToken(actual[0]) : "the end of the condition";
    if (ruleName === "primary" || ruleName === "notExpr") {
      return `expected a value (a path, a literal, a list, \`(\`, \`exists(…)\`, \`len(…)\`, \`keys(…)\` or \`inventory(…)\`) but found ${found}`;
    }
    const firsts = [
      ...new Set(expectedPathsPerAlt.flat().map((path) => describeExpected(path[0] as TokenType))),
    ];
    return `expected ${firsts.join(" or ")} but found ${found}`;
  },
  buildEarlyExitMessage({ expectedIterationPaths, actual }) {
    const firsts = expectedIterationPaths.map((path) => describeExpected(path[0] as TokenType));
    return `expected ${firsts.join(" or ")} but found ${actual[0] ? describeToken(actual[0]) : "the end"}`;
  },
};

class ConditionParser extends CstParser {
  constructor() {
    super(t.allTokens, {
      nodeLocationTracking: "none",
      errorMessageProvider: messages,
      maxLookahead: 2,
    });
    this.performSelfAnalysis();
  }

  condition = this.RULE("condition", () => {
    this.SUBRULE(this.orExpr);
    this.CONSUME(EOF);
  });

  /** A message hole: one value. */
  hole = this.RULE("hole", () => {
    this.SUBRULE(this.value);
    this.CONSUME(EOF);
  });

  orExpr = this.RULE("orExpr", () => {
    this.SUBRULE(this.andExpr, { LABEL: "operands" });
    this.MANY(() => {
      this.CONSUME(t.Or);
      this.SUBRULE2(this.andExpr, { LABEL: "operands" });
    });
  });

  andExpr = this.RULE("andExpr", () => {
    this.SUBRULE(this.notExpr, { LABEL: "operands" });
    this.MANY(() => {
      this.CONSUME(t.And);
      this.SUBRULE2(this.notExpr, { LABEL: "operands" });
    });
  });

  notExpr = this.RULE("notExpr", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(t.Not);
          this.SUBRULE(this.notExpr, { LABEL: "operand" });
        },
      },
      { ALT: () => this.SUBRULE(this.quantifier) },
      { ALT: () => this.SUBRULE(this.comparison) },
    ]);
  });

  quantifier = this.RULE("quantifier", () => {
    this.CONSUME(t.QuantifierKeyword);
    this.CONSUME(t.Identifier, { LABEL: "variable" });
    this.CONSUME(t.In);
    this.SUBRULE(this.value, { LABEL: "collection" });
    this.CONSUME(t.Colon);
    this.SUBRULE(this.orExpr, { LABEL: "body" });
  });

  comparison = this.RULE("comparison", () => {
    this.SUBRULE(this.value, { LABEL: "lhs" });
    this.OPTION(() => {
      this.OR([
        { ALT: () => this.CONSUME(t.CompareOp, { LABEL: "operator" }) },
        { ALT: () => this.CONSUME(t.In, { LABEL: "operator" }) },
        { ALT: () => this.CONSUME(t.StringOp, { LABEL: "operator" }) },
      ]);
      this.SUBRULE2(this.value, { LABEL: "rhs" });
    });
  });

  value = this.RULE("value", () => {
    this.SUBRULE(this.primary, { LABEL: "operands" });
    this.MANY(() => {
      this.CONSUME(t.Coalesce);
      this.SUBRULE2(this.primary, { LABEL: "operands" });
    });
  });

  primary = this.RULE("primary", () => {
    this.OR([
      { ALT: () => this.CONSUME(t.StringLiteral) },
      { ALT: () => this.CONSUME(t.NumberLiteral) },
      { ALT: () => this.CONSUME(t.True) },
      { ALT: () => this.CONSUME(t.False) },
      { ALT: () => this.CONSUME(t.Null) },
      { ALT: () => this.SUBRULE(this.list) },
      { ALT: () => this.SUBRULE(this.parenthesized) },
      { ALT: () => this.SUBRULE(this.call) },
      { ALT: () => this.SUBRULE(this.inventory) },
      { ALT: () => this.SUBRULE(this.reference) },
    ]);
  });

  list = this.RULE("list", () => {
    this.CONSUME(t.LBracket);
    this.MANY_SEP({ SEP: t.Comma, DEF: () => this.SUBRULE(this.value, { LABEL: "items" }) });
    this.CONSUME(t.RBracket);
  });

  parenthesized = this.RULE("parenthesized", () => {
    this.CONSUME(t.LParen);
    this.SUBRULE(this.orExpr, { LABEL: "inner" });
    this.CONSUME(t.RParen);
  });

  call = this.RULE("call", () => {
    this.OR([
      { ALT: () => this.CONSUME(t.Exists, { LABEL: "function" }) },
      { ALT: () => this.CONSUME(t.Len, { LABEL: "function" }) },
      { ALT: () => this.CONSUME(t.Keys, { LABEL: "function" }) },
    ]);
    this.CONSUME(t.LParen);
    this.SUBRULE(this.value, { LABEL: "argument" });
    this.CONSUME(t.RParen);
  });

  inventory = this.RULE("inventory", () => {
    this.CONSUME(t.Inventory, { LABEL: "function" });
    this.CONSUME(t.LParen);
    this.AT_LEAST_ONE_SEP({
      SEP: t.Comma,
      DEF: () => this.SUBRULE(this.value, { LABEL: "arguments" }),
    });
    this.CONSUME(t.RParen);
  });

  reference = this.RULE("reference", () => {
    this.OR([
      { ALT: () => this.CONSUME(t.Identifier, { LABEL: "head" }) },
      { ALT: () => this.CONSUME(t.Hole, { LABEL: "head" }) },
    ]);
    this.MANY(() => this.SUBRULE(this.segment, { LABEL: "segments" }));
  });

  segment = this.RULE("segment", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(t.Dot);
          this.CONSUME(t.Name, { LABEL: "key" });
        },
      },
      {
        ALT: () => {
          this.CONSUME(t.LBracket);
          // A literal key is a plain path step; any other value is looked up at run time.
          this.SUBRULE(this.value, { LABEL: "index" });
          this.CONSUME(t.RBracket);
        },
      },
    ]);
  });
}

/** The one parser instance (chevrotain parsers are reusable; set `input`, call a rule). */
export const conditionParser = new ConditionParser();
