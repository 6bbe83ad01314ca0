#!/usr/bin/env node
/**
 * Writes packages/compiler/src/docs/controls.ts: the control vocabulary of
 * shared/reference/controls.md (tag, short title, scheme, order) for `charter docs`. The CLI is
 * published on its own, so it cannot read ../shared at run time; the table is generated once
 * and committed.
 *
 *   node scripts/gen-controls.mjs           regenerate the table
 *   node scripts/gen-controls.mjs --check   exit 1 when the committed table is stale
 *
 * What is read, in the order of the page:
 * - §1.1 and §1.2 tables: PSS checks (title: the "docs control" column, parentheses dropped);
 *   §1.3's "restricted → baseline" list gives the baseline check each restricted one replaces;
 * - §2: the sub-section tags (`cis:5.1` …), the table of section-5 ids, and the two ids outside
 *   section 5 named in its last paragraph; ordered by their numbers;
 * - §3: the section tags (`nsa:pod-security` = "…") and the table, each section's tag first;
 * - §4: the area table.
 * Anything the parser expects and does not find is an error: a reworded page must be looked at,
 * not half-read.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SOURCE = path.resolve(repoRoot, "../shared/reference/controls.md");
export const TABLE_PATH = path.join(repoRoot, "packages/compiler/src/docs/controls.ts");

/** The schemes in the order the matrix shows them. */
export const SCHEMES = [
  { id: "pss-baseline", title: "Pod Security Standards: baseline" },
  { id: "pss-restricted", title: "Pod Security Standards: restricted" },
  { id: "cis", title: "CIS Kubernetes Benchmark v1.12" },
  { id: "nsa", title: "NSA/CISA Kubernetes Hardening Guidance v1.2" },
  { id: "area", title: "Container-security specification areas" },
];

function fail(message) {
  throw new Error(`controls.md: ${message}; update scripts/gen-controls.mjs`);
}

/** The text of the section whose heading starts with `prefix`, up to the next heading. */
function section(markdown, prefix) {
  const lines = markdown.split("\n");
  const start = lines.findIndex((line) => /^#{2,3} /.test(line) && line.includes(prefix));
  if (start < 0) fail(`no heading "${prefix}"`);
  const end = lines.findIndex((line, i) => i > start && /^#{2,3} /.test(line));
  return lines.slice(start + 1, end < 0 ? undefined : end).join("\n");
}

/** Table rows whose first cell is a backticked tag: [tag, second cell]. */
function tableRows(text, scheme) {
  const rows = [];
  for (const line of text.split("\n")) {
    const match = /^\|\s*`([^`]+)`\s*\|\s*([^|]+?)\s*\|/.exec(line);
    if (match?.[1].startsWith(`${scheme}:`)) rows.push([match[1], match[2]]);
  }
  if (rows.length === 0) fail(`no ${scheme}: table rows`);
  return rows;
}

const unparenthesize = (title) =>
  title.startsWith("(") && title.endsWith(")") ? title.slice(1, -1) : title;
/** One line, first letter capitalised: titles in prose may wrap. */
const capitalize = (title) => {
  const line = title.replace(/\s+/g, " ").trim();
  return line[0].toUpperCase() + line.slice(1);
};

function pssControls(markdown) {
  const replaces = new Map();
  for (const match of section(markdown, "1.3").matchAll(/^- `(\w+)` → `(\w+)`/gm)) {
    replaces.set(match[1], match[2]);
  }
  if (replaces.size === 0) fail("no overrides in §1.3");
  const controls = [];
  for (const [heading, level] of [
    ["1.1 Baseline", "baseline"],
    ["1.2 Restricted", "restricted"],
  ]) {
    for (const [tag, title] of tableRows(section(markdown, heading), `pss:${level}`)) {
      const check = tag.split(":")[2];
      const replaced = replaces.get(check);
      controls.push({
        tag,
        title: capitalize(unparenthesize(title)),
        scheme: `pss-${level}`,
        section: false,
        ...(replaced ? { replaces: `pss:baseline:${replaced}` } : {}),
      });
    }
  }
  return controls;
}

function cisControls(markdown) {
  const text = section(markdown, "2. CIS");
  const controls = [];
  const subSections = /Sub-sections \(also valid tags\):([\s\S]*?)\n\n/.exec(text)?.[1];
  if (!subSections) fail("no CIS sub-section list");
  for (const match of subSections.matchAll(/`(?:cis:)?(5\.\d)` ([^,`.]+)/g)) {
    controls.push({
      tag: `cis:${match[1]}`,
      title: capitalize(match[2].trim()),
      scheme: "cis",
      section: true,
    });
  }
  for (const [tag, title] of tableRows(text, "cis")) {
    controls.push({ tag, title, scheme: "cis", section: false });
  }
  const outside =
    /Outside section 5: `(cis:[\d.]+)` \(([^)]+)\)[\s\S]*?\(`(cis:[\d.]+)` is (?:the )?([^)]+)\)/.exec(
      text,
    );
  if (!outside) fail("no ids outside section 5");
  controls.push({ tag: outside[1], title: capitalize(outside[2]), scheme: "cis", section: false });
  // "(`cis:1.2.27` is the API-server flag pointing at it)": "it" is the configuration file.
  const flag = outside[4].replace(/ at it$/, " at the EncryptionConfiguration file");
  controls.push({ tag: outside[3], title: capitalize(flag), scheme: "cis", section: false });
  const order = (tag) => tag.slice(4).split(".").map(Number);
  return controls.sort((a, b) => {
    const [x, y] = [order(a.tag), order(b.tag)];
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
      if ((x[i] ?? -1) !== (y[i] ?? -1)) return (x[i] ?? -1) - (y[i] ?? -1);
    }
    return 0;
  });
}

function nsaControls(markdown) {
  const text = section(markdown, "3. NSA");
  const sections = new Map();
  for (const match of text.matchAll(/`(nsa:[a-z-]+)` =\s+"([^"]+)"/g)) {
    sections.set(match[1], match[2]);
  }
  if (sections.size === 0) fail("no NSA section ids");
  const controls = [];
  const shown = new Set();
  for (const [tag, title] of tableRows(text, "nsa")) {
    const parent = tag.split(":").slice(0, 2).join(":");
    if (sections.has(parent) && !shown.has(parent)) {
      shown.add(parent);
      controls.push({
        tag: parent,
        title: capitalize(sections.get(parent)),
        scheme: "nsa",
        section: true,
      });
    }
    controls.push({ tag, title, scheme: "nsa", section: false });
  }
  for (const [tag] of sections) if (!shown.has(tag)) fail(`NSA section ${tag} has no items`);
  return controls;
}

/** Area slugs whose words need more than capitalising (the issue's names for them). */
const AREA_TITLES = { rbac: "RBAC", "monitoring-alerting": "Monitoring and alerting" };

/** An area's title is its slug in words; the table's description becomes its summary. */
function areaControls(markdown) {
  return tableRows(section(markdown, "4. Project"), "area").map(([tag, summary]) => {
    const slug = tag.slice("area:".length);
    return {
      tag,
      title: AREA_TITLES[slug] ?? capitalize(slug.replaceAll("-", " ")),
      scheme: "area",
      section: false,
      summary: summary.replace(/\s+/g, " ").trim(),
    };
  });
}

/** Every control of controls.md, in the order the matrix lists them. */
export function parseControls(markdown) {
  const controls = [
    ...pssControls(markdown),
    ...cisControls(markdown),
    ...nsaControls(markdown),
    ...areaControls(markdown),
  ];
  const tags = new Set();
  for (const { tag } of controls) {
    if (tags.has(tag)) fail(`${tag} twice`);
    tags.add(tag);
  }
  return controls;
}

/** A string literal as Biome writes it: double quotes unless the text has more of them. */
function quote(value) {
  if (typeof value !== "string") return JSON.stringify(value);
  const simple = !/['\\\n]/.test(value);
  return simple && value.includes('"') ? `'${value}'` : JSON.stringify(value);
}

/** The module, already in Biome's format (objects expanded, one property a line). */
export function renderModule(controls) {
  const object = (fields) =>
    `  {\n${Object.entries(fields)
      .map(([key, value]) => {
        const line = `    ${key}: ${quote(value)},`;
        // Biome moves a value that does not fit in 100 columns to the next line.
        return line.length > 100 ? `    ${key}:\n      ${quote(value)},\n` : `${line}\n`;
      })
      .join("")}  },\n`;
  return `/**
 * The control vocabulary of shared/reference/controls.md: every tag a policy may cite, with its
 * short title, in the order the compliance matrix lists them. Generated by
 * scripts/gen-controls.mjs (the CLI cannot read ../shared once published); do not edit.
 */

export type ControlScheme = ${SCHEMES.map(({ id }) => JSON.stringify(id)).join(" | ")};

export interface Control {
  readonly tag: string;
  readonly title: string;
  readonly scheme: ControlScheme;
  /** A section-level tag (\`cis:5.1\`, \`nsa:network\`): valid when no finer id fits. */
  readonly section: boolean;
  /** For a restricted PSS check: the baseline check it replaces at restricted level. */
  readonly replaces?: string;
  /** For an area: what its policies check. */
  readonly summary?: string;
}

export const SCHEMES: readonly { readonly id: ControlScheme; readonly title: string }[] = [
${SCHEMES.map(object).join("")}];

export const CONTROLS: readonly Control[] = [
${controls.map(object).join("")}];
`;
}

function main() {
  const text = renderModule(parseControls(fs.readFileSync(SOURCE, "utf8")));
  const shown = path.relative(process.cwd(), TABLE_PATH);
  if (process.argv.includes("--check")) {
    const current = fs.existsSync(TABLE_PATH) ? fs.readFileSync(TABLE_PATH, "utf8") : "";
    if (current !== text) {
      console.log(`${shown} is stale: run node scripts/gen-controls.mjs`);
      process.exit(1);
    }
    console.log(`${shown}: up to date`);
    return;
  }
  fs.writeFileSync(TABLE_PATH, text);
  console.log(`wrote ${shown}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) main();
