/**
 * The real OPA (v1.22.3, found by findOpa) against createBundleServer: it downloads the
 * bundle, long-polls for the next one, and uploads its decision logs and status.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findOpa } from "@charter/runtime";
import { afterEach, describe, expect, it } from "vitest";
import { type BundleServer, createBundleServer } from "./bundle-server.js";
import { jsonLogger } from "./log.js";

const opa = findOpa();
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** `opa build` of a one-rule bundle whose violation message is `message`, published by rename. */
function buildBundle(opaPath: string, root: string, bundlesDir: string, message: string): void {
  const src = join(root, `src-${message}`);
  mkdirSync(join(src, "charter"), { recursive: true });
  writeFileSync(
    join(src, "charter/x.rego"),
    `package charter\nviolations contains "${message}" if input.x == 1\n`,
  );
  writeFileSync(join(src, ".manifest"), JSON.stringify({ revision: message, roots: ["charter"] }));
  const temp = join(bundlesDir, ".charter.tar.gz.tmp");
  execFileSync(opaPath, ["build", "-b", src, "-o", temp], { stdio: "ignore" });
  renameSync(temp, join(bundlesDir, "charter.tar.gz"));
}

describe.skipIf(opa === undefined)("OPA against charter serve", () => {
  it("downloads, long-polls the next bundle, and uploads decision logs and status", async () => {
    const opaPath = opa as string;
    const root = mkdtempSync(join(tmpdir(), "charter-opa-"));
    const bundlesDir = join(root, "bundles");
    const logsDir = join(root, "logs");
    mkdirSync(bundlesDir);
    buildBundle(opaPath, root, bundlesDir, "first");
    const logs: Record<string, unknown>[] = [];
    const server: BundleServer = await createBundleServer({
      port: 0,
      bundlesDir,
      logsDir,
      logger: jsonLogger((line) => logs.push(JSON.parse(line)), "debug"),
    });
    cleanups.push(() => server.close());
    writeFileSync(
      join(root, "opa.yaml"),
      [
        "services:",
        `  charter: { url: "${server.url}" }`,
        "bundles:",
        "  charter:",
        "    service: charter",
        "    polling: { min_delay_seconds: 20, max_delay_seconds: 30, long_polling_timeout_seconds: 30 }",
        "decision_logs:",
        "  service: charter",
        "  reporting: { min_delay_seconds: 1, max_delay_seconds: 1 }",
        "status: { service: charter }",
        "",
      ].join("\n"),
    );
    const port = await freePort();
    const child: ChildProcess = spawn(
      opaPath,
      ["run", "--server", "--addr", `127.0.0.1:${port}`, "-c", join(root, "opa.yaml")],
      { stdio: "ignore" },
    );
    cleanups.push(() => child.kill("SIGKILL"));
    const query = async () => {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/v1/data/charter/violations`, {
          method: "POST",
          body: JSON.stringify({ input: { x: 1 } }),
        });
        return ((await response.json()) as { result?: unknown }).result;
      } catch {
        return undefined;
      }
    };
    await expect.poll(query, { timeout: 20_000, interval: 200 }).toEqual(["first"]);
    // OPA saw the vendor content type and now holds a long poll.
    await expect.poll(() => heldPolls(server.url), { timeout: 10_000 }).toBe(1);
    buildBundle(opaPath, root, bundlesDir, "second");
    // Well before the 20 s polling delay: only the held request can have brought it.
    await expect.poll(query, { timeout: 5_000, interval: 100 }).toEqual(["second"]);

    const events = () =>
      readdirSync(logsDir)
        .filter((file) => file.startsWith("decisions-"))
        .flatMap((file) => readFileSync(join(logsDir, file), "utf8").trim().split("\n"))
        .filter(Boolean)
        .map((line) => JSON.parse(line));
    await expect
      .poll(() => events().some((e) => e.result?.[0] === "second"), { timeout: 10_000 })
      .toBe(true);
    const last = events().at(-1);
    expect(last).toMatchObject({
      path: "charter/violations",
      input: { x: 1 },
      result: ["second"],
      bundles: { charter: { revision: "second" } },
    });
    expect(last.received_at).toMatch(/Z$/);
    const statuses = readFileSync(join(logsDir, "status-000001.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(statuses.some((s) => s.status?.bundles?.charter?.active_revision === "second")).toBe(
      true,
    );
  });
});

async function heldPolls(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^charter_serve_long_polls_held (\d+)$/m.exec(text)?.[1]);
}
