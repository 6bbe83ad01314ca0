/**
 * Image rules judged on facts (packages/ir README, item 18): each requirement gives one row per
 * resource — `pass` when every matching image meets it, `fail` when one does not, `error` when
 * one could not be judged (an error is never a pass), with one message per failing image in
 * document order. The facts come from the registry (@charter/images), or from a test case.
 */
import {
  CharterError,
  CONTAINER_LISTS,
  type ImageFacts,
  type ImageRequirement,
  type ImageScan,
  instantNanos,
  type Json,
  type MaxAge,
  type Policy,
  pinnedDigest,
  requirementVariable,
} from "@charter/ir";
import { compileTest, IrCompileError, Scope, type TestFn } from "../ir-engine/compile.js";
import { Frame } from "../ir-engine/frame.js";
import { globMatches } from "../regex.js";
import type { Result } from "../types.js";
import { isObject } from "../value.js";
import type { ImageContext } from "./image-context.js";

/** One image a pod runs. */
export interface PodImage {
  readonly reference: string;
  readonly container: string;
}

export interface RequirementVerdict {
  readonly rule: string;
  readonly result: Result;
  readonly messages: readonly string[];
}

export interface CompiledImageRules {
  /** The verdict of every requirement on a pod view's images, in requirement order. */
  judge(pod: Json | undefined, context: ImageContext | undefined): RequirementVerdict[];
  readonly requirementNames: readonly string[];
}

/** The message of a requirement no engine was asked to judge (`charter check` without `--verify-images`). */
export const NOT_VERIFIED =
  "image rules read the registry: run charter check with --verify-images to judge them";

/** The images of a pod view whose reference one of `references` matches, in document order. */
export function podImages(pod: Json | undefined, references: readonly string[]): PodImage[] {
  if (!isObject(pod) || !isObject(pod.spec)) return [];
  const spec = pod.spec;
  const images: PodImage[] = [];
  for (const list of CONTAINER_LISTS) {
    const containers = spec[list];
    if (!Array.isArray(containers)) continue;
    for (const container of containers) {
      if (!isObject(container) || typeof container.image !== "string") continue;
      const reference = container.image;
      if (references.length > 0 && !references.some((glob) => globMatches(glob, reference))) {
        continue;
      }
      const name = typeof container.name === "string" ? container.name : "";
      images.push({ reference, container: name });
    }
  }
  return images;
}

const DAY_MS = 86_400_000;
const NANOS_PER_MS = 1_000_000n;

function at(value: Json, path: readonly (string | number)[]): Json | undefined {
  let current: Json | undefined = value;
  for (const step of path) {
    if (typeof step === "number") {
      current = Array.isArray(current) ? current[step] : undefined;
    } else {
      current = isObject(current) ? current[step] : undefined;
    }
    if (current === undefined || current === null) return undefined;
  }
  return current;
}

/**
 * Whether the timestamp at `maxAge.path` is at most `maxAge.days` before `now` (ms). The
 * timestamp is read as the IR reads every instant (`instantNanos`: RFC 3339 as Go's time.Parse
 * takes it, which is what CEL's `timestamp()` on Kyverno accepts too).
 */
function recentEnough(value: Json, maxAge: MaxAge, now: number): boolean {
  const instant = instantNanos(at(value, maxAge.path));
  return (
    instant !== undefined &&
    BigInt(now) * NANOS_PER_MS - instant <= BigInt(Math.round(maxAge.days * DAY_MS)) * NANOS_PER_MS
  );
}

type Outcome = { ok: true } | { ok: false; why: string } | { error: string };

type RequirementJudge = (image: PodImage, facts: ImageFacts, now: number) => Outcome;

function describe(image: PodImage, facts?: ImageFacts): string {
  const digest = facts?.digest ?? pinnedDigest(image.reference);
  const at = digest !== undefined && !image.reference.endsWith(digest) ? ` (${digest})` : "";
  return `image ${JSON.stringify(image.reference)}${at} of container ${JSON.stringify(image.container)}`;
}

function withNotes(text: string, facts: ImageFacts): string {
  const notes = facts.notes ?? [];
  return notes.length > 0 ? `${text}: ${notes.join("; ")}` : text;
}

function names(list: readonly string[]): string {
  return list.join(", ");
}

function compileCondition(
  policy: Policy,
  requirement: ImageRequirement,
): { test: TestFn; slot: number } | undefined {
  const variable = requirementVariable(requirement);
  const condition =
    requirement.kind === "attestation" || requirement.kind === "vulnerabilities"
      ? requirement.condition
      : undefined;
  if (variable === undefined || condition === undefined) return undefined;
  const { scope, slot } = Scope.empty().bind(variable);
  try {
    return { test: compileTest(condition, scope), slot };
  } catch (error) {
    if (!(error instanceof IrCompileError)) throw error;
    throw new CharterError(
      `policy "${policy.name}", rule "${requirement.name}": ${error.message}`,
      policy.source ?? {},
      "fix the requirement's condition and build again",
    );
  }
}

function holds(test: TestFn | undefined, slot: number, value: Json, params: Json): boolean {
  if (test === undefined) return true;
  const frame = new Frame({ object: null, params: isObject(params) ? params : {} });
  frame.vars[slot] = value;
  return test(frame);
}

function compileRequirement(policy: Policy, requirement: ImageRequirement): RequirementJudge {
  const params = policy.parameters.values;
  const compiled = compileCondition(policy, requirement);
  const test = compiled?.test;
  const slot = compiled?.slot ?? 0;
  switch (requirement.kind) {
    case "digest":
      return (image) =>
        pinnedDigest(image.reference) !== undefined
          ? { ok: true }
          : { ok: false, why: `${describe(image)} is not pinned by a digest (@sha256:…)` };
    case "signature":
      return (image, facts) => {
        const signers = new Set(
          facts.signatures
            .map((signature) => signature.attestor)
            .filter((attestor) => requirement.attestors.includes(attestor)),
        );
        if (signers.size >= requirement.count) return { ok: true };
        const wanted =
          requirement.attestors.length === 1
            ? `${requirement.attestors[0]}`
            : `${requirement.count} of ${names(requirement.attestors)}`;
        const found = signers.size > 0 ? ` (only ${names([...signers])})` : "";
        return {
          ok: false,
          why: withNotes(`${describe(image, facts)} is not signed by ${wanted}${found}`, facts),
        };
      };
    case "attestation":
      return (image, facts, now) => {
        const candidates = facts.attestations.filter(
          (attestation) =>
            attestation.predicateType === requirement.predicateType &&
            requirement.attestors.includes(attestation.attestor),
        );
        const what = `${requirement.predicateType} attestation by ${names(requirement.attestors)}`;
        if (candidates.length === 0) {
          return { ok: false, why: withNotes(`${describe(image, facts)} has no ${what}`, facts) };
        }
        const satisfying = candidates.filter((c) => holds(test, slot, c.predicate, params));
        if (satisfying.length === 0) {
          return {
            ok: false,
            why: `${describe(image, facts)} has a ${what}, but its predicate does not satisfy ${requirement.name}`,
          };
        }
        const maxAge = requirement.maxAge;
        if (maxAge && !satisfying.some((c) => recentEnough(c.predicate, maxAge, now))) {
          return {
            ok: false,
            why: `${describe(image, facts)} has a ${what} that satisfies ${requirement.name}, but not one from the last ${maxAge.days} days (${maxAge.path.join(".")})`,
          };
        }
        return { ok: true };
      };
    case "vulnerabilities":
      return (image, facts, now) => {
        const scan = facts.scan;
        if (scan === undefined) {
          return {
            ok: false,
            why: `${describe(image, facts)} has no vulnerability scan (give Trivy reports with --vuln-reports, or run the Trivy Operator)`,
          };
        }
        const scanValue = scan as unknown as Json;
        const maxAge = requirement.maxAge;
        if (maxAge && !recentEnough(scanValue, maxAge, now)) {
          return {
            ok: false,
            why: `the scan of ${describe(image, facts)} (${scan.source}, finished ${scan.finishedAt ?? "at an unknown time"}) is older than ${maxAge.days} days`,
          };
        }
        if (!holds(test, slot, scanValue, params)) {
          return {
            ok: false,
            why: `${describe(image, facts)} fails ${requirement.name} (scan ${scan.source}: ${findingCounts(scan)})`,
          };
        }
        return { ok: true };
      };
  }
}

/** Compiles a policy's image rules (throws CharterError for a condition it cannot run). */
export function compileImageRules(policy: Policy): CompiledImageRules | undefined {
  const rules = policy.images;
  if (rules === undefined) return undefined;
  const judges = rules.requirements.map((requirement) => ({
    requirement,
    judge: compileRequirement(policy, requirement),
  }));
  return {
    requirementNames: rules.requirements.map((requirement) => requirement.name),
    judge(pod, context) {
      const images = podImages(pod, rules.references);
      return judges.map(({ requirement, judge }) => {
        const needsRegistry = requirement.kind !== "digest";
        if (needsRegistry && context === undefined && images.length > 0) {
          return { rule: requirement.name, result: "skip", messages: [NOT_VERIFIED] };
        }
        const failures: string[] = [];
        const errors: string[] = [];
        const skips: string[] = [];
        for (const image of images) {
          const facts = needsRegistry ? context?.facts(policy.name, image.reference) : undefined;
          if (needsRegistry && facts === undefined) {
            errors.push(`${describe(image)} could not be judged: nobody read its registry`);
            continue;
          }
          if (
            facts?.unverified !== undefined &&
            (requirement.kind === "signature" || requirement.kind === "attestation")
          ) {
            skips.push(facts.unverified);
            continue;
          }
          if (facts?.unscanned !== undefined && requirement.kind === "vulnerabilities") {
            skips.push(facts.unscanned);
            continue;
          }
          if (facts?.error !== undefined) {
            errors.push(`${describe(image, facts)} could not be verified: ${facts.error}`);
            continue;
          }
          const outcome = judge(image, facts ?? EMPTY_FACTS, context?.now ?? Date.now());
          if ("error" in outcome) errors.push(outcome.error);
          else if (!outcome.ok) failures.push(outcome.why);
        }
        if (errors.length > 0) {
          return { rule: requirement.name, result: "error", messages: [...errors, ...failures] };
        }
        if (failures.length > 0) {
          return { rule: requirement.name, result: "fail", messages: failures };
        }
        if (skips.length > 0) {
          return { rule: requirement.name, result: "skip", messages: [...new Set(skips)] };
        }
        return { rule: requirement.name, result: "pass", messages: [] };
      });
    },
  };
}

/** "2 CRITICAL (2 with a fix), 4 MEDIUM": what a scan found, most severe first. */
function findingCounts(scan: ImageScan): string {
  const order = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"];
  const counts = new Map<string, { all: number; fixed: number }>();
  for (const finding of scan.vulnerabilities) {
    const count = counts.get(finding.severity) ?? { all: 0, fixed: 0 };
    count.all++;
    if (finding.fixedVersion) count.fixed++;
    counts.set(finding.severity, count);
  }
  if (counts.size === 0) return "no findings";
  const rank = (severity: string) => (order.includes(severity) ? order.indexOf(severity) : 99);
  return [...counts]
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([severity, { all, fixed }]) => `${all} ${severity} (${fixed} with a fix)`)
    .join(", ");
}

const EMPTY_FACTS: ImageFacts = { reference: "", signatures: [], attestations: [] };
