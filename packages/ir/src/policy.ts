/**
 * Policies: what a policy matches, its parameters, its rules and its own test cases.
 * Every node is plain, immutable, JSON-serialisable data.
 */

import type { Expr } from "./expr.js";
import type { ImageFacts, ImageRules } from "./images.js";
import type { Json, JsonObject } from "./json.js";
import type { Operation } from "./operations.js";

export type Severity = "critical" | "high" | "medium" | "low" | "info";

/** deny: blocks admission and fails CI; warn and audit: reported, exit 0 unless asked. */
export type Enforcement = "deny" | "warn" | "audit";

/** A Kubernetes kind with its API group ("" for the core group). */
export interface KindRef {
  readonly group: string;
  readonly kind: string;
}

/**
 * What a policy applies to.
 * - `pod`: Pods and, unless `controllers` is false, the pod templates of the pod controllers
 *   (Deployment, ReplicaSet, ReplicationController, StatefulSet, DaemonSet, Job, CronJob).
 *   Conditions read the pod through the `pod` and `containers` roots.
 * - `kinds`: resources of the listed kinds, read through the `object` root.
 * `namespaces` filters on the resource's own namespace (for a controller, its namespace);
 * `include` empty or absent means every namespace; cluster-scoped resources always match.
 * `labels` selects on the resource's own labels (see LabelSelector).
 * `operations` lists the admission operations judged (operations.ts); absent: CREATE, UPDATE.
 */
export type Match =
  | {
      readonly subject: "pod";
      readonly controllers: boolean;
      readonly namespaces?: NamespaceFilter;
      readonly labels?: LabelSelector;
      readonly operations?: readonly Operation[];
    }
  | {
      readonly subject: "kinds";
      readonly kinds: readonly KindRef[];
      readonly namespaces?: NamespaceFilter;
      readonly labels?: LabelSelector;
      readonly operations?: readonly Operation[];
    };

export interface NamespaceFilter {
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
}

/**
 * A Kubernetes label selector, evaluated on the resource's OWN `metadata.labels` — a
 * controller's labels, not its pod template's (what admission `objectSelector`, Gatekeeper's
 * `labelSelector` and Kyverno's `selector` read). The resource is selected when every
 * requirement holds (an empty selector selects everything):
 * - the labels are `metadata.labels` when that is an object, else none (missing, null or any
 *   other value is an empty map); a label whose value is null is absent (IR: null is missing);
 * - `matchLabels` `{k: v}`: label k is the string v;
 * - `In`: label k is a string listed in `values`; `NotIn`: not `In` (so it holds when k is
 *   absent, as in Kubernetes, and when k's value is not a string);
 * - `Exists`: label k is present with any non-null value, a string or not; `DoesNotExist`:
 *   not `Exists`.
 * Keys and values have Kubernetes label syntax (`LABEL_KEY_PATTERN`, `LABEL_VALUE_PATTERN`);
 * `In`/`NotIn` have at least one value, `Exists`/`DoesNotExist` none.
 */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly LabelRequirement[];
}

export type LabelRequirement =
  | {
      readonly key: string;
      readonly operator: "In" | "NotIn";
      readonly values: readonly string[];
    }
  | { readonly key: string; readonly operator: "Exists" | "DoesNotExist" };

export type LabelOperator = LabelRequirement["operator"];

/**
 * Parameters: a JSON schema (type object) for the parameter object, and the values in force
 * (the schema's defaults, overridden by configuration at compile time).
 */
export interface Parameters {
  readonly schema: JsonObject;
  readonly values: JsonObject;
}

/**
 * A message template: literal text and holes. A hole renders a string as itself, a missing
 * value as the empty string, a number or boolean as its JSON text, a list as `[...]` and an
 * object as `{...}` (CEL targets cannot serialise JSON, and every engine must agree). The
 * whole message is then finished as an API server shows it: line feeds become spaces, the ends
 * are trimmed (Go's TrimSpace), and an empty or over-5-KiB result becomes the static message
 * (`staticMessage` in message.ts: the template's text with each hole as `<word>`, the last field
 * name it reads, on one line), trimmed.
 * A hole may use only variables bound by the rule's witness quantifiers (see Rule).
 */
export type MessagePart =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "hole"; readonly expr: Expr; readonly source: string };

export interface Message {
  /** The template as written, `{{…}}` and all. */
  readonly template: string;
  readonly parts: readonly MessagePart[];
}

/**
 * A rule fails a resource when its condition holds.
 *
 * Witnesses: the condition is read as `g1 and … and any x1 in C1: (h1 and … any x2 in C2: …)`
 * — the `any` quantifiers reachable from the top through `and` alone bind the variables a
 * message may use. Each combination of bindings that makes the whole condition hold is one
 * witness and gives one message; a report row uses the first witness in document order
 * (element indices compared left to right).
 */
export interface Rule {
  readonly name: string;
  readonly condition: Expr;
  readonly message: Message;
  /** How to fix it; shown with the finding. */
  readonly remediation?: string;
}

/** Where something was written, for messages and report rows (1-based). */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column?: number;
}

/**
 * A test case: a resource and what the policy must say about it. `fail` cases may name the
 * rules that must fail (all others may do as they please); `pass` means no rule fails.
 */
export interface TestCase {
  readonly name: string;
  readonly expect: "pass" | "fail";
  readonly resource: Json;
  /**
   * The rest of the scanned set the resource is judged with (Namespaces, NetworkPolicies…),
   * for policies that read `namespace` or `inventory(…)`; the resource itself is part of it.
   */
  readonly inventory?: readonly Json[];
  readonly rules?: readonly string[];
  /**
   * Parameter values this case was written for, over the policy's defaults. A case runs with
   * the defaults and these, never with a project's configured values.
   */
  readonly params?: JsonObject;
  /**
   * The admission operation the case is judged in (README item 17); absent: CREATE, as
   * offline. An UPDATE needs `oldObject`; on a DELETE `resource` is the object being deleted
   * (and the request's old object).
   */
  readonly operation?: Operation;
  /** The stored object an UPDATE changes (only with operation UPDATE). */
  readonly oldObject?: JsonObject;
  /** The requesting user, as the API server sends it. */
  readonly userInfo?: UserInfo;
  /**
   * For a policy with `images`: what the registry and the scanners say about each image the
   * resource runs, keyed by the reference as written. An image with no entry is an `error`
   * verdict, as an unreachable registry is.
   */
  readonly images?: Readonly<Record<string, ImageFacts>>;
  readonly source?: SourceLocation;
}

/** The requesting user of an admission request (authentication.k8s.io/v1 UserInfo). */
export interface UserInfo {
  readonly username?: string;
  readonly uid?: string;
  readonly groups?: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

export interface Policy {
  /** Lower-case letters, digits and single dashes; starts with a letter. */
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly severity: Severity;
  readonly category: string;
  /** Control tags (`pss:baseline:privileged`, `cis:5.2.2`, …), see reference/controls.md. */
  readonly controls: readonly string[];
  readonly enforcement: Enforcement;
  readonly match: Match;
  readonly parameters: Parameters;
  /** Rules over the resource; may be empty when `images` states what the policy checks. */
  readonly rules: readonly Rule[];
  /**
   * Requirements on the images a pod runs (images.ts, README item 18): only on a `pod` match,
   * judged only by engines that can reach a registry.
   */
  readonly images?: ImageRules;
  readonly cases: readonly TestCase[];
  /**
   * Targets the policy is not compiled to, each with the reason (`charter build` leaves it out
   * of them and says so; the docs show the reason). Any other target that cannot express the
   * policy is a compile error.
   */
  readonly excludeTargets?: Readonly<Partial<Record<TargetName, string>>>;
  readonly source?: SourceLocation;
}

/** The compile targets, as `charter build --target` names them. */
export const TARGET_NAMES = ["rego", "gatekeeper", "kyverno", "vap"] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

/** The targets that judge objects at admission (the others also serve offline scans). */
export const ADMISSION_TARGETS: readonly TargetName[] = ["gatekeeper", "kyverno", "vap"];
