/**
 * GET /metrics for the webhook, in Prometheus text format 0.0.4 written by hand as
 * bundle-server/metrics.ts does: requests by route and code, the review latency histogram,
 * decisions, each policy's results, and the judging context's cache state.
 */
import { labels } from "../bundle-server/metrics.js";
import { renderCacheMetrics } from "./caches/cache-metrics.js";
import type { CachedKindState } from "./judging-context.js";

/** Seconds; what an admission webhook is expected to answer in (the API server waits 10 s). */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface WebhookMetrics {
  request(route: string, code: number): void;
  /** A review answered: how long it took, whether allowed, and each policy's rows. */
  review(seconds: number, allowed: boolean, dryRun: boolean): void;
  policyResult(policy: string, result: string): void;
  /** Decisions that could not be stored or sent. */
  decisionLogFailed(events: number): void;
  render(state: { readonly synced: boolean; readonly kinds: readonly CachedKindState[] }): string;
}

export function createWebhookMetrics(): WebhookMetrics {
  const requests = new Map<string, number>();
  const decisions = new Map<string, number>();
  const results = new Map<string, number>();
  const bucketCounts = LATENCY_BUCKETS.map(() => 0);
  let latencyCount = 0;
  let latencySum = 0;
  let logFailures = 0;
  const add = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  // Every review counts a request, a decision and a row per policy: the label text of each
  // pair is built (quoted, escaped) once, not per count — under load it was ~10% of a review.
  const labelTexts = new Map<string, Map<string, string>>();
  const labelText = (first: string, second: string, make: () => string) => {
    const bySecond = labelTexts.get(first) ?? new Map<string, string>();
    if (bySecond.size === 0) labelTexts.set(first, bySecond);
    const known = bySecond.get(second);
    if (known !== undefined) return known;
    const text = make();
    bySecond.set(second, text);
    return text;
  };
  return {
    request(route, code) {
      const codeText = String(code);
      add(
        requests,
        labelText(`route ${route}`, codeText, () => labels({ route, code: codeText })),
      );
    },
    review(seconds, allowed, dryRun) {
      latencyCount++;
      latencySum += seconds;
      LATENCY_BUCKETS.forEach((bound, index) => {
        if (seconds <= bound) bucketCounts[index] = (bucketCounts[index] ?? 0) + 1;
      });
      const [allowedText, dryRunText] = [String(allowed), String(dryRun)];
      add(
        decisions,
        labelText(`allowed ${allowedText}`, dryRunText, () =>
          labels({ allowed: allowedText, dry_run: dryRunText }),
        ),
      );
    },
    policyResult(policy, result) {
      add(
        results,
        labelText(`policy ${policy}`, result, () => labels({ policy, result })),
      );
    },
    decisionLogFailed(events) {
      logFailures += events;
    },
    render({ synced, kinds }) {
      const lines: string[] = [];
      const family = (name: string, type: string, help: string, samples: [string, number][]) => {
        lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
        for (const [labelText, value] of samples) lines.push(`${name}${labelText} ${value}`);
      };
      family(
        "charter_webhook_requests_total",
        "counter",
        "HTTP requests by route and status code.",
        [...requests],
      );
      lines.push(
        "# HELP charter_webhook_review_duration_seconds Time from a review's first byte to its answer.",
        "# TYPE charter_webhook_review_duration_seconds histogram",
        ...LATENCY_BUCKETS.map(
          (bound, index) =>
            `charter_webhook_review_duration_seconds_bucket{le="${bound}"} ${bucketCounts[index]}`,
        ),
        `charter_webhook_review_duration_seconds_bucket{le="+Inf"} ${latencyCount}`,
        `charter_webhook_review_duration_seconds_sum ${latencySum}`,
        `charter_webhook_review_duration_seconds_count ${latencyCount}`,
      );
      family(
        "charter_webhook_decisions_total",
        "counter",
        "Reviews answered, by whether the request was allowed and whether it was a dry run.",
        [...decisions],
      );
      family(
        "charter_webhook_policy_results_total",
        "counter",
        "Rows judged, by policy and result (pass, fail, skip, error).",
        [...results],
      );
      family("charter_webhook_caches_synced", "gauge", "1 when every cached kind is synced.", [
        ["", synced ? 1 : 0],
      ]);
      // Per kind: synced, connected, objects, last event age, restarts.
      lines.push(renderCacheMetrics(kinds).trimEnd());
      family(
        "charter_webhook_decision_log_failures_total",
        "counter",
        "Decisions that could not be written to the decision log.",
        [["", logFailures]],
      );
      const memory = process.memoryUsage();
      family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", [
        ["", memory.rss],
      ]);
      return `${lines.join("\n")}\n`;
    },
  };
}
