/**
 * The one way Charter writes YAML: every string that reaches an emitted manifest passes through
 * the `yaml` library's serialiser here (quoting, escaping, block scalars), never through string
 * concatenation. Documents come out in a stable form: no line folding, no anchors.
 */
import { stringify } from "yaml";

export function toYaml(documents: readonly unknown[]): string {
  return documents
    .map((document) =>
      stringify(document, {
        lineWidth: 0,
        aliasDuplicateObjects: false,
        defaultKeyType: "PLAIN",
        singleQuote: false,
      }),
    )
    .join("---\n");
}
