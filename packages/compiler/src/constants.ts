/**
 * `@charter/compiler/constants`: what the CLI names without compiling anything — engine versions
 * and the webhook's defaults for its flags and help, the control vocabulary for `--select`, the
 * counting words of its summaries. `charter --help` and `charter check` need these, not the
 * emitters (this entry loads none of them).
 */
export { CONTROLS, type Control } from "./docs/controls.js";
export { count, policies as policiesCount } from "./docs/plural.js";
export { MINIMUM_VERSIONS } from "./targets/engine-versions.js";
export { WEBHOOK_TARGET } from "./targets/webhook-target.js";
export {
  DEFAULT_WEBHOOK_NAMESPACE,
  DEFAULT_WEBHOOK_TIMEOUT_SECONDS,
  MAX_WEBHOOK_TIMEOUT_SECONDS,
  WEBHOOK_FAILURE_POLICIES,
} from "./webhook/webhook-options.js";
