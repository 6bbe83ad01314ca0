/**
 * The caches' part of the webhook's GET /metrics, in the Prometheus text format the bundle
 * server writes (bundle-server/metrics.ts): one series per cached kind, labelled `kind`.
 */
import { labels } from "../../bundle-server/metrics.js";
import type { KindCacheState } from "./cache-state.js";

export function renderCacheMetrics(states: readonly KindCacheState[]): string {
  const lines: string[] = [];
  const family = (
    name: string,
    type: "gauge" | "counter",
    help: string,
    value: (state: KindCacheState) => number | undefined,
  ) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const state of states) {
      const sample = value(state);
      if (sample !== undefined) lines.push(`${name}${labels({ kind: state.kind })} ${sample}`);
    }
  };
  family(
    "charter_webhook_cache_synced",
    "gauge",
    "1 once the kind's first list is in (the cache then answers, also while disconnected).",
    (s) => (s.synced ? 1 : 0),
  );
  family(
    "charter_webhook_cache_connected",
    "gauge",
    "1 while the kind's list or watch connection is up; 0 while it serves its last state.",
    (s) => (s.connected ? 1 : 0),
  );
  family("charter_webhook_cache_objects", "gauge", "Objects held for the kind.", (s) => s.objects);
  family(
    "charter_webhook_cache_last_event_age_seconds",
    "gauge",
    "Seconds since the kind's last list or watch event.",
    (s) => (s.lastEventAgeMs === undefined ? undefined : s.lastEventAgeMs / 1000),
  );
  family(
    "charter_webhook_cache_restarts_total",
    "counter",
    "Times the kind's watch was restarted with a relist after a break.",
    (s) => s.restarts,
  );
  return `${lines.join("\n")}\n`;
}
