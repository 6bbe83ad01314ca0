export { type CharterConfig, defineConfig } from "./config.js";
export { main } from "./main.js";
export type { ReportInput } from "./report/report-input.js";
export { type Row, summarize } from "./report/rows.js";
