/**
 * Counters for GET /metrics, written as Prometheus text exposition format 0.0.4 by hand (a
 * dozen series do not need a client library).
 */
import type { Bundle } from "./bundle-store.js";
import type { ConnectionGuard } from "./connection-guard.js";
import type { DecodeBudget } from "./decode-budget.js";
import type { JsonlLog } from "./jsonl-log.js";

export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export interface Metrics {
  request(route: string, code: number, bytesSent: number): void;
  decisionsReceived(count: number): void;
  statusReceived(): void;
  rebuild(result: "ok" | "error"): void;
  /** What the gauges for connections, decoding and the log store read from. */
  watch(sources: MetricSources): void;
  render(state: { bundles: readonly Bundle[]; heldLongPolls: number }): string;
}

export interface MetricSources {
  readonly connections: ConnectionGuard;
  readonly decodeBudget: DecodeBudget;
  readonly stores: readonly JsonlLog[];
}

export function createMetrics(): Metrics {
  const requests = new Map<string, number>();
  const bytes = new Map<string, number>();
  const rebuilds = new Map<string, number>();
  let decisions = 0;
  let statuses = 0;
  let sources: MetricSources | undefined;
  const add = (map: Map<string, number>, key: string, by: number) =>
    map.set(key, (map.get(key) ?? 0) + by);

  return {
    request(route, code, bytesSent) {
      add(requests, labels({ route, code: String(code) }), 1);
      add(bytes, labels({ route }), bytesSent);
    },
    decisionsReceived(count) {
      decisions += count;
    },
    statusReceived() {
      statuses += 1;
    },
    rebuild(result) {
      add(rebuilds, labels({ result }), 1);
    },
    watch(watched) {
      sources = watched;
    },
    render({ bundles, heldLongPolls }) {
      const memory = process.memoryUsage();
      const lines: string[] = [];
      const family = (name: string, type: string, help: string, samples: [string, number][]) => {
        lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
        for (const [labelText, value] of samples) lines.push(`${name}${labelText} ${value}`);
      };
      family("charter_serve_requests_total", "counter", "HTTP requests by route and status code.", [
        ...requests,
      ]);
      family("charter_serve_response_bytes_total", "counter", "Body bytes sent, by route.", [
        ...bytes,
      ]);
      family(
        "charter_serve_bundle_info",
        "gauge",
        "The bundles served, with their revision and ETag (value is always 1).",
        bundles.map((b) => [
          labels({ bundle: b.name, revision: b.revision ?? "", etag: b.etag.replaceAll('"', "") }),
          1,
        ]),
      );
      family(
        "charter_serve_bundle_size_bytes",
        "gauge",
        "Size of each served bundle.",
        bundles.map((b) => [labels({ bundle: b.name }), b.bytes.length]),
      );
      family(
        "charter_serve_decision_logs_received_total",
        "counter",
        "Decision-log events received and stored.",
        [["", decisions]],
      );
      family(
        "charter_serve_status_reports_received_total",
        "counter",
        "Status reports received and stored.",
        [["", statuses]],
      );
      family("charter_serve_long_polls_held", "gauge", "Bundle requests held by long polling.", [
        ["", heldLongPolls],
      ]);
      family("charter_serve_rebuilds_total", "counter", "--watch rebuilds by result.", [
        ...rebuilds,
      ]);
      if (sources) {
        const open = sources.connections.counts();
        family(
          "charter_serve_connections",
          "gauge",
          "Open connections: proven (token or /health) or not yet.",
          [
            [labels({ state: "proven" }), open.proven],
            [labels({ state: "unproven" }), open.unproven],
          ],
        );
        family(
          "charter_serve_connections_closed_total",
          "counter",
          "Connections refused or closed by the connection limits, by reason.",
          Object.entries(sources.connections.closed()).map(([reason, n]) => [
            labels({ reason }),
            n,
          ]),
        );
        family("charter_serve_log_decoders_busy", "gauge", "Uploads being decoded.", [
          ["", sources.decodeBudget.busy()],
        ]);
        family(
          "charter_serve_log_decode_bytes",
          "gauge",
          "Bytes the uploads being decoded hold (bounded by --log-memory-budget).",
          [["", sources.decodeBudget.used()]],
        );
        family(
          "charter_serve_log_store_healthy",
          "gauge",
          "1 when the decision-log store can write, 0 when its last write failed.",
          [["", sources.stores.every((store) => store.failure() === undefined) ? 1 : 0]],
        );
      }
      family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", [
        ["", memory.rss],
      ]);
      family("nodejs_heap_used_bytes", "gauge", "V8 heap in use, in bytes.", [
        ["", memory.heapUsed],
      ]);
      return `${lines.join("\n")}\n`;
    },
  };
}

/** `{a="x",b="y"}` with the escapes the text format needs. */
export function labels(values: Record<string, string>): string {
  const quote = (v: string) =>
    v.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll('"', '\\"');
  return `{${Object.entries(values)
    .map(([k, v]) => `${k}="${quote(v)}"`)
    .join(",")}}`;
}
