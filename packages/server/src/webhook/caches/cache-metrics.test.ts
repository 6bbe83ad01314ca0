import { describe, expect, it } from "vitest";
import { renderCacheMetrics } from "./cache-metrics.js";

describe("the caches' metrics", () => {
  it("gives one series per kind, leaves out an age never measured, and escapes labels", () => {
    const text = renderCacheMetrics([
      {
        kind: "v1/Namespace",
        synced: true,
        connected: false,
        objects: 12,
        lastEventAgeMs: 1500,
        restarts: 2,
      },
      { kind: 'odd/"Kind"', synced: false, connected: false, objects: 0, restarts: 0 },
    ]);
    expect(text).toContain('charter_webhook_cache_synced{kind="v1/Namespace"} 1\n');
    expect(text).toContain('charter_webhook_cache_connected{kind="v1/Namespace"} 0\n');
    expect(text).toContain('charter_webhook_cache_objects{kind="v1/Namespace"} 12\n');
    expect(text).toContain(
      'charter_webhook_cache_last_event_age_seconds{kind="v1/Namespace"} 1.5\n',
    );
    expect(text).toContain('charter_webhook_cache_restarts_total{kind="v1/Namespace"} 2\n');
    expect(text).toContain('charter_webhook_cache_synced{kind="odd/\\"Kind\\""} 0\n');
    expect(text).not.toMatch(/last_event_age_seconds\{kind="odd/);
    expect(text).toContain("# TYPE charter_webhook_cache_restarts_total counter\n");
  });
});
