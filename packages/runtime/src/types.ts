/** What engines take and give: the shapes shared by the IR engine and the real-OPA engine. */
import type { Enforcement, Json, Operation, Severity, SourceLocation } from "@charter/ir";
import type { ImageContext } from "./images/image-context.js";
import type { InventoryIndex } from "./inventory/inventory-index.js";

/** A Kubernetes object read from a file, with where it came from. */
export interface Resource {
  readonly object: Json;
  /** Where the document starts (file, 1-based line); absent for objects built in code. */
  readonly source?: SourceLocation;
  /**
   * The scanned set a cross-resource rule judges the resource with (a test case and its
   * objects); absent, an engine uses the whole batch it was given.
   */
  readonly inventory?: InventoryIndex;
  /**
   * What admission knows beyond the object (packages/ir README, item 17); absent, the object
   * is judged as offline: a CREATE with no old object and no user.
   */
  readonly request?: AdmissionContext;
  /**
   * What the registry and the scanners say about the images, for policies with image rules
   * (packages/ir README, item 18); absent, those rules are `skip` rows: nobody verified.
   */
  readonly images?: ImageContext;
}

/**
 * The admission request an object is judged in. On a DELETE, `object` (the Resource's) is the
 * object being deleted, and `oldObject` is that object too.
 */
export interface AdmissionContext {
  readonly operation: Operation;
  /** `{username, uid, groups, extra}` as the API server sends them. */
  readonly userInfo?: Json;
  /** The stored object an UPDATE changes, or the object a DELETE removes. */
  readonly oldObject?: Json;
}

export interface ResourceIdentity {
  readonly apiVersion: string;
  readonly kind: string;
  /** Absent for cluster-scoped objects and objects without one. */
  readonly namespace?: string;
  readonly name: string;
}

export type Result = "pass" | "fail" | "skip" | "error";

/**
 * One row per (resource, policy, rule) for every rule whose policy matches the resource.
 * A failing rule carries one message per witness, in document order; `message` is the first.
 */
export interface Finding {
  readonly policy: string;
  readonly rule: string;
  readonly result: Result;
  readonly message: string;
  readonly messages: readonly string[];
  readonly severity: Severity;
  readonly enforcement: Enforcement;
  readonly resource: ResourceIdentity;
  /** Index of the resource in the evaluated batch. */
  readonly resourceIndex: number;
  /** The resource's source, when known. */
  readonly source?: SourceLocation;
  /** The exception that excused this row (its result is then `skip`). */
  readonly exception?: {
    readonly name: string;
    readonly reason: string;
    readonly owner: string;
    readonly expires: string;
  };
}

export interface Engine {
  /** `ir`, `opa`, … as the CLI's `--engine` names it. */
  readonly name: string;
  /** Evaluates every policy against every resource; one engine process per call. */
  evaluate(resources: readonly Resource[]): Promise<readonly Finding[]>;
  /**
   * Policies this engine cannot judge (its target cannot express them), by name, with the
   * reason; their rows are `skip` rows giving it. Absent: it judges every policy.
   */
  readonly unjudgeable?: ReadonlyMap<string, string>;
}
