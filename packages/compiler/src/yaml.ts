/**
 * The one way Charter writes YAML: every string that reaches an emitted manifest passes through
 * the `yaml` library's serialiser here (quoting, escaping, block scalars), never through string
 * concatenation. Documents come out in a stable form: no line folding, no anchors. Strings are
 * quoted wherever a YAML 1.1 reader — Kubernetes' sigs.k8s.io/yaml — would read them as
 * something else (`on`, `yes`, `2027-01-31`, `0o17`…), so a string stays a string.
 */
import { stringify } from "yaml";

export function toYaml(documents: readonly unknown[]): string {
  return documents
    .map((document) =>
      stringify(document, {
        version: "1.1",
        lineWidth: 0,
        aliasDuplicateObjects: false,
        defaultKeyType: "PLAIN",
        singleQuote: false,
      }),
    )
    .join("---\n");
}
