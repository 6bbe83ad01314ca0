/**
 * `charter webhook` as a user runs it: the built CLI in a child process (run `pnpm build`
 * first), its `listening` log line awaited, stopped with a signal.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import { repoRoot } from "./run-cli.js";

const CLI = resolve(repoRoot, "packages/cli/bin/charter.js");

export interface RunningWebhook {
  readonly child: ChildProcess;
  /** `https://127.0.0.1:<port>` (no path). */
  readonly base: string;
  readonly port: number;
  /** What it printed on stdout (the CA with --self-signed). */
  stdout(): string;
  /** The structured log lines so far. */
  logs(): Record<string, unknown>[];
  readonly exited: Promise<number | null>;
}

const running: ChildProcess[] = [];

/** Kills what a test left running (afterEach). */
export function killWebhooks(): void {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
}

export async function startWebhookCli(
  args: readonly string[],
  cwd: string,
): Promise<RunningWebhook> {
  const child = spawn(process.execPath, [CLI, "webhook", "--port", "0", ...args], {
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.push(child);
  let out = "";
  let err = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
  const logs = () =>
    err
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  const url = await new Promise<string>((done, fail) => {
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      err += chunk;
      const listening = logs().find((line) => line.msg === "listening");
      if (listening) done(String(listening.url));
    });
    child.on("exit", (code) => fail(new Error(`charter webhook exited ${code}:\n${err}`)));
  });
  const base = url.replace(/\/validate$/, "");
  return { child, base, port: Number(new URL(base).port), stdout: () => out, logs, exited };
}

/** The caBundle line `--self-signed` prints. */
export function caBundleOf(stdout: string): string {
  const found = /^caBundle: (\S+)$/m.exec(stdout);
  if (!found) throw new Error(`no caBundle line in:\n${stdout}`);
  return found[1] as string;
}
