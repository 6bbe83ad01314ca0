/**
 * `charter serve` as a user runs it: the built CLI in a child process (run `pnpm build`
 * first), stopped with SIGTERM.
 */
import { type ChildProcess, spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { CHARTER_BIN } from "../charter-bundle-command.js";

const repoRoot = resolve(fileURLToPath(import.meta.url), "../../../../..");
const scratch = () => mkdtempSync(join(tmpdir(), "charter-serve-cli-"));

interface Running {
  readonly child: ChildProcess;
  readonly url: string;
  /** The structured log lines so far. */
  readonly logs: Record<string, unknown>[];
  readonly exited: Promise<number | null>;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

/** Starts `charter serve --port 0 …` and waits for its `listening` line. */
async function serve(args: string[], cwd: string): Promise<Running> {
  const child = spawn(process.execPath, [CHARTER_BIN, "serve", "--port", "0", ...args], {
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  const logs: Record<string, unknown>[] = [];
  let buffered = "";
  const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
  const url = await new Promise<string>((done, fail) => {
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry.msg === "listening") done(String(entry.url));
      }
    });
    exited.then((code) => fail(new Error(`serve exited with ${code}: ${buffered}`)));
  });
  return { child, url, logs, exited };
}

describe("charter serve (built CLI)", () => {
  it("logs where it listens, serves, and on SIGTERM finishes its work and exits 0", async () => {
    const root = scratch();
    mkdirSync(join(root, "bundles"));
    writeFileSync(join(root, "bundles/charter.tar.gz"), gzipSync("not really a tarball"));
    const run = await serve(["--bundles", "bundles", "--logs", "logs", "--log-requests"], root);
    expect(run.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(run.logs.find((l) => l.msg === "listening")).toMatchObject({ level: "info" });

    const bundle = await fetch(`${run.url}/bundles/charter.tar.gz`);
    expect(bundle.status).toBe(200);
    const etag = bundle.headers.get("etag") ?? "";
    const held = fetch(`${run.url}/bundles/charter`, {
      headers: { "If-None-Match": etag, Prefer: "wait=60" },
    });
    const upload = await fetch(`${run.url}/logs`, {
      method: "POST",
      headers: { "Content-Encoding": "gzip" },
      body: gzipSync(JSON.stringify([{ decision_id: "d1" }])),
    });
    expect(upload.status).toBe(204);
    await expect
      .poll(async () =>
        (await (await fetch(`${run.url}/metrics`)).text()).match(/long_polls_held 1$/m),
      )
      .toBeTruthy();

    run.child.kill("SIGTERM");
    expect((await held).status).toBe(304);
    expect(await run.exited).toBe(0);
    const messages = run.logs.map((l) => l.msg);
    expect(messages).toContain("shutting down");
    expect(messages.at(-1)).toBe("stopped");
    const request = run.logs.find((l) => l.msg === "request" && l.path === "/logs");
    expect(request).toMatchObject({ method: "POST", status: 204 });
    expect(typeof request?.duration_ms).toBe("number");
    const line = JSON.parse(readFileSync(join(root, "logs/decisions-000001.jsonl"), "utf8"));
    expect(line.decision_id).toBe("d1");
  });

  it("a busy port is a usage error (exit 2), not a stack trace", async () => {
    const root = scratch();
    const first = await serve(["--bundles", "b"], root);
    const port = new URL(first.url).port;
    const second = spawn(
      process.execPath,
      [CHARTER_BIN, "serve", "--port", port, "--bundles", "b"],
      {
        cwd: root,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    children.push(second);
    let stderr = "";
    second.stderr?.setEncoding("utf8").on("data", (c: string) => {
      stderr += c;
    });
    expect(await new Promise((done) => second.on("exit", done))).toBe(2);
    expect(stderr).toMatch(/cannot listen on 127\.0\.0\.1:\d+ \(EADDRINUSE\)/);
    first.child.kill("SIGINT");
    expect(await first.exited).toBe(0);
  });

  const hasBundleCommand = existsSync(join(repoRoot, "packages/cli/src/commands/bundle.ts"));
  it.skipIf(!hasBundleCommand)(
    "--watch builds at start and rebuilds when a policy changes",
    async () => {
      const project = scratch();
      mkdirSync(join(project, "policies"));
      symlinkSync(join(repoRoot, "node_modules"), join(project, "node_modules"));
      const policy = (message: string) =>
        [
          'import { pod, policy, when } from "@charter/dsl";',
          'export default policy("watched-policy", {',
          '  title: "Watched", severity: "low", category: "Test", controls: [], match: pod,',
          "  rules: {",
          "    privileged: {",
          "      fail: when`any c in pod.containers: c.securityContext.privileged == true`,",
          `      message: ${JSON.stringify(message)},`,
          "    },",
          "  },",
          "  cases: { pass: [], fail: [] },",
          "});",
          "",
        ].join("\n");
      writeFileSync(join(project, "policies/p.ts"), policy("v1"));
      const run = await serve(["--watch", "--policies", "policies", "--bundles", "out"], project);
      await expect
        .poll(async () => (await fetch(`${run.url}/bundles/charter`)).status, { timeout: 60_000 })
        .toBe(200);
      const first = (await fetch(`${run.url}/bundles/charter`)).headers.get("etag") ?? "";
      const held = fetch(`${run.url}/bundles/charter`, {
        headers: { "If-None-Match": first, Prefer: "wait=120" },
      });
      // Saved the way editors do: a new file renamed over the old one.
      writeFileSync(join(project, "policies/.p.ts.new"), policy("v2"));
      renameSync(join(project, "policies/.p.ts.new"), join(project, "policies/p.ts"));
      const changed = await held;
      expect(changed.status).toBe(200);
      expect(changed.headers.get("etag")).not.toBe(first);
      expect(run.logs.map((l) => l.msg)).toContain("serving the rebuilt bundle");

      // A broken policy keeps the last good bundle.
      writeFileSync(join(project, "policies/p.ts"), "export default 42;\n");
      await expect
        .poll(
          () =>
            run.logs.some((l) => l.level === "error" && String(l.msg).startsWith("rebuild failed")),
          {
            timeout: 60_000,
          },
        )
        .toBe(true);
      const still = await fetch(`${run.url}/bundles/charter`);
      expect(still.headers.get("etag")).toBe(changed.headers.get("etag"));
      run.child.kill("SIGTERM");
      expect(await run.exited).toBe(0);
    },
  );
});
