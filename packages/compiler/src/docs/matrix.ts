/**
 * `matrix.md`: control → policies → targets. Every control of the vocabulary is listed, scheme
 * by scheme, in the order of controls.md; a control no policy cites is a gap. A section tag
 * (`cis:5.1`, `nsa:network`) lists the policies citing it directly and is never a gap: its
 * items are the controls.
 */

import { TARGET_NAMES } from "../targets/index.js";
import { CONTROLS, type Control, SCHEMES } from "./controls.js";
import {
  byCodePoint,
  cell,
  code,
  controlAnchor,
  oneLine,
  policyAnchor,
  table,
} from "./markdown.js";
import { policies as policiesCount } from "./plural.js";
import { isScanOnly, type PolicyEntry, supportedTargets } from "./policy-entry.js";

export function renderMatrix(entries: readonly PolicyEntry[], note: string): string {
  const citing = citingPolicies(entries);
  const items = CONTROLS.filter((control) => !control.section);
  const covered = (control: Control) => (citing.get(control.tag) ?? []).length > 0;
  const summary = table(
    ["Scheme", "Controls", "Implemented", "Gaps"],
    SCHEMES.map((scheme) => {
      const own = items.filter((control) => control.scheme === scheme.id);
      const done = own.filter(covered).length;
      return [
        `[${scheme.title}](#${controlAnchor(scheme.id)})`,
        String(own.length),
        String(done),
        String(own.length - done),
      ];
    }),
  );
  const implemented = items.filter(covered).length;
  return [
    "# Compliance matrix",
    note,
    `Each control of Charter's vocabulary (docs/controls.md in Charter), the policies that cite it, ` +
      `and the targets it is enforced on (✓: at least one of its policies compiles there). ` +
      `${implemented} of ${items.length} controls are implemented by ${policiesCount(entries.length)}; ` +
      `the others are marked **gap**. Section-level tags list the policies citing them directly. ` +
      `Policies in detail: [the catalog](catalog.md).`,
    summary,
    ...SCHEMES.map((scheme) =>
      renderScheme(
        scheme.title,
        scheme.id,
        CONTROLS.filter((control) => control.scheme === scheme.id),
        citing,
      ),
    ),
    ...renderUnknown(entries),
  ]
    .join("\n\n")
    .concat("\n");
}

/** Tag → the entries citing it, in catalog order. */
function citingPolicies(entries: readonly PolicyEntry[]): Map<string, PolicyEntry[]> {
  const citing = new Map<string, PolicyEntry[]>();
  for (const entry of entries) {
    for (const tag of new Set(entry.policy.controls)) {
      citing.set(tag, [...(citing.get(tag) ?? []), entry]);
    }
  }
  return citing;
}

function renderScheme(
  title: string,
  id: string,
  controls: readonly Control[],
  citing: ReadonlyMap<string, readonly PolicyEntry[]>,
): string {
  const rows = controls.map((control) => {
    const entries = citing.get(control.tag) ?? [];
    const tag = `<a id="${controlAnchor(control.tag)}"></a>${code(control.tag)}`;
    const policies = entries.length
      ? entries.map(policyCell).join("<br>")
      : control.section
        ? "—"
        : "**gap**";
    const targets = TARGET_NAMES.map((target) =>
      entries.some((entry) => supportedTargets(entry).includes(target)) ? "✓" : "—",
    );
    return [
      control.section ? `**${tag}**` : tag,
      cell(controlTitle(control)),
      policies,
      ...targets,
    ];
  });
  return [
    `## <a id="${controlAnchor(id)}"></a>${title}`,
    table(["Control", "Title", "Policies", ...TARGET_NAMES], rows),
  ].join("\n\n");
}

function controlTitle(control: Control): string {
  const summary = control.summary ? ` — ${control.summary}` : "";
  const replaces = control.replaces
    ? `; at restricted level it replaces ${code(control.replaces)}`
    : "";
  return `${control.title}${summary}${replaces}`;
}

/** A policy and, when it does not compile everywhere, the targets it lacks. */
function policyCell(entry: PolicyEntry): string {
  const missing = entry.targets.filter((t) => !t.outcome.ok).map((t) => t.target);
  const link = `[${entry.policy.name}](catalog.md#${policyAnchor(entry.policy.name)})`;
  if (isScanOnly(entry)) return `${link} (scan only)`;
  return missing.length ? `${link} (not on ${missing.join(", ")})` : link;
}

/** Tags a policy cites that the vocabulary does not define: a typo, or a page to update. */
function renderUnknown(entries: readonly PolicyEntry[]): string[] {
  const known = new Set(CONTROLS.map((control) => control.tag));
  const unknown = [...citingPolicies(entries)]
    .filter(([tag]) => !known.has(tag))
    .sort(([a], [b]) => byCodePoint(a, b));
  if (unknown.length === 0) return [];
  return [
    "## Tags outside the vocabulary",
    table(
      ["Tag", "Policies"],
      unknown.map(([tag, cited]) => [
        cell(code(tag)),
        cited.map((entry) => cell(oneLine(policyCell(entry)))).join("<br>"),
      ]),
    ),
  ];
}
