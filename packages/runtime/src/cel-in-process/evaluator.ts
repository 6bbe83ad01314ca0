/**
 * CEL evaluated in process with @bufbuild/cel, bound like a ValidatingAdmissionPolicy:
 * `object`, `oldObject`, `params` (JSON values, typed as the API server types them; see
 * values.ts), `namespaceObject` (the Namespace cut down as the server binds it,
 * @charter/ir namespace-object.ts) and `variables` (spec.variables: composited, evaluated lazily and at most once
 * per request, each reading only the variables before it).
 *
 * What differs from the API server's CEL is written down next to the code that closes the gap
 * (values.ts, kubernetes-functions.ts); the judge tests prove it on every case. What is not
 * closed: no static type check (an expression the server refuses to compile may run here), no
 * cost limits, and no `?.`/optional syntax (the emitter does not use it).
 */
import {
  type CelEnv,
  type CelValue,
  celEnv,
  isCelError,
  isCelList,
  isCelMap,
  parse,
  plan,
} from "@bufbuild/cel";
import { boundNamespaceObject, type Json } from "@charter/ir";
import { KUBERNETES_FUNCTIONS } from "./kubernetes-functions.js";
import { StringKeyedCelMap, toCelValue } from "./values.js";

export interface CelVariableSource {
  readonly name: string;
  readonly expression: string;
}

export type CelOutcome =
  | { readonly ok: true; readonly value: CelValue }
  | { readonly ok: false; readonly error: string };

/** A parsed and planned expression, ready to evaluate on any request. */
export interface CompiledCel {
  readonly expression: string;
  /** @internal */
  readonly run: (bindings: Record<string, unknown>) => unknown;
}

/** An expression @bufbuild/cel cannot parse. */
export class CelSyntaxError extends Error {
  override readonly name = "CelSyntaxError";
}

/** What one admission request binds. Absent or null objects are CEL null. */
export interface CelRequest {
  readonly object?: Json;
  readonly oldObject?: Json;
  readonly params?: Json;
  /** The resource's Namespace manifest; absent or null for a cluster-scoped resource. */
  readonly namespaceObject?: Json;
  /** `request`: `{operation, userInfo}` as the API server sends them; absent: a CREATE. */
  readonly request?: Json;
}

let sharedEnv: CelEnv | undefined;

function environment(): CelEnv {
  sharedEnv ??= celEnv({ funcs: [...KUBERNETES_FUNCTIONS] });
  return sharedEnv;
}

/** Parses and plans an expression once; throws CelSyntaxError. */
export function compileCel(expression: string): CompiledCel {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(expression);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CelSyntaxError(
      `cannot parse CEL expression ${JSON.stringify(expression)}: ${reason}`,
    );
  }
  const evaluate = plan(environment(), parsed);
  return { expression, run: evaluate as CompiledCel["run"] };
}

/** The `variables` map of one request: each variable computed on first read, then kept. */
class VariablesMap extends StringKeyedCelMap {
  private readonly cache = new Map<string, CelValue>();
  private readonly evaluating = new Set<string>();

  constructor(
    private readonly compiled: ReadonlyMap<string, CompiledCel>,
    private readonly bindings: () => Record<string, unknown>,
  ) {
    super();
  }

  protected lookup(name: string): CelValue | undefined {
    const known = this.cache.get(name);
    if (known !== undefined) return known;
    const variable = this.compiled.get(name);
    if (variable === undefined) return undefined;
    if (this.evaluating.has(name)) throw new Error(`variable ${name} refers to itself`);
    this.evaluating.add(name);
    try {
      const value = variable.run(this.bindings()) as CelValue;
      this.cache.set(name, value);
      return value;
    } finally {
      this.evaluating.delete(name);
    }
  }

  keys(): IterableIterator<string> {
    return this.compiled.keys();
  }

  get size(): number {
    return this.compiled.size;
  }
}

/** The `variables` of one policy and the means to evaluate its expressions on requests. */
export class CelProgram {
  private readonly variables: ReadonlyMap<string, CompiledCel>;

  constructor(variables: readonly CelVariableSource[] = []) {
    const compiled = new Map<string, CompiledCel>();
    for (const variable of variables) {
      if (compiled.has(variable.name))
        throw new CelSyntaxError(`variable ${JSON.stringify(variable.name)} is declared twice`);
      compiled.set(variable.name, compileCel(variable.expression));
    }
    this.variables = compiled;
  }

  /** The bindings of one request; its variables are evaluated lazily, once. */
  bind(request: CelRequest): CelActivation {
    return new CelActivation(this.variables, request);
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

export class CelActivation {
  private readonly bindings: Record<string, unknown>;

  constructor(variables: ReadonlyMap<string, CompiledCel>, request: CelRequest) {
    const bindings: Record<string, unknown> = {
      object: toCelValue(request.object ?? null),
      oldObject: toCelValue(request.oldObject ?? null),
      params: toCelValue(request.params ?? null),
      namespaceObject: toCelValue(boundNamespaceObject(request.namespaceObject)),
      request: toCelValue(request.request ?? { operation: "CREATE" }),
    };
    bindings.variables = new VariablesMap(variables, () => bindings);
    this.bindings = bindings;
  }

  /** Evaluates an expression; a CEL error (no such key, no matching overload…) is an outcome. */
  evaluate(compiled: CompiledCel): CelOutcome {
    let value: unknown;
    try {
      value = compiled.run(this.bindings);
    } catch (error) {
      return { ok: false, error: describe(error) };
    }
    if (isCelError(value)) return { ok: false, error: describe(value) };
    return { ok: true, value: value as CelValue };
  }
}

/** Convenience for one expression on one request. */
export function evaluateCel(
  expression: string,
  request: CelRequest,
  variables: readonly CelVariableSource[] = [],
): CelOutcome {
  return new CelProgram(variables).bind(request).evaluate(compileCel(expression));
}

/** A CEL value as JSON, for tests and messages (int → number when safe, else its text). */
export function celToJson(value: CelValue): Json {
  if (value === null || typeof value === "boolean" || typeof value === "string") return value;
  if (typeof value === "number") return value;
  if (typeof value === "bigint")
    return Number.isSafeInteger(Number(value)) ? Number(value) : `${value}`;
  if (isCelList(value)) return [...value].map((item) => celToJson(item));
  if (isCelMap(value)) {
    return Object.fromEntries([...value].map(([key, item]) => [String(key), celToJson(item)]));
  }
  return String(value);
}
