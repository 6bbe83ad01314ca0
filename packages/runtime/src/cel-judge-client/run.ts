/**
 * Runs `cel-judge` once on a batch: one process per batch, the batch on stdin, the verdicts
 * on stdout. A crash, a non-zero exit or unreadable output is a CelJudgeError with stderr.
 */
import { spawn } from "node:child_process";
import type { JudgeBatch, JudgeOutput } from "./protocol.js";

export class CelJudgeError extends Error {
  override readonly name = "CelJudgeError";
}

function parseOutput(judgePath: string, stdout: string): JudgeOutput {
  let output: unknown;
  try {
    output = JSON.parse(stdout);
  } catch {
    throw new CelJudgeError(`${judgePath} wrote output that is not JSON: ${stdout.slice(0, 500)}`);
  }
  const shaped = output as Partial<JudgeOutput> | null;
  if (!Array.isArray(shaped?.results) || !Array.isArray(shaped?.compileErrors))
    throw new CelJudgeError(`${judgePath} wrote JSON without results: ${stdout.slice(0, 500)}`);
  return output as JudgeOutput;
}

export function runCelJudge(
  judgePath: string,
  batch: JudgeBatch,
  args: readonly string[] = [],
): Promise<JudgeOutput> {
  return runJudgeProcess(judgePath, args, batch).then((out) => parseOutput(judgePath, out));
}

/** Runs the judge with `args`, `input` as JSON on stdin; resolves with its stdout on exit 0. */
export function runJudgeProcess(
  judgePath: string,
  args: readonly string[],
  input: unknown,
): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(judgePath, args, { stdio: ["pipe", "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    // A judge that dies early closes its stdin (EPIPE); the exit below reports why.
    child.stdin.on("error", () => {});
    child.on("error", (error) =>
      reject(new CelJudgeError(`cannot run ${judgePath}: ${error.message}`)),
    );
    child.on("close", (code, signal) => {
      const out = Buffer.concat(stdout).toString("utf8");
      if (code === 0) {
        resolvePromise(out);
        return;
      }
      const err = Buffer.concat(stderr).toString("utf8").trim() || out.trim();
      const how = signal ? `was killed by ${signal}` : `exited with ${code}`;
      reject(new CelJudgeError(`cel-judge ${how}: ${err || "(no output)"}`));
    });
    child.stdin.end(JSON.stringify(input));
  });
}
