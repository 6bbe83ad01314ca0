/**
 * Which parameter values the rules use as regular expressions: the pattern of a `matches` that
 * reads `params.x`, `params.x ?? "…"`, or a variable bound over a parameter list
 * (`any r in params.allowed: c.image matches r`). A path's `*` stands for every element (or
 * entry) of the value there.
 */
import type { Expr } from "./expr.js";
import type { Rule } from "./policy.js";
import { childrenOf } from "./visit.js";

type ParamPath = readonly (string | number)[];

export function paramPatternPaths(rules: readonly Rule[]): ParamPath[] {
  const found = new Map<string, ParamPath>();
  const visit = (expr: Expr, scope: ReadonlyMap<string, readonly ParamPath[]>): void => {
    if (expr.kind === "string" && expr.op === "matches") {
      for (const path of sourcesOf(expr.right, scope)) found.set(JSON.stringify(path), path);
    }
    if (expr.kind === "quantifier") {
      visit(expr.collection, scope);
      const elements = sourcesOf(expr.collection, scope).map((path) => [...path, "*"]);
      visit(expr.body, new Map([...scope, [expr.variable, elements]]));
      return;
    }
    for (const child of childrenOf(expr)) visit(child, scope);
  };
  for (const rule of rules) visit(rule.condition, new Map());
  return [...found.values()];
}

/** The parameter paths an expression's value may come from. */
function sourcesOf(expr: Expr, scope: ReadonlyMap<string, readonly ParamPath[]>): ParamPath[] {
  switch (expr.kind) {
    case "ref":
      if (expr.root.kind === "params") return [expr.path];
      if (expr.root.kind === "var") {
        return (scope.get(expr.root.name) ?? []).map((base) => [...base, ...expr.path]);
      }
      return [];
    case "default":
      return [...sourcesOf(expr.value, scope), ...sourcesOf(expr.fallback, scope)];
    case "index":
      return sourcesOf(expr.value, scope).map((path) => [...path, "*"]);
    default:
      return [];
  }
}
