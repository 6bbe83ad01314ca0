/**
 * A whole scan of read input on one engine, its rows told in one order whatever the engine:
 * the IR engine streams (each document judged as it is read, then dropped; cross-resource rows
 * once the set is read), the others judge one batch (one engine process) whose rows are put in
 * the order the IR engine streams them (inScanOrder), so every engine gives the same report.
 *
 * An object of an apiVersion Kubernetes does not serve is judged by no engine: it is told as
 * `unserved` where the IR engine would have streamed it, among the rows judged as read and
 * before the rows judged at the end.
 *
 * A `context` event is an object read only for what cross-resource policies read beyond the
 * resource (a scan of one namespace of a cluster reads its Namespace so): it is indexed with
 * the scanned set, never judged nor counted.
 */
import type { Json, Policy } from "@charter/ir";
import type { EngineName, ExceptionsInForce } from "./engine-factory.js";
import { unservedApiVersion } from "./input/api-versions/served-version.js";
import type { LoadEvent, LoadProblem, SkippedDocument } from "./input/load.js";
import { InventoryIndex } from "./inventory/inventory-index.js";
import { inventoryKindsOf } from "./inventory/judged-with.js";
import type { Evaluator } from "./ir-engine/evaluator.js";
import { createScan, inScanOrder, judgedAtEnd } from "./ir-engine/scan.js";
import type { Engine, Finding, Resource } from "./types.js";

/** What a scan reads: the input's events, and objects read only as context. */
export type ScanEvent = LoadEvent | { readonly kind: "context"; readonly object: Json };

export interface ScanSetup extends ExceptionsInForce {
  readonly policies: readonly Policy[];
  /** `ir` streams; any other engine judges the input as one batch once it is read. */
  readonly engine: EngineName;
  /**
   * Makes the batch engine, called once the input is read (so the input's problems are told
   * before a missing engine is).
   */
  readonly createEngine: () => Engine;
  /**
   * The policy set's system namespaces, which the batch engine must have been made with too:
   * objects in them get skip rows (none by default).
   */
  readonly systemNamespaces?: readonly string[];
  /**
   * The input read again, from the start, for the IR engine's first pass: when policies read
   * beyond the resource, it indexes the kinds they read before the scan, so each document is
   * judged whole as it is read and nothing of it waits for the end (memory flat in the input).
   * It may leave out documents holding none of those kinds; its problems are not told (the
   * scan's own reading tells them).
   */
  readonly firstPass?: () => AsyncIterable<ScanEvent>;
  /** How the streaming `ir` scan evaluates rules: closures (the default) or generated code. */
  readonly evaluator?: Evaluator;
}

/** What a scan tells, as it happens. */
export interface ScanListener {
  /** A document that could not be read (not YAML, too large…), as it is read. */
  problem(problem: LoadProblem): void;
  /** A document left out (not a Kubernetes object…), as it is read. */
  skipped(skipped: SkippedDocument): void;
  /** An object, as it is read; `unserved` says why Kubernetes would refuse it, if it would. */
  read(resource: Resource, unserved: string | undefined): void;
  /** A row, in report order. */
  finding(finding: Finding): void;
  /** An object Kubernetes would refuse, in report order. */
  unserved(resource: Resource, reason: string): void;
}

export interface ScanResult {
  /** The names of the exceptions that excused at least one row. */
  readonly usedExceptions: ReadonlySet<string>;
}

export async function scanResources(
  events: AsyncIterable<ScanEvent>,
  setup: ScanSetup,
  on: ScanListener,
): Promise<ScanResult> {
  const { policies, exceptions, now } = setup;
  const systemNamespaces = setup.systemNamespaces ?? [];
  /** Unserved objects not yet told, each with how many judged resources came before it. */
  const unserved: { after: number; resource: Resource; reason: string }[] = [];
  const tellUnserved = (count = unserved.length) => {
    for (const { resource, reason } of unserved.splice(0, count)) on.unserved(resource, reason);
  };
  let judged = 0;
  /** Reads the input: problems and skips are told as they come, judgeable resources handed on. */
  const eachResource = async (
    take: (resource: Resource) => void,
    context: (object: Json) => void,
  ) => {
    for await (const event of events) {
      if (event.kind === "context") context(event.object);
      else if (event.kind === "problem") on.problem(event.problem);
      else if (event.kind === "skipped") on.skipped(event.skipped);
      else {
        const reason = unservedApiVersion(event.resource.object);
        on.read(event.resource, reason);
        if (reason === undefined) {
          judged++;
          take(event.resource);
        } else unserved.push({ after: judged, resource: event.resource, reason });
      }
    }
  };

  if (setup.engine === "ir") {
    const kinds = inventoryKindsOf(policies);
    const inventory =
      setup.firstPass && kinds.length > 0
        ? await readInventory(setup.firstPass(), new InventoryIndex(kinds))
        : undefined;
    const evaluator = setup.evaluator;
    const scan = createScan(policies, {
      exceptions,
      now,
      systemNamespaces,
      ...(inventory ? { inventory } : {}),
      ...(evaluator ? { evaluator } : {}),
    });
    await eachResource(
      (resource) => {
        tellUnserved();
        for (const finding of scan.add(resource)) on.finding(finding);
      },
      // The first pass has indexed the context already.
      (object) => inventory === undefined && scan.inventory.add(object),
    );
    tellUnserved();
    for (const finding of scan.finish()) on.finding(finding);
    return { usedExceptions: scan.usedExceptions };
  }

  let resources: Resource[] = [];
  const context: Json[] = [];
  await eachResource(
    (resource) => resources.push(resource),
    (object) => context.push(object),
  );
  if (context.length > 0) {
    // The batch is judged with the context as part of its scanned set.
    const kinds = inventoryKindsOf(policies);
    const index = InventoryIndex.of(kinds, [...resources.map((r) => r.object), ...context]);
    resources = resources.map((resource) => ({ ...resource, inventory: index }));
  }
  const engine = setup.createEngine();
  const findings = resources.length ? await engine.evaluate(resources) : [];
  const objects = resources.map((resource) => resource.object);
  const byName = new Map(policies.map((policy) => [policy.name, policy]));
  for (const finding of inScanOrder(findings, policies, objects, systemNamespaces)) {
    const policy = byName.get(finding.policy);
    const object = objects[finding.resourceIndex];
    const late =
      policy !== undefined && object !== undefined && judgedAtEnd(policy, object, systemNamespaces);
    while (unserved[0] && (late || unserved[0].after <= finding.resourceIndex)) tellUnserved(1);
    on.finding(finding);
  }
  tellUnserved();
  return {
    usedExceptions: new Set(findings.flatMap((f) => (f.exception ? [f.exception.name] : []))),
  };
}

/** The first pass: every object of the kinds the index keeps, as the scan would index them. */
async function readInventory(
  events: AsyncIterable<ScanEvent>,
  index: InventoryIndex,
): Promise<InventoryIndex> {
  for await (const event of events) {
    if (event.kind === "context") index.add(event.object);
    else if (event.kind === "resource" && unservedApiVersion(event.resource.object) === undefined)
      index.add(event.resource.object);
  }
  return index;
}
