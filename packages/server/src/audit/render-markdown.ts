/** The audit report for people: a summary and one table per view (GitHub-flavoured Markdown). */
import type {
  AuditReport,
  Counts,
  ImageCounts,
  ImageSection,
  ImagesReport,
  TrendOf,
} from "./audit-report.js";
import { SEVERITY_NAMES } from "./event-images.js";

/** A table cell: pipes and line breaks would break the row. */
const cell = (value: unknown): string =>
  String(value ?? "–")
    .replaceAll("|", "\\|")
    .replace(/\r?\n/g, " ");

function table(head: readonly string[], rows: readonly (readonly unknown[])[]): string[] {
  const align = head.map((h) => (h.startsWith(">") ? "---:" : "---"));
  return [
    `| ${head.map((h) => h.replace(/^>/, "")).join(" | ")} |`,
    `| ${align.join(" | ")} |`,
    ...rows.map((row) => `| ${row.map(cell).join(" | ")} |`),
  ];
}

const rate = (c: Counts): string =>
  c.decisions === 0 ? "–" : `${((100 * c.violatingDecisions) / c.decisions).toFixed(1)} %`;

const enforcement = (byEnforcement: Readonly<Record<string, number>>): string =>
  Object.entries(byEnforcement)
    .map(([name, count]) => `${name} ${count}`)
    .join(", ") || "–";

export function renderMarkdown(report: AuditReport): string {
  const { totals, filters } = report;
  const lines: string[] = ["# Charter audit report", ""];
  const asked = [
    filters.since && `since ${filters.since}`,
    filters.until && `until ${filters.until} (exclusive)`,
    filters.select && `policies citing ${filters.select}`,
  ].filter(Boolean);
  lines.push(
    `Decision logs: \`${report.logs}\` (${report.files.length} file${report.files.length === 1 ? "" : "s"})${asked.length ? `, ${asked.join(", ")}` : ""}.`,
    report.range.first
      ? `Covers ${report.range.first} to ${report.range.last}.`
      : "Covers no time: no dated event was counted.",
    "",
  );
  if (totals.decisions === 0) {
    lines.push(
      "**No decisions** of `charter/violations` were found in these logs" +
        (totals.outsideRange
          ? ` (${totals.outsideRange} events fell outside the time range).`
          : "."),
      "",
    );
  }
  lines.push(
    "## Totals",
    "",
    ...table(
      ["What", ">Count"],
      [
        ["Decisions (`charter/violations`)", totals.decisions],
        ["Decisions with a violation", `${totals.violatingDecisions} (${rate(totals)})`],
        ["Violations", totals.violations],
        ["Violations by enforcement", enforcement(report.byEnforcement)],
        ["Other queries (not judged)", totals.otherQueries],
        ["Decisions that errored", totals.errored],
        ["Corrupt lines", totals.corruptLines],
        ["Events outside --since/--until", totals.outsideRange],
        ["Events without a time", totals.untimed],
      ],
    ),
    "",
  );
  lines.push(
    "## Policies",
    "",
    ...table(
      [
        "Policy",
        "Title",
        "Severity",
        "Controls",
        ">Decisions with a violation",
        ">Violations",
        "Enforcement",
        "Rules",
      ],
      report.policies.map((p) => [
        `\`${p.policy}\``,
        p.title,
        p.severity,
        p.controls === null ? "unknown" : p.controls.join(", ") || "–",
        p.violatingDecisions,
        p.violations,
        enforcement(p.byEnforcement),
        p.rules.map((r) => `${r.rule} (${r.violations})`).join(", ") || "–",
      ]),
    ),
    "",
  );
  const countRows = <T extends Counts>(rows: readonly T[], name: (row: T) => string) =>
    rows.map((row) => [
      name(row),
      row.decisions,
      row.violatingDecisions,
      rate(row),
      row.violations,
    ]);
  const countHead = (first: string) => [
    first,
    ">Decisions",
    ">With a violation",
    ">Rate",
    ">Violations",
  ];
  lines.push(
    "## Namespaces",
    "",
    ...table(
      countHead("Namespace"),
      countRows(report.namespaces, (n) => n.namespace),
    ),
    "",
  );
  lines.push(
    "## Controls",
    "",
    ...table(
      ["Control", "Policies", ">Decisions with a violation", ">Violations"],
      report.controls.map((c) => [
        c.control,
        c.policies.join(", "),
        c.violatingDecisions,
        c.violations,
      ]),
    ),
    "",
  );
  lines.push(
    `## Time windows (${filters.window}, UTC)`,
    "",
    ...table(
      countHead("Window start"),
      countRows(report.windows, (w) => w.start),
    ),
    "",
  );
  if (report.images) lines.push(...imagesSection(report.images, filters.window));
  lines.push(
    "## Bundle revisions",
    "",
    ...(report.bundles.length
      ? table(
          ["Bundle", "Revision", ">Events", "First", "Last"],
          report.bundles.map((b) => [b.bundle, `\`${b.revision}\``, b.decisions, b.first, b.last]),
        )
      : ["No event named a bundle revision."]),
    "",
  );
  if (report.otherQueries.length) {
    lines.push(
      "## Other queries",
      "",
      ...table(
        ["Path", ">Events"],
        report.otherQueries.map((q) => [`\`${q.path}\``, q.decisions]),
      ),
      "",
    );
  }
  if (report.errors.count) {
    lines.push(
      "## Decisions that errored",
      "",
      ...table(
        ["Where", "Decision", "Time", "Path", "Error"],
        report.errors.shown.map((e) => [
          `${e.file}:${e.line}`,
          e.decisionId,
          e.timestamp,
          e.path,
          e.message,
        ]),
      ),
      ...(report.errors.count > report.errors.shown.length
        ? ["", `…and ${report.errors.count - report.errors.shown.length} more.`]
        : []),
      "",
    );
  }
  if (report.corruptLines.count) {
    lines.push(
      "## Corrupt lines",
      "",
      ...table(
        ["Where", "Problem"],
        report.corruptLines.shown.map((c) => [`${c.file}:${c.line}`, c.reason]),
      ),
      ...(report.corruptLines.count > report.corruptLines.shown.length
        ? ["", `…and ${report.corruptLines.count - report.corruptLines.shown.length} more.`]
        : []),
      "",
    );
  }
  return lines.join("\n").trimEnd();
}

const ARROW = { up: "↑", down: "↓", flat: "→" } as const;

const trendText = (label: string, t: TrendOf): string =>
  `${label} ${t.first} → ${t.last} ${ARROW[t.direction]}`;

function trendLine(section: ImageSection): string {
  const { trend } = section;
  if (!trend) {
    return section.total.scanned === 0
      ? "No trend: no image here has a scan."
      : "No trend: fewer than two windows have a scanned image.";
  }
  const parts = SEVERITY_NAMES.map((s) => trendText(s, trend.vulnerabilities[s]));
  parts.push(trendText("images with a CRITICAL", trend.withCritical));
  return `Trend ${trend.from} → ${trend.to}: ${parts.join(", ")}.`;
}

/** A severity's cell: "–" when nothing was scanned (0 would read as clean). */
const findings = (c: ImageCounts, severity: (typeof SEVERITY_NAMES)[number]): string =>
  c.scanned === 0
    ? "–"
    : c.withFixable > 0
      ? `${c.vulnerabilities[severity]} (${c.fixable[severity]} fixable)`
      : String(c.vulnerabilities[severity]);

function imageRow(first: string, c: ImageCounts): unknown[] {
  return [
    first,
    c.images,
    c.scanned,
    c.scanned === 0 ? "–" : c.withCritical,
    ...SEVERITY_NAMES.map((s) => findings(c, s)),
  ];
}

function imagesSection(images: ImagesReport, window: string): string[] {
  const head = [
    "Window start",
    ">Images",
    ">Scanned",
    ">With a CRITICAL",
    ...SEVERITY_NAMES.map((s) => `>${s}`),
  ];
  const lines = [
    `## Images and vulnerabilities (${window} windows, UTC)`,
    "",
    "Distinct images per namespace and window (by digest, else canonical reference), each at its " +
      "newest scan in the window. " +
      `Read from the \`images\` of ${images.decisions.logged} webhook decision${images.decisions.logged === 1 ? "" : "s"} ` +
      `and the inputs of ${images.decisions.input} other${images.decisions.input === 1 ? "" : "s"} (OPA: no digest, no scan).`,
    "",
    `All namespaces: ${images.all.total.images} images, ${images.all.total.scanned} scanned. ${trendLine(images.all)}`,
    "",
  ];
  for (const ns of images.namespaces) {
    lines.push(
      `### ${cell(ns.namespace)}`,
      "",
      trendLine(ns),
      "",
      ...table(head, [
        ...ns.windows.map((w) => imageRow(w.start, w)),
        imageRow("whole range", ns.total),
      ]),
      "",
    );
  }
  const { malformed } = images;
  if (malformed.count) {
    lines.push(
      "### Malformed image entries (not counted)",
      "",
      ...table(
        ["Where", "Decision", "Time", "Problem"],
        malformed.shown.map((m) => [`${m.file}:${m.line}`, m.decisionId, m.timestamp, m.message]),
      ),
      ...(malformed.count > malformed.shown.length
        ? ["", `…and ${malformed.count - malformed.shown.length} more.`]
        : []),
      "",
    );
  }
  return lines;
}
