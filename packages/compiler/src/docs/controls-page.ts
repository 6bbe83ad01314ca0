/**
 * docs/controls.md: the control vocabulary a policy's `controls` cite and `--select` picks
 * from, written from the table compiled into the CLI (controls.ts), so what the docs list is
 * what `charter docs` and `--select` know. A test keeps the committed page equal to this.
 */
import { CONTROLS, type Control, SCHEMES } from "./controls.js";

const INTRO = `# Control tags

<!-- Written from packages/compiler/src/docs/controls.ts by controlsPage() (packages/compiler/src/docs/controls-page.ts); test/newcomer/docs-match-behaviour.test.ts keeps it current. -->

A policy lists the controls it implements in \`controls\`; \`--select\` picks policies by them and
\`charter docs\` builds the compliance matrix from them. These are the tags Charter knows. Titles
are short paraphrases, not the publishers' wording.

## Tag grammar

| scheme | form | example |
| --- | --- | --- |
| Pod Security Standards | \`pss:<level>:<checkId>\` | \`pss:restricted:runAsNonRoot\` |
| CIS Kubernetes Benchmark v1.12, section 5 (and two items outside it) | \`cis:<id>\` | \`cis:5.2.2\` |
| NSA/CISA Kubernetes Hardening Guidance v1.2 | \`nsa:<section>[:<topic>]\` | \`nsa:pod-security:non-root\` |
| Specification areas | \`area:<slug>\` | \`area:escape-prevention\` |

- A PSS check is tagged with the level that **defines** it, its check id spelled as the Pod
  Security Admission code spells it (baseline checks are not re-tagged \`pss:restricted:…\`).
- Tag a CIS or NSA id only when the policy enforces all of what that item asks; a section tag
  (\`cis:5.3\`, \`nsa:network\`) is fine when no finer id fits.
- A policy lists its PSS check (if any), the CIS and NSA ids it enforces, then one or more
  areas. A registry policy, for example, cites \`cis:5.5.1\`, \`nsa:pod-security:secure-images\`,
  \`nsa:threat-model:supply-chain\` and \`area:image-signing\`.

## Selecting by tag

\`--select S\` picks a policy when one of its tags \`T\` equals \`S\` or continues it after \`:\` or
\`.\`: \`cis:5.2\` selects \`cis:5.2.2\`, and \`cis:5.2.1\` never selects \`cis:5.2.10\`.
\`pss:baseline\` and \`pss:restricted\` are the Pod Security Admission profiles: \`pss:restricted\`
is every baseline and restricted check, less the baseline checks a restricted check replaces
(marked below).
`;

/** The page, deterministic. */
export function controlsPage(): string {
  const sections = SCHEMES.map(({ id, title }) => {
    const controls = CONTROLS.filter((control) => control.scheme === id);
    const extra =
      id === "pss-restricted" ? "replaces" : id === "area" ? "what its policies check" : "";
    const header = extra
      ? `| tag | title | ${extra} |\n| --- | --- | --- |`
      : "| tag | title |\n| --- | --- |";
    const rows = controls.map((control) => row(control, extra !== ""));
    return `## ${title}\n\n${header}\n${rows.join("\n")}\n`;
  });
  return `${INTRO}\n${sections.join("\n")}`;
}

function row(control: Control, extraColumn: boolean): string {
  const tag = control.section ? `\`${control.tag}\` (section)` : `\`${control.tag}\``;
  const cells = [tag, cell(control.title)];
  if (extraColumn) {
    const extra = control.replaces ? `\`${control.replaces}\`` : (control.summary ?? "");
    cells.push(cell(extra));
  }
  return `| ${cells.join(" | ")} |`;
}

/** Table cells hold no `|` or line break. */
function cell(text: string): string {
  return text.replace(/\s+/g, " ").replaceAll("|", "\\|");
}
