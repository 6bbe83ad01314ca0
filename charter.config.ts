/**
 * Charter's own configuration: the policy library in `policies/` (loaded through its
 * `index.ts`). Per-policy parameter overrides go under `params`, keyed by policy name, e.g.
 * `params: { "restrict-image-registries": { allowed: ["registry.example.com/"] } }`.
 * The system namespaces no policy judges are the default (kube-system, kube-public,
 * kube-node-lease); `systemNamespaces: [...]` would change them (docs/cli.md).
 * The type import is erased at run time, so loading the config loads nothing else.
 */
import type { CharterConfig } from "@charter/cli";

export default {
  policies: "policies",
} satisfies CharterConfig;
