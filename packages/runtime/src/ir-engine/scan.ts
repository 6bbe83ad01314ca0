/**
 * A streaming scan on the IR engine. Resources arrive one at a time; most rows are judged at
 * once and the resource can be dropped. Policies that read beyond the resource (its Namespace,
 * `inventory(…)`) cannot be judged before the whole set is read: the scan indexes the kinds
 * they read as it goes, keeps of each resource they apply to only what their rules read
 * (projection.ts), and judges those at the end. Memory grows with the index and the kept
 * projections, not with the documents.
 */
import {
  isCrossResource,
  type Json,
  type Policy,
  type PolicyException,
  ruleNamesOf,
} from "@charter/ir";
import { detached } from "../detached.js";
import { exceptionFor, excused } from "../exceptions/apply.js";
import { identityOf } from "../identity.js";
import { InventoryIndex } from "../inventory/inventory-index.js";
import { inventoryKindsOf } from "../inventory/judged-with.js";
import { podView, policyApplies } from "../match.js";
import { operationOf } from "../request-value.js";
import type { Finding, Resource } from "../types.js";
import {
  type CompiledPolicy,
  evaluatePolicy,
  judgeRules,
  podViewOnce,
  type Subject,
} from "./evaluate.js";
import { type Evaluator, policyCompiler } from "./evaluator.js";
import { type Projection, project, projectionOf } from "./projection.js";
import { RowSpool } from "./row-spool.js";

export interface Scan {
  /** Judges what can be judged now; the rows of cross-resource policies wait for `finish`. */
  add(resource: Resource): Finding[];
  /**
   * The rows judged at the end, in order: judged now with the whole scanned set, or, when the
   * inventory was read first, read back from where they were kept. Call once, after the last
   * `add`.
   */
  finish(): Iterable<Finding>;
  /** The index of the kinds cross-resource policies read, as read so far. */
  readonly inventory: InventoryIndex;
  /** How many (resource, policy) judgements wait for the end. */
  readonly waiting: number;
  /** The names of the exceptions that excused at least one row so far. */
  readonly usedExceptions: ReadonlySet<string>;
}

export interface ScanOptions {
  /** Policy exceptions to apply (packages/ir/src/exception.ts). */
  readonly exceptions?: readonly PolicyException[];
  /** The clock exceptions expire by, in milliseconds since the epoch; default now. */
  readonly now?: number;
  /** The policy set's system namespaces: objects in them get skip rows (none by default). */
  readonly systemNamespaces?: readonly string[];
  /**
   * The index of the whole scanned set, read before the scan (a first pass over the input):
   * cross-resource rows are then judged with each document and kept in a RowSpool until the
   * end, so nothing of the documents waits in memory.
   */
  readonly inventory?: InventoryIndex;
  /** How rules are evaluated: closures (the default) or generated code; the rows are the same. */
  readonly evaluator?: Evaluator;
}

interface Waiting {
  readonly compiled: CompiledPolicy;
  readonly subject: Subject;
  /** Rules an exception excuses, decided on the whole resource before it was projected. */
  readonly excusedRules: ReadonlyMap<string, PolicyException>;
}

export function createScan(policies: readonly Policy[], options: ScanOptions = {}): Scan {
  const exceptions = options.exceptions ?? [];
  const now = options.now ?? Date.now();
  const usedExceptions = new Set<string>();
  /** The exception excusing a row of this resource, if any (and remembers it was used). */
  const excusing = (policy: string, rule: string, object: Json, identity: Finding["resource"]) => {
    if (exceptions.length === 0) return undefined;
    const found = exceptionFor(exceptions, { policy, rule }, object, identity, now);
    if (found) usedExceptions.add(found.name);
    return found;
  };
  const systemNamespaces = options.systemNamespaces ?? [];
  const compile = policyCompiler(options.evaluator);
  const compiled = policies.map((policy) => compile(policy, systemNamespaces));
  const projections = new Map<CompiledPolicy, Projection>(
    compiled.filter((c) => isCrossResource(c.policy)).map((c) => [c, projectionOf(c.policy)]),
  );
  const complete = options.inventory !== undefined;
  const inventory = options.inventory ?? new InventoryIndex(inventoryKindsOf(policies));
  const waiting: Waiting[] = [];
  const late = new RowSpool();
  let count = 0;
  let finished = false;

  function add(resource: Resource): Finding[] {
    if (finished) throw new Error("add() after finish(); this is a bug in charter");
    const resourceIndex = count++;
    if (!complete) inventory.add(resource.object);
    const identity = identityOf(resource.object);
    const podOf = podViewOnce(resource.object);
    const findings: Finding[] = [];
    for (const policy of compiled) {
      const projection = projections.get(policy);
      const atEnd =
        projection !== undefined &&
        judgedAtEnd(policy.policy, resource.object, systemNamespaces, operationOf(resource));
      if (!atEnd || complete) {
        // Judged now: nothing beyond the resource is read (or a skip needs nothing at all), or
        // the whole set's index was read first.
        for (const finding of evaluatePolicy(
          policy,
          resource,
          resourceIndex,
          identity,
          inventory,
          podOf,
        )) {
          const exception = excusing(finding.policy, finding.rule, resource.object, identity);
          const row = exception ? excused(finding, exception) : finding;
          if (atEnd) late.push(row);
          else findings.push(row);
        }
        continue;
      }
      if (projection === undefined) continue; // (atEnd says there is one)
      const excusedRules = new Map<string, PolicyException>();
      for (const rule of ruleNamesOf(policy.policy)) {
        const exception = excusing(policy.policy.name, rule, resource.object, identity);
        if (exception) excusedRules.set(rule, exception);
      }
      const pod =
        policy.policy.match.subject === "pod"
          ? detached(project(podView(resource.object) as Json, projection.pod))
          : undefined;
      const object = detached(project(resource.object, projection.object) as Json);
      waiting.push({
        compiled: policy,
        excusedRules,
        subject: {
          resource: {
            object,
            ...(resource.source ? { source: resource.source } : {}),
            ...(resource.request ? { request: detached(resource.request) } : {}),
            ...(resource.images ? { images: resource.images } : {}),
          },
          pod,
          resourceIndex,
          identity: detached(identity),
          inventory,
        },
      });
    }
    return findings;
  }

  function finish(): Iterable<Finding> {
    finished = true;
    if (complete) return late.drain();
    const findings = waiting.flatMap(({ compiled: policy, subject, excusedRules }) =>
      judgeRules(policy, subject).map((finding) => {
        const exception = excusedRules.get(finding.rule);
        return exception ? excused(finding, exception) : finding;
      }),
    );
    waiting.length = 0;
    return findings;
  }

  return {
    add,
    finish,
    inventory,
    get waiting() {
      return waiting.length;
    },
    usedExceptions,
  };
}

/**
 * Whether a scan judges this policy on this object only once the whole set is read: the policy
 * reads beyond the resource (its Namespace, `inventory(…)`) and applies to it. A skip (a system
 * namespace, no template) or a "does not apply" needs nothing beyond the resource and is judged
 * at once.
 */
export function judgedAtEnd(
  policy: Policy,
  object: Json,
  systemNamespaces: readonly string[] = [],
  operation = "CREATE",
): boolean {
  return (
    isCrossResource(policy) && policyApplies(policy, object, systemNamespaces, operation) === "yes"
  );
}

/**
 * Rows in the order a scan streams them, whichever engine judged them: first, document by
 * document, the rows judged as each document is read; then, document by document, the rows
 * judged at the end (judgedAtEnd). Within a document, policies in the given order, rules in
 * their order. `objects[i]` is the object of `resourceIndex` i, judged in a request of
 * `operation` (a scan's objects: CREATE).
 */
export function inScanOrder(
  findings: readonly Finding[],
  policies: readonly Policy[],
  objects: readonly Json[],
  systemNamespaces: readonly string[] = [],
  operation = "CREATE",
): Finding[] {
  const rank = new Map(policies.map((policy, index) => [policy.name, index]));
  const byName = new Map(policies.map((policy) => [policy.name, policy]));
  const late = (finding: Finding) => {
    const policy = byName.get(finding.policy);
    const object = objects[finding.resourceIndex];
    return policy !== undefined &&
      object !== undefined &&
      judgedAtEnd(policy, object, systemNamespaces, operation)
      ? 1
      : 0;
  };
  const keyed = findings.map((finding) => ({ finding, late: late(finding) }));
  keyed.sort(
    (a, b) =>
      a.late - b.late ||
      a.finding.resourceIndex - b.finding.resourceIndex ||
      (rank.get(a.finding.policy) ?? 0) - (rank.get(b.finding.policy) ?? 0),
  );
  return keyed.map(({ finding }) => finding);
}

/**
 * Rows in report order — resource, then policy, then rule, as a batch evaluation gives them —
 * whatever order a scan produced them in. The sort is stable, so rules keep their order.
 */
export function inReportOrder(
  findings: readonly Finding[],
  policies: readonly Policy[],
): Finding[] {
  const rank = new Map(policies.map((policy, index) => [policy.name, index]));
  return [...findings].sort(
    (a, b) =>
      a.resourceIndex - b.resourceIndex || (rank.get(a.policy) ?? 0) - (rank.get(b.policy) ?? 0),
  );
}
