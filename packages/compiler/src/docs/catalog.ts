/**
 * `catalog.md`: every policy with what it checks, what it matches, its parameters, rules,
 * controls, the targets it compiles to and how many cases prove it.
 */
import type {
  ImageRequirement,
  JsonObject,
  LabelRequirement,
  LabelSelector,
  Match,
  Policy,
} from "@charter/ir";
import { CONTROLS } from "./controls.js";
import { cell, code, controlAnchor, oneLine, policyAnchor, table } from "./markdown.js";
import { count, policies as policiesCount } from "./plural.js";
import { isScanOnly, type PolicyEntry, supportedTargets } from "./policy-entry.js";
import type { Outcome, TargetSupport } from "./target-support.js";

const TITLES = new Map(CONTROLS.map((control) => [control.tag, control.title]));

/** The pod controllers a `pod` match covers (packages/ir/src/policy.ts, `Match`). */
const POD_CONTROLLERS =
  "Deployment, ReplicaSet, ReplicationController, StatefulSet, DaemonSet, Job and CronJob";

export function renderCatalog(entries: readonly PolicyEntry[], note: string): string {
  const cases = entries.flatMap((entry) => entry.policy.cases);
  const passing = cases.filter((c) => c.expect === "pass").length;
  const index = table(
    ["Policy", "Title", "Severity", "Enforcement", "Targets"],
    entries.map((entry) => [
      `[${entry.policy.name}](#${policyAnchor(entry.policy.name)})`,
      cell(entry.policy.title),
      entry.policy.severity,
      entry.policy.enforcement,
      `${supportedTargets(entry).join(", ") || "none"}${isScanOnly(entry) ? " (scan only)" : ""}`,
    ]),
  );
  return [
    "# Policy catalog",
    note,
    `${policiesCount(entries.length)}, ${count(cases.length, "case")} (${passing} pass, ${cases.length - passing} fail). ` +
      "Which controls they implement, control by control: [the compliance matrix](matrix.md).",
    index,
    ...entries.map(renderPolicy),
  ]
    .join("\n\n")
    .concat("\n");
}

function renderPolicy(entry: PolicyEntry): string {
  const { policy } = entry;
  // The source link climbs out of the docs folder; its text is the path without the climb.
  const source = entry.sourceLink
    ? [
        `source [${oneLine(entry.sourceLink.replace(/^(\.\.\/)+/, ""))}](${encodeURI(entry.sourceLink)})`,
      ]
    : [];
  const facts = [
    `severity **${policy.severity}**`,
    `enforcement **${policy.enforcement}**`,
    `category ${oneLine(policy.category)}`,
    ...source,
  ].join(" · ");
  const passing = policy.cases.filter((c) => c.expect === "pass").length;
  return [
    `## ${policy.name}`,
    `**${oneLine(policy.title)}**`,
    facts,
    ...(policy.description ? [policy.description.trim()] : []),
    `**Match**\n\n${renderMatch(policy.match)}`,
    `**Parameters**\n\n${renderParameters(policy.parameters.schema)}`,
    `**Rules**\n\n${[
      ...policy.rules.map(renderRule),
      ...(policy.images?.requirements ?? []).map((requirement) =>
        renderImageRequirement(requirement, policy.images?.references ?? []),
      ),
    ].join("\n")}`,
    `**Controls**\n\n${renderControls(policy)}`,
    `**Targets**\n\n${entry.targets.map(renderTarget).join("\n")}`,
    `**Cases**: ${passing} pass, ${policy.cases.length - passing} fail.`,
  ].join("\n\n");
}

function renderMatch(match: Match): string {
  const kinds =
    match.subject === "pod"
      ? match.controllers
        ? `Pods, and the pod templates of ${POD_CONTROLLERS}`
        : "Pods only (not their controllers)"
      : match.kinds.map(({ group, kind }) => code(group ? `${group}/${kind}` : kind)).join(", ");
  const { include = [], exclude = [] } = match.namespaces ?? {};
  const namespaces = [
    include.length ? `only ${include.map(code).join(", ")}` : "every namespace",
    ...(exclude.length ? [`except ${exclude.map(code).join(", ")}`] : []),
  ].join(" ");
  return [
    `- Kinds: ${kinds}`,
    `- Namespaces: ${namespaces} (cluster-scoped resources always match)`,
    `- Labels: ${renderSelector(match.labels)}`,
  ].join("\n");
}

/** In kubectl's selector syntax: `app=web`, `tier in (a,b)`, `canary`, `!canary`. */
function renderSelector(selector: LabelSelector | undefined): string {
  const requirements = [
    ...Object.entries(selector?.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`),
    ...(selector?.matchExpressions ?? []).map(requirementText),
  ];
  return requirements.length ? requirements.map(code).join(", ") : "any";
}

function requirementText(requirement: LabelRequirement): string {
  switch (requirement.operator) {
    case "In":
      return `${requirement.key} in (${requirement.values.join(",")})`;
    case "NotIn":
      return `${requirement.key} notin (${requirement.values.join(",")})`;
    case "Exists":
      return requirement.key;
    case "DoesNotExist":
      return `!${requirement.key}`;
  }
}

function renderParameters(schema: JsonObject): string {
  const properties = isObject(schema.properties) ? schema.properties : {};
  const names = Object.keys(properties).sort();
  if (names.length === 0) return "None.";
  const fields = names.map((name) => {
    const property = properties[name];
    return { name, field: isObject(property) ? property : {} };
  });
  // A description column only when some parameter has one.
  const described = fields.some(({ field }) => typeof field.description === "string");
  return table(
    ["Name", "Type", "Default", ...(described ? ["Description"] : [])],
    fields.map(({ name, field }) => [
      code(name),
      cell(typeOf(field)),
      "default" in field ? cell(code(JSON.stringify(field.default))) : "none",
      ...(described ? [typeof field.description === "string" ? cell(field.description) : ""] : []),
    ]),
  );
}

/** A JSON schema's type in words: `list of string`, `one of "a", "b"`. */
function typeOf(schema: JsonObject): string {
  if (Array.isArray(schema.enum)) {
    return `one of ${schema.enum.map((value) => JSON.stringify(value)).join(", ")}`;
  }
  if (schema.type === "array") {
    return `list of ${isObject(schema.items) ? typeOf(schema.items) : "any"}`;
  }
  if (typeof schema.type === "string") return schema.type;
  if (Array.isArray(schema.type)) return schema.type.join(" or ");
  return "any";
}

function renderRule(rule: Policy["rules"][number]): string {
  return [
    `- ${code(rule.name)}: fails with ${code(rule.message.template)}`,
    ...(rule.remediation ? [`  - Remediation: ${oneLine(rule.remediation)}`] : []),
  ].join("\n");
}

/** An image requirement (packages/ir README, item 18) as a rule: what must hold of each image. */
function renderImageRequirement(
  requirement: ImageRequirement,
  references: readonly string[],
): string {
  const which = references.length
    ? `of each image matching ${references.map(code).join(", ")}`
    : "of each image";
  const what = ((): string => {
    switch (requirement.kind) {
      case "digest":
        return "the reference pins a digest";
      case "signature":
        return `signed by ${requirement.count} of ${requirement.attestors.map(code).join(", ")}`;
      case "attestation":
        return `a ${code(requirement.predicateType)} attestation by ${requirement.attestors.map(code).join(", ")}${requirement.condition ? " whose predicate meets its condition" : ""}${requirement.maxAge ? `, at most ${requirement.maxAge.days} days old` : ""}`;
      case "vulnerabilities":
        return `a vulnerability scan${requirement.condition ? " that meets its condition" : ""}${requirement.maxAge ? `, at most ${requirement.maxAge.days} days old` : ""}`;
    }
  })();
  return `- ${code(requirement.name)} (image rule): ${which}, ${what}`;
}

function renderControls(policy: Policy): string {
  if (policy.controls.length === 0) return "None.";
  return policy.controls
    .map((tag) => {
      const title = TITLES.get(tag);
      return title === undefined
        ? `- ${code(tag)}: not in the control vocabulary`
        : `- [${code(tag)}](matrix.md#${controlAnchor(tag)}): ${oneLine(title)}`;
    })
    .join("\n");
}

function renderTarget(support: TargetSupport): string {
  const variants = support.variants.map(
    (variant) => `; with ${code(variant.option ?? "")}: ${describe(variant.outcome)}`,
  );
  return `- ${support.target}: ${describe(support.outcome)}${variants.join("")}`;
}

function describe(outcome: Outcome): string {
  if (!outcome.ok) return `no: ${oneLine(outcome.reason)}`;
  return outcome.once === undefined ? "yes" : `yes, ${outcome.once}`;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
