/** The formats of `charter check --format`, each written by its own file's sink. */
export const FORMATS = [
  "table",
  "json",
  "sarif",
  "junit",
  "policyreport",
  "openreports",
  "github",
] as const;

export type Format = (typeof FORMATS)[number];

export function isFormat(name: string): name is Format {
  return (FORMATS as readonly string[]).includes(name);
}
