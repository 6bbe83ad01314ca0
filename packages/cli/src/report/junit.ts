/**
 * JUnit XML for `charter check --format junit`, in the Ant/Surefire dialect every CI test
 * reporter reads (there is no normative schema; shared/reference/targets.md §6.3).
 *
 * One `<testsuite>` per policy, one `<testcase>` per (resource, rule): a policy is what a reader
 * looks for first ("which policies fail?"), and reporters group by suite (GitLab's test report),
 * or by `classname` (Jenkins shows it as the class, so it is the policy name too, which has no
 * dots Jenkins would read as packages). The testcase's `file` and `line` attributes are what
 * GitHub annotators (mikepenz/action-junit-report, dorny/test-reporter) and GitLab place the
 * failure at. A failing rule is a `<failure>` whose `type` is the policy's enforcement, an
 * error row an `<error>`, a skip a `<skipped>`; a passing rule is a testcase with no child, so
 * the counts show how much was checked.
 */
import { groupBy } from "./group.js";
import { type ReportInput, resourceName } from "./report-input.js";
import { checkOf, fileOf, isObjectError, type ReportRow, sourceText } from "./rows.js";
import { xmlAttribute, xmlText } from "./xml-text.js";

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

function countsOf(rows: readonly ReportRow[]): Counts {
  return {
    tests: rows.length,
    failures: rows.filter((row) => row.result === "fail").length,
    errors: rows.filter((row) => row.result === "error").length,
    skipped: rows.filter((row) => row.result === "skip").length,
  };
}

function attributes(values: Record<string, string | number | undefined>): string {
  return Object.entries(values)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => ` ${name}="${xmlAttribute(String(value))}"`)
    .join("");
}

/** The failure's body: what a reader needs without opening the manifest. */
function details(row: ReportRow): string {
  return [
    row.message,
    `resource: ${row.resource.apiVersion} ${resourceName(row)}`,
    ...(row.source
      ? [`${"file" in row.source ? "file" : "source"}: ${sourceText(row.source)}`]
      : []),
    ...(isObjectError(row) ? [] : [`severity: ${row.severity}, enforcement: ${row.enforcement}`]),
    ...(!isObjectError(row) && row.exception
      ? [`exception: ${row.exception.name} (${row.exception.reason}; owner ${row.exception.owner})`]
      : []),
  ].join("\n");
}

function testcase(row: ReportRow): string[] {
  const { policy, rule } = checkOf(row);
  const open = `    <testcase${attributes({
    name: `${rule}: ${resourceName(row)}`,
    classname: policy,
    file: fileOf(row)?.file,
    line: fileOf(row)?.line,
    time: "0",
  })}`;
  const child =
    !isObjectError(row) && row.result === "fail"
      ? `      <failure${attributes({ message: row.message, type: row.enforcement })}>${xmlText(details(row))}</failure>`
      : row.result === "error"
        ? `      <error${attributes({ message: row.message, type: "error" })}>${xmlText(details(row))}</error>`
        : row.result === "skip"
          ? `      <skipped${attributes({ message: row.message })}/>`
          : undefined;
  return child === undefined ? [`${open}/>`] : [`${open}>`, child, "    </testcase>"];
}

export function toJunit({ rows, policies, now }: ReportInput): string {
  // Suites in policy order; a policy that matched nothing has no suite.
  const rank = new Map(policies.map((policy, index) => [policy.name, index]));
  // Object errors form the suite charter:input, after the policies'.
  const suites = [...groupBy(rows, (row) => checkOf(row).policy)].sort(
    ([a], [b]) => (rank.get(a) ?? rank.size) - (rank.get(b) ?? rank.size),
  );
  const timestamp = now.toISOString().replace(/\.\d+Z$/, "");
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attributes({ name: "charter check", ...countsOf(rows), time: "0" })}>`,
  ];
  suites.forEach(([policy, suiteRows], id) => {
    lines.push(
      `  <testsuite${attributes({ name: policy, id, ...countsOf(suiteRows), time: "0", timestamp })}>`,
      ...suiteRows.flatMap(testcase),
      "  </testsuite>",
    );
  });
  lines.push("</testsuites>");
  return lines.join("\n");
}
