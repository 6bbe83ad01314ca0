/**
 * The one way Charter writes YAML: every string that reaches an emitted manifest passes through
 * the `yaml` library's serialiser here (quoting, escaping, block scalars), never through string
 * concatenation. Documents come out in a stable form: no line folding, no anchors. Strings are
 * quoted wherever a YAML 1.1 reader — Kubernetes' sigs.k8s.io/yaml — would read them as
 * something else (`on`, `yes`, `2027-01-31`, `0o17`…), so a string stays a string; and a string
 * holding a character YAML 1.1 reads as a line break (U+0085, U+2028, U+2029) or refuses is
 * written as one escaped double-quoted line (yaml-string.ts), so no text can add or rename a key.
 * test/hostile-strings.test.ts and test/attacks/yaml-escaping.test.ts decode what it writes with
 * Kubernetes' own decoder (tools/kubernetes/k8s-decode).
 */
import {
  type CreateNodeOptions,
  type DocumentOptions,
  type SchemaOptions,
  stringify,
  type ToStringOptions,
} from "yaml";
import { goSafeDoubleQuoted, needsGoSafeQuoting } from "./yaml-string.js";

const STRING_TAG = "tag:yaml.org,2002:str";
const MERGE_TAG = "tag:yaml.org,2002:merge";

type Tags = Exclude<SchemaOptions["customTags"], undefined | null>;
type TagList = Extract<Tags, readonly unknown[]>;
type StringTag = Extract<TagList[number], { tag: string; stringify?: unknown }>;

/**
 * The YAML 1.1 tags with the string tag writing the strings go-yaml could misread itself, and
 * without the merge tag: Charter never writes a merge key, so a `<<` key is a string (quoted).
 */
function goSafeStrings(tags: TagList): TagList {
  const withoutMerge = tags.filter((tag) => typeof tag !== "object" || tag.tag !== MERGE_TAG);
  return withoutMerge.map((tag) => {
    if (typeof tag !== "object" || tag.tag !== STRING_TAG || !tag.stringify) return tag;
    const library = tag as StringTag & { stringify: NonNullable<StringTag["stringify"]> };
    return {
      ...library,
      stringify(item, ctx, onComment, onChompKeep) {
        const value = (item as { value?: unknown }).value;
        return typeof value === "string" && needsGoSafeQuoting(value)
          ? goSafeDoubleQuoted(value)
          : library.stringify(item, ctx, onComment, onChompKeep);
      },
    } satisfies StringTag;
  });
}

const OPTIONS: DocumentOptions & SchemaOptions & CreateNodeOptions & ToStringOptions = {
  version: "1.1",
  customTags: goSafeStrings,
  lineWidth: 0,
  aliasDuplicateObjects: false,
  defaultKeyType: "PLAIN",
  singleQuote: false,
};

export function toYaml(documents: readonly unknown[]): string {
  return documents.map((document) => stringify(document, OPTIONS)).join("---\n");
}
