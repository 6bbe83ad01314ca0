/**
 * Markdown for generated docs: policy text is the author's, so every piece that lands in a code
 * span or a table cell goes through these functions and cannot break the page's structure.
 */

/** One line: Markdown ends a list item, a table row or a heading at a line break. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, " ").trim();
}

/** An inline code span that holds any text, backticks included (CommonMark §6.1). */
export function code(text: string): string {
  const line = oneLine(text);
  const longestRun = Math.max(0, ...(line.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longestRun + 1);
  const pad = line.startsWith("`") || line.endsWith("`") ? " " : "";
  return `${fence}${pad}${line}${pad}${fence}`;
}

/** Text for a table cell: one line, with the column separator escaped (GFM, also in code). */
export function cell(text: string): string {
  return oneLine(text).replaceAll("|", "\\|");
}

/** A table: a header row and rows of cells already made safe with `cell`. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** The id of a control's row in the matrix: `cis:5.2.2` → `cis-5-2-2`. */
export function controlAnchor(tag: string): string {
  return tag
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

/**
 * The id GitHub gives a policy's heading. Policy names are lower-case letters, digits and
 * dashes, so the name is its own anchor.
 */
export function policyAnchor(name: string): string {
  return name;
}

/** Code-point order, the same on every machine (no locale). */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
