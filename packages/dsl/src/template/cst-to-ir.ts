/**
 * Lowers the parse tree of a condition to IR. Names resolve here: a path starts at a root
 * (`object`, `pod`, `pod.containers`, `params`, `namespaceObject`, `request`) or at a variable bound by an
 * enclosing quantifier; interpolated values become literals or lowered fragments.
 */

import * as n from "@charter/ir";
import { CharterError, didYouMean, type ErrorLocation, type Expr, type Segment } from "@charter/ir";
import type { CstElement, CstNode, IToken } from "chevrotain";
import { isValue, type Operand, toValue } from "../builder.js";
import { checkInventoryKind } from "../inventory-kind.js";
import { notJsonReason } from "../json-value.js";
import {
  bind,
  checkParam,
  checkPattern,
  type LowerContext,
  POD_FIELDS,
  record,
  unknownName,
} from "../lower-context.js";
import type { ParsedTemplate } from "./parse-template.js";
import * as t from "./tokens.js";

type Children = Record<string, CstElement[] | undefined>;

/** A step known when lowering, and one looked up at run time. */
type PathStep = { readonly key: Segment; readonly at: ErrorLocation };
type LookupStep = { readonly lookup: Expr; readonly at: ErrorLocation };

function isToken(element: CstElement | undefined): element is IToken {
  return element !== undefined && "image" in element;
}

function nodes(children: Children, key: string): CstNode[] {
  return (children[key] ?? []).filter((e): e is CstNode => !isToken(e));
}

function node(children: Children, key: string): CstNode | undefined {
  return nodes(children, key)[0];
}

function token(children: Children, key: string): IToken | undefined {
  return (children[key] ?? []).find(isToken);
}

/** Lowers one parsed template with its interpolated values. */
export class TemplateLowering {
  constructor(
    private readonly parsed: ParsedTemplate,
    private readonly values: readonly unknown[],
  ) {}

  private at(token: IToken): ErrorLocation {
    return { file: this.parsed.file, line: token.startLine, column: token.startColumn };
  }

  /** The first token of a subtree, for its position. */
  private first(element: CstElement): IToken {
    if (isToken(element)) return element;
    let best: IToken | undefined;
    for (const list of Object.values(element.children)) {
      for (const child of list ?? []) {
        const candidate = this.first(child);
        if (
          !best ||
          (candidate.startLine ?? 0) < (best.startLine ?? 0) ||
          (candidate.startLine === best.startLine &&
            (candidate.startColumn ?? 0) < (best.startColumn ?? 0))
        ) {
          best = candidate;
        }
      }
    }
    if (!best) throw new Error("empty parse tree node; this is a bug in charter; please report it");
    return best;
  }

  lower(ctx: LowerContext): Expr {
    const root = this.parsed.cst;
    const inner = node(root.children, "orExpr") ?? node(root.children, "value");
    if (!inner) throw new Error("empty template parse; this is a bug in charter; please report it");
    return inner.name === "orExpr" ? this.or(inner, ctx) : this.value(inner, ctx);
  }

  private or(cst: CstNode, ctx: LowerContext): Expr {
    const operands = nodes(cst.children, "operands").map((operand) => this.and(operand, ctx));
    const result = n.or(operands);
    return result === operands[0] ? result : record(ctx, result, this.at(this.first(cst)));
  }

  private and(cst: CstNode, ctx: LowerContext): Expr {
    const operands = nodes(cst.children, "operands").map((operand) => this.not(operand, ctx));
    const result = n.and(operands);
    return result === operands[0] ? result : record(ctx, result, this.at(this.first(cst)));
  }

  private not(cst: CstNode, ctx: LowerContext): Expr {
    const operand = node(cst.children, "operand");
    if (operand) return record(ctx, n.not(this.not(operand, ctx)), this.at(this.first(cst)));
    const quantifier = node(cst.children, "quantifier");
    if (quantifier) return this.quantifier(quantifier, ctx);
    return this.comparison(node(cst.children, "comparison") as CstNode, ctx);
  }

  private quantifier(cst: CstNode, ctx: LowerContext): Expr {
    const keyword = token(cst.children, "QuantifierKeyword") as IToken;
    const variable = token(cst.children, "variable") as IToken;
    const collection = this.value(node(cst.children, "collection") as CstNode, ctx);
    const inner = bind(ctx, variable.image, this.at(variable));
    const body = this.or(node(cst.children, "body") as CstNode, inner);
    const kind = keyword.image as "any" | "all" | "none";
    return record(ctx, n.quantifier(kind, variable.image, collection, body), this.at(keyword));
  }

  private comparison(cst: CstNode, ctx: LowerContext): Expr {
    const left = this.value(node(cst.children, "lhs") as CstNode, ctx);
    const operator = token(cst.children, "operator");
    const rhs = node(cst.children, "rhs");
    if (!operator || !rhs) return left;
    const right = this.value(rhs, ctx);
    const at = this.at(this.first(cst));
    const op = operator.image;
    if (operator.tokenType === t.In) return record(ctx, n.membership(left, right), at);
    if (op === "==" || op === "!=" || op === "<" || op === "<=" || op === ">" || op === ">=") {
      return record(ctx, n.compare(op, left, right), at);
    }
    const stringOp = op as "startsWith" | "endsWith" | "contains" | "matches" | "glob";
    if (stringOp === "matches") checkPattern(right, this.at(this.first(rhs)));
    return record(ctx, n.stringTest(stringOp, left, right), at);
  }

  private value(cst: CstNode, ctx: LowerContext): Expr {
    const operands = nodes(cst.children, "operands");
    let result = this.primary(operands[0] as CstNode, ctx);
    for (const operand of operands.slice(1)) {
      result = record(ctx, n.orElse(result, this.primary(operand, ctx)), this.at(this.first(cst)));
    }
    return result;
  }

  private primary(cst: CstNode, ctx: LowerContext): Expr {
    const c = cst.children;
    const literalToken =
      token(c, "StringLiteral") ??
      token(c, "NumberLiteral") ??
      token(c, "True") ??
      token(c, "False") ??
      token(c, "Null");
    if (literalToken)
      return record(ctx, n.literal(this.literal(literalToken)), this.at(literalToken));
    const list = node(c, "list");
    if (list) {
      const items = nodes(list.children, "items").map((item) => this.value(item, ctx));
      return record(ctx, n.list(items), this.at(this.first(list)));
    }
    const parenthesized = node(c, "parenthesized");
    if (parenthesized) return this.or(node(parenthesized.children, "inner") as CstNode, ctx);
    const call = node(c, "call");
    if (call) {
      const fn = token(call.children, "function") as IToken;
      const argument = this.value(node(call.children, "argument") as CstNode, ctx);
      const lower = { exists: n.exists, len: n.len, keys: n.keys }[
        fn.image as "exists" | "len" | "keys"
      ];
      return record(ctx, lower(argument), this.at(fn));
    }
    const inventory = node(c, "inventory");
    if (inventory) return this.inventory(inventory, ctx);
    return this.reference(node(c, "reference") as CstNode, ctx);
  }

  /**
   * `inventory("networking.k8s.io/v1", "NetworkPolicy", ns)`: the kind must be known when the
   * policy is compiled (targets sync and index by it), so the first two arguments are string
   * literals, written or interpolated; the namespace is any value.
   */
  private inventory(cst: CstNode, ctx: LowerContext): Expr {
    const fn = token(cst.children, "function") as IToken;
    const args = nodes(cst.children, "arguments");
    if (args.length < 2 || args.length > 3) {
      throw new CharterError(
        `inventory() takes 2 or 3 arguments (apiVersion, kind, and a namespace for a namespaced kind), not ${args.length}`,
        this.at(fn),
        'write e.g. inventory("networking.k8s.io/v1", "NetworkPolicy", object.metadata.namespace) or inventory("v1", "Namespace")',
      );
    }
    const [apiVersion, kind] = args.slice(0, 2).map((arg, index) => {
      const value = this.value(arg, ctx);
      const at = this.at(this.first(arg));
      if (value.kind === "literal" && typeof value.value === "string") {
        return { text: value.value, at };
      }
      throw new CharterError(
        `inventory(): the ${index === 0 ? "apiVersion" : "kind"} must be a string literal`,
        at,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the text names an interpolation
        'the kind a policy reads is fixed when it is compiled: write "networking.k8s.io/v1" or interpolate a string with ${…}',
      );
    }) as [{ text: string; at: ErrorLocation }, { text: string; at: ErrorLocation }];
    checkInventoryKind(apiVersion.text, kind.text, { apiVersion: apiVersion.at, kind: kind.at });
    const namespaceArg = args[2];
    const namespace = namespaceArg ? this.value(namespaceArg, ctx) : undefined;
    return record(ctx, n.inventory(apiVersion.text, kind.text, namespace), this.at(fn));
  }

  private literal(token: IToken): string | number | boolean | null {
    switch (token.tokenType) {
      case t.StringLiteral:
        return unescapeString(token, this.at(token));
      case t.NumberLiteral:
        return Number(token.image);
      case t.True:
        return true;
      case t.False:
        return false;
      default:
        return null;
    }
  }

  private reference(cst: CstNode, ctx: LowerContext): Expr {
    const head = token(cst.children, "head") as IToken;
    const steps = nodes(cst.children, "segments").map((segment) => this.segment(segment, ctx));
    // The path up to the first computed key is a plain reference; each later step looks up.
    const computed = steps.findIndex((step) => "lookup" in step);
    const plain = (computed < 0 ? steps : steps.slice(0, computed)) as PathStep[];
    let result = this.path(head, plain, ctx);
    for (const step of computed < 0 ? [] : steps.slice(computed)) {
      if ("lookup" in step) {
        result = record(ctx, n.index(result, step.lookup), step.at);
      } else if (typeof step.key === "string") {
        result = record(ctx, n.index(result, n.literal(step.key)), step.at);
      } else {
        throw new CharterError(
          `a list index cannot follow a key computed at run time ([${step.key}])`,
          step.at,
          "bind the element with a quantifier instead (`any x in …: …`)",
        );
      }
    }
    return result;
  }

  /**
   * A head with literal steps: a plain reference, placed at its head, with each segment's
   * place recorded too (the type checker points at the segment it cannot resolve).
   */
  private path(head: IToken, segments: readonly PathStep[], ctx: LowerContext): Expr {
    const at = this.at(head);
    const path = segments.map((s) => s.key);
    const places = segments.map((s) => s.at);
    const placed = (ref: Expr, where: readonly (ErrorLocation | undefined)[] = places): Expr => {
      ctx.positions.setSegments(ref, where);
      return record(ctx, ref, at);
    };
    if (head.tokenType === t.Hole) {
      const fragment = this.interpolation(head, ctx);
      if (path.length === 0) return fragment;
      if (fragment.kind !== "ref") {
        throw new CharterError("only a path can be followed by `.name` or `[…]`", at);
      }
      if (fragment.root.kind === "params") checkParam(ctx, [...fragment.path, ...path][0], at);
      const leading = fragment.path.map(
        (_, index) => ctx.positions.segment(fragment, index) ?? ctx.positions.get(fragment),
      );
      return placed(n.ref(fragment.root, [...fragment.path, ...path]), [...leading, ...places]);
    }
    const name = head.image;
    if (ctx.scope.includes(name)) return placed(n.ref({ kind: "var", name }, path));
    switch (name) {
      case "object":
        return placed(n.ref({ kind: "object" }, path));
      case "params":
        checkParam(ctx, path[0], segments[0]?.at ?? at);
        return placed(n.ref({ kind: "params" }, path));
      case "namespaceObject":
        return placed(n.ref({ kind: "namespace" }, path));
      case "request":
        return placed(n.ref({ kind: "request" }, path));
      case "pod": {
        const [field, ...rest] = path;
        if (field === "containers") {
          return placed(n.ref({ kind: "containers" }, rest), places.slice(1));
        }
        if (field === undefined || field === "spec" || field === "metadata") {
          return placed(n.ref({ kind: "pod" }, path));
        }
        const suggestion = didYouMean(String(field), POD_FIELDS);
        throw new CharterError(
          `\`pod\` has \`spec\`, \`metadata\` and \`containers\`, not \`${field}\`${suggestion ? `; ${suggestion}` : ""}`,
          segments[0]?.at ?? at,
        );
      }
      default:
        throw unknownName(ctx, name, at);
    }
  }

  /**
   * One step: `.name`, or `[…]` holding a string or list index known now (a plain path step,
   * so existing paths keep their IR) or a value known only at run time (a lookup).
   */
  private segment(cst: CstNode, ctx: LowerContext): PathStep | LookupStep {
    const name = token(cst.children, "key");
    if (name) return { key: name.image, at: this.at(name) };
    const inner = node(cst.children, "index") as CstNode;
    const at = this.at(this.first(inner));
    const key = this.value(inner, ctx);
    if (key.kind !== "literal") return { lookup: key, at };
    const value = key.value;
    if (typeof value === "string") return { key: value, at };
    if (typeof value === "number") {
      if (!Number.isInteger(value) || value < 0) {
        throw new CharterError(`${value} is not a list index (0, 1, 2, …)`, at);
      }
      return { key: value, at };
    }
    throw new CharterError("a path segment in `[…]` must be a string or a list index", at);
  }

  private interpolation(hole: IToken, ctx: LowerContext): Expr {
    const index = hole.payload as number;
    const value = this.values[index];
    const at = this.parsed.holes[index] ?? this.at(hole);
    if (isValue(value)) return value.lower(ctx);
    if (hasBuilderValue(value)) return toValue(value as Operand, at).lower(ctx);
    const reason = notJsonReason(value, "the value");
    if (reason) throw interpolationError(reason, at);
    return toValue(value as Operand, at).lower(ctx);
  }
}

function hasBuilderValue(value: unknown): boolean {
  return isValue(value) || (Array.isArray(value) && value.some(hasBuilderValue));
}

function interpolationError(reason: string, at: ErrorLocation): CharterError {
  return new CharterError(
    `\${…}: ${reason}`,
    at,
    "interpolate JSON (string, number, boolean, null, array, plain object) or a condition or value built with the DSL",
  );
}

const ESCAPES: Record<string, string> = {
  '"': '"',
  "'": "'",
  "\\": "\\",
  "/": "/",
  n: "\n",
  t: "\t",
  r: "\r",
  b: "\b",
  f: "\f",
};

/** The value of a string token; escapes are JSON's, plus `\'` and `\u{…}`. */
function unescapeString(token: IToken, at: ErrorLocation): string {
  const body = token.image.slice(1, -1);
  return body.replace(
    /\\(u\{[0-9a-fA-F]{1,6}\}|u[0-9a-fA-F]{4}|.)/g,
    (whole, sequence: string, offset: number) => {
      const codePoint = sequence.startsWith("u{") ? Number.parseInt(sequence.slice(2, -1), 16) : -1;
      if (codePoint >= 0 && codePoint <= 0x10ffff) return String.fromCodePoint(codePoint);
      if (sequence.length === 5 && sequence.startsWith("u"))
        return String.fromCharCode(Number.parseInt(sequence.slice(1), 16));
      const replacement = ESCAPES[sequence];
      if (replacement !== undefined) return replacement;
      throw new CharterError(
        `unknown escape ${whole} in a string`,
        { ...at, column: (at.column ?? 1) + 1 + offset },
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the text names an interpolation
        'write \\\\ for a backslash (a regex\'s \\d is "\\\\d"), or interpolate the string with ${…}',
      );
    },
  );
}
