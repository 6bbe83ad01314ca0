/**
 * Conditions and values of one policy package, written as Rego.
 *
 * A value is a Rego term that is always defined and is `null` when the IR value is missing. A condition is a list of body expressions that all
 * succeed exactly when the IR condition is true. Where Rego needs a single expression
 * (`not`), a disjunction (`or`) or a loop (`any`, `all`, `none` nested under another
 * operator), the emitter writes a helper function taking the quantifier variables the
 * sub-condition uses, so helpers never see more arguments than they read.
 */
import {
  CharterError,
  type Expr,
  globToRe2,
  type Json,
  type Policy,
  type Rule,
  type Segment,
} from "@charter/ir";
import { regoString } from "./escape.js";
import { regoTerm } from "./terms.js";

/** The IR variables in scope, each with its Rego name, outermost first. */
export type Scope = ReadonlyMap<string, string>;

const COMPARE_HELPERS = {
  "==": "op_eq",
  "!=": "op_ne",
  "<": "op_lt",
  "<=": "op_le",
  ">": "op_gt",
  ">=": "op_ge",
} as const satisfies Record<Extract<Expr, { kind: "compare" }>["op"], string>;

const STRING_HELPERS = {
  startsWith: "op_starts_with",
  endsWith: "op_ends_with",
  contains: "op_contains",
  matches: "op_matches",
  glob: "op_glob",
} as const satisfies Record<Extract<Expr, { kind: "string" }>["op"], string>;

/** Writes the conditions of one policy; collects the helper rules they need. */
export class ExprEmitter {
  private readonly helpers: string[] = [];
  private counter = 0;
  private rule: Rule | undefined;

  constructor(
    private readonly policy: Policy,
    /** The Rego reference of the object under review (the `object` root). */
    private readonly object = "lib.resource",
    /** The target errors name. */
    private readonly target = "rego",
  ) {}

  /** The helper rules written so far, each a complete Rego rule (one or more bodies). */
  helperRules(): readonly string[] {
    return this.helpers;
  }

  /** Starts a rule: helper names and errors name it. */
  beginRule(rule: Rule): void {
    this.rule = rule;
  }

  /** A fresh Rego variable for IR variable `name` (IR variables may shadow; Rego's may not). */
  freshVar(name: string): string {
    this.counter += 1;
    return `${name}_${this.counter}`;
  }

  /** A fresh index variable for a witness binding. */
  freshIndex(): string {
    this.counter += 1;
    return `i_${this.counter}`;
  }

  /** Body expressions that all succeed exactly when `expr` holds. */
  condition(expr: Expr, scope: Scope): string[] {
    switch (expr.kind) {
      case "and":
        return expr.args.flatMap((arg) => this.condition(arg, scope));
      case "or":
        if (expr.args.length === 1) return this.condition(expr.args[0] as Expr, scope);
        return [
          this.helper(
            "or",
            expr,
            scope,
            expr.args.map((arg) => this.condition(arg, scope)),
          ),
        ];
      case "not":
        return [this.negate(this.condition(expr.arg, scope), expr, scope)];
      case "quantifier":
        return this.quantifier(expr, scope);
      case "compare":
        return [
          `lib.${COMPARE_HELPERS[expr.op]}(${this.value(expr.left, scope)}, ${this.value(expr.right, scope)})`,
        ];
      case "in":
        return [
          `lib.op_in(${this.value(expr.item, scope)}, ${this.value(expr.collection, scope)})`,
        ];
      case "string":
        return [this.stringTest(expr, scope)];
      case "exists":
        return [`lib.present(${this.value(expr.arg, scope)})`];
      case "literal":
        return [expr.value === true ? "true" : "false"];
      case "keys":
      case "inventory":
        // A list never holds (and OPA's type checker refuses comparing it with `true`).
        return ["false"];
      case "ref":
      case "list":
      case "default":
      case "len":
      case "index":
        // A condition holds exactly when its value is `true`.
        return [`${this.value(expr, scope)} == true`];
    }
  }

  /** A term for the value of `expr`: always defined, `null` when missing. */
  value(expr: Expr, scope: Scope): string {
    switch (expr.kind) {
      case "literal":
        return regoTerm(expr.value);
      case "ref":
        return this.ref(expr.root, expr.path, scope);
      case "list":
        if (expr.items.every((item) => item.kind === "literal" && item.value !== null)) {
          return `[${expr.items.map((item) => this.value(item, scope)).join(", ")}]`;
        }
        return `lib.present_items([${expr.items.map((item) => this.value(item, scope)).join(", ")}])`;
      case "default":
        return `lib.coalesce([${this.value(expr.value, scope)}, ${this.value(expr.fallback, scope)}])`;
      case "len":
        return `lib.len(${this.value(expr.arg, scope)})`;
      case "keys":
        return `lib.keys(${this.value(expr.arg, scope)})`;
      case "index":
        return `lib.index(${this.value(expr.value, scope)}, ${this.value(expr.key, scope)})`;
      case "inventory":
        return this.inventory(expr, scope);
      default:
        // A condition used as a value is true or false, never missing.
        return `lib.holds([true | ${this.condition(expr, scope).join("; ")}])`;
    }
  }

  /**
   * A path as `lib.at(root, [steps…])`, which is `null` when it does not resolve. A plain
   * Rego reference would be undefined instead, and OPA evaluates the reference arguments of
   * a negated call outside the negation, so `not f(input.missing)` would fail rather than
   * succeed; values are therefore never undefined.
   */
  private ref(
    root: Extract<Expr, { kind: "ref" }>["root"],
    path: readonly Segment[],
    scope: Scope,
  ): string {
    const head = this.root(root, scope);
    return path.length === 0 ? head : `lib.at(${head}, ${regoTerm(path as Json[])})`;
  }

  private root(root: Extract<Expr, { kind: "ref" }>["root"], scope: Scope): string {
    switch (root.kind) {
      case "object":
        return this.object;
      case "params":
        return "params";
      case "pod":
        return "lib.pod";
      case "containers":
        return "lib.containers";
      case "namespace":
        return "lib.namespace_object";
      case "request":
        return "lib.request";
      case "var": {
        const name = scope.get(root.name);
        if (name === undefined) {
          throw this.unsupported(
            `variable \`${root.name}\` is used outside the quantifier that binds it`,
          );
        }
        return name;
      }
    }
  }

  /**
   * `inventory(…)` reads `data.inventory` in Gatekeeper's layout, under the exact apiVersion
   * of the node (the version a SyncSet syncs and the engines' index serialises under).
   */
  private inventory(expr: Extract<Expr, { kind: "inventory" }>, scope: Scope): string {
    const kind = `${regoString(expr.apiVersion)}, ${regoString(expr.resource)}`;
    if (expr.namespace === undefined) return `lib.inventory_cluster(${kind})`;
    return `lib.inventory_namespaced(${kind}, ${this.value(expr.namespace, scope)})`;
  }

  private stringTest(expr: Extract<Expr, { kind: "string" }>, scope: Scope): string {
    const left = this.value(expr.left, scope);
    if (
      expr.op === "glob" &&
      expr.right.kind === "literal" &&
      typeof expr.right.value === "string"
    ) {
      // A literal glob is compiled here; others are translated by lib.glob_regex at run time.
      return `lib.op_matches(${left}, ${regoString(globToRe2(expr.right.value))})`;
    }
    return `lib.${STRING_HELPERS[expr.op]}(${left}, ${this.value(expr.right, scope)})`;
  }

  private quantifier(expr: Extract<Expr, { kind: "quantifier" }>, scope: Scope): string[] {
    const variable = this.freshVar(expr.variable);
    const inner = new Map(scope).set(expr.variable, variable);
    const loop = `some ${variable} in lib.list(${this.value(expr.collection, scope)})`;
    if (expr.quantifier === "any") {
      return [this.helper("any", expr, scope, [[loop, ...this.condition(expr.body, inner)]])];
    }
    // all x in C: p  ≡  not any x in C: not p;  none x in C: p  ≡  not any x in C: p.
    const body = this.condition(expr.body, inner);
    const test = expr.quantifier === "all" ? [this.negate(body, expr.body, inner)] : body;
    return [`not ${this.helper(expr.quantifier, expr, scope, [[loop, ...test]])}`];
  }

  /** One expression that succeeds exactly when `body` does not. */
  private negate(body: readonly string[], expr: Expr, scope: Scope): string {
    const only = body.length === 1 ? (body[0] as string) : undefined;
    if (only?.startsWith("not ")) return only.slice("not ".length);
    if (only !== undefined) return `not ${only}`;
    return `not ${this.helper("not", expr, scope, [body])}`;
  }

  /**
   * Writes a helper rule with one body per entry of `bodies` and returns a call to it. Its
   * arguments are the quantifier variables of `scope` that `expr` reads.
   */
  private helper(
    role: string,
    expr: Expr,
    scope: Scope,
    bodies: readonly (readonly string[])[],
  ): string {
    this.counter += 1;
    // The IR's rule names are identifiers; anything else is made one (the counter keeps it unique).
    const prefix = (this.rule?.name ?? "rule").replace(/[^A-Za-z0-9_]/g, "_");
    const name = `${/^[A-Za-z_]/.test(prefix) ? prefix : `r_${prefix}`}_${role}_${this.counter}`;
    const used = freeVariables(expr);
    const args = [...scope].filter(([irName]) => used.has(irName)).map(([, regoName]) => regoName);
    const head = args.length === 0 ? name : `${name}(${args.join(", ")})`;
    for (const body of bodies) {
      this.helpers.push(`${head} if {\n${body.map((line) => `\t${line}\n`).join("")}}`);
    }
    return head;
  }

  unsupported(what: string): CharterError {
    const rule = this.rule ? `, rule "${this.rule.name}"` : "";
    return new CharterError(
      `policy "${this.policy.name}"${rule}: ${what}; target "${this.target}" cannot express it`,
      this.policy.source ?? {},
    );
  }
}

/** The variables an expression reads that it does not bind itself. */
export function freeVariables(expr: Expr): Set<string> {
  const free = new Set<string>();
  const visit = (node: Expr, bound: ReadonlySet<string>): void => {
    switch (node.kind) {
      case "ref":
        if (node.root.kind === "var" && !bound.has(node.root.name)) free.add(node.root.name);
        return;
      case "quantifier":
        visit(node.collection, bound);
        visit(node.body, new Set(bound).add(node.variable));
        return;
      case "literal":
        return;
      case "list":
        for (const item of node.items) visit(item, bound);
        return;
      case "compare":
      case "string":
        visit(node.left, bound);
        visit(node.right, bound);
        return;
      case "in":
        visit(node.item, bound);
        visit(node.collection, bound);
        return;
      case "and":
      case "or":
        for (const arg of node.args) visit(arg, bound);
        return;
      case "not":
      case "exists":
      case "len":
      case "keys":
        visit(node.arg, bound);
        return;
      case "default":
        visit(node.value, bound);
        visit(node.fallback, bound);
        return;
      case "index":
        visit(node.value, bound);
        visit(node.key, bound);
        return;
      case "inventory":
        if (node.namespace) visit(node.namespace, bound);
        return;
    }
  };
  visit(expr, new Set());
  return free;
}
