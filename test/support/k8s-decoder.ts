/**
 * A client of tools/kubernetes/k8s-decode: kubectl's own reading of a manifest stream (cli-runtime's
 * resource.Builder with FlattenListVisitor over apimachinery's YAMLOrJSONDecoder), the judge
 * of what Charter's loader must read. One process serves every request of a test file: JSON
 * lines in, JSON lines out, answered in order.
 *
 * `decode(stream)` gives the objects kubectl would send, lists flattened, in kubectl's order,
 * or the error with which kubectl refuses the stream. `decode(stream, { flatten: false })`
 * gives each document as sigs.k8s.io/yaml turns it into JSON (documents that are empty or
 * `null` left out, lists left alone, any JSON value kept): for checking what emitted YAML
 * means to Kubernetes. Numbers come back as JSON numbers (parsed to doubles here).
 *
 * `startK8sDecoder()` is undefined when the binary is not found ($CHARTER_K8S_DECODE,
 * .tools/bin/k8s-decode or PATH; `bash scripts/install-k8s-decode.sh` builds it): callers then
 * skip loudly, or fail under CI=true (test/support/engines.ts `requireEngine`).
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { findTool } from "../../packages/runtime/src/find-tool.js";

export interface K8sDecoder {
  decode(
    stream: string,
    options?: { flatten?: boolean },
  ): Promise<{ objects: unknown[] } | { error: string }>;
  close(): Promise<void>;
}

type K8sDecodeResult = { objects: unknown[] } | { error: string };

interface Pending {
  resolve(result: K8sDecodeResult): void;
  reject(error: Error): void;
}

/** The path of the k8s-decode binary, or undefined when there is none. */
export function findK8sDecoder(): string | undefined {
  return findTool("k8s-decode", "CHARTER_K8S_DECODE");
}

class ProcessDecoder implements K8sDecoder {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #pending = new Map<number, Pending>();
  readonly #exited: Promise<void>;
  #nextId = 0;
  #stderr = "";
  #dead: Error | undefined;

  constructor(path: string) {
    this.#child = spawn(path, [], { stdio: ["pipe", "pipe", "pipe"] });
    this.#child.stderr.on("data", (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString("utf8")).slice(-4000);
    });
    // A decoder that dies closes its stdin (EPIPE); the exit below reports why.
    this.#child.stdin.on("error", () => {});
    createInterface({ input: this.#child.stdout, crlfDelay: Number.POSITIVE_INFINITY }).on(
      "line",
      (line) => this.#answer(line),
    );
    this.#exited = new Promise((resolve) => {
      this.#child.on("error", (error) => {
        this.#failAll(new Error(`cannot run ${path}: ${error.message}`));
        resolve();
      });
      this.#child.on("close", (code, signal) => {
        const how = signal ? `was killed by ${signal}` : `exited with ${code}`;
        this.#failAll(new Error(`k8s-decode ${how}: ${this.#stderr.trim() || "(no output)"}`));
        resolve();
      });
    });
  }

  decode(stream: string, options: { flatten?: boolean } = {}): Promise<K8sDecodeResult> {
    if (this.#dead !== undefined) return Promise.reject(this.#dead);
    const id = this.#nextId++;
    const request = { id, stream, ...(options.flatten === false ? { flatten: false } : {}) };
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#child.stdin.write(`${JSON.stringify(request)}\n`);
    });
  }

  async close(): Promise<void> {
    this.#child.stdin.end();
    await this.#exited;
  }

  #answer(line: string): void {
    let response: { id?: unknown; objects?: unknown[]; error?: string };
    try {
      response = JSON.parse(line);
    } catch {
      this.#failAll(new Error(`k8s-decode wrote a line that is not JSON: ${line.slice(0, 300)}`));
      return;
    }
    const pending = typeof response.id === "number" ? this.#pending.get(response.id) : undefined;
    if (pending === undefined) {
      this.#failAll(new Error(`k8s-decode answered an unknown request: ${line.slice(0, 300)}`));
      return;
    }
    this.#pending.delete(response.id as number);
    pending.resolve(
      typeof response.error === "string"
        ? { error: response.error }
        : { objects: response.objects ?? [] },
    );
  }

  #failAll(error: Error): void {
    this.#dead ??= error;
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }
}

/** A running decoder, or undefined when the k8s-decode binary is not found. */
export async function startK8sDecoder(): Promise<K8sDecoder | undefined> {
  const path = findK8sDecoder();
  return path === undefined ? undefined : new ProcessDecoder(path);
}
