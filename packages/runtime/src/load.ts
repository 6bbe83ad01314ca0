/**
 * Reads Kubernetes objects from files, folders and stdin. Nothing a user can feed it makes it
 * throw: every bad input is one `problem` (file, line where known, one-line message) and the
 * scan goes on; a document that is not a Kubernetes object is `skipped` with the reason.
 */
import { readFile } from "node:fs/promises";
import type { Json } from "@charter/ir";
import { describeFsError, listInput } from "./files.js";
import { listItems, notAnObjectBecause } from "./kubernetes-object.js";
import type { Resource } from "./types.js";
import { decodeText, lineOfByte } from "./utf8.js";
import { readDocuments } from "./yaml-documents.js";

/** 16 MiB, as Kubernetes' own request size limit is about 3 MiB and etcd's 1.5: generous. */
export const DEFAULT_MAX_DOCUMENT_SIZE = 16 * 1024 * 1024;

/** How stdin is named in sources and problems. */
export const STDIN_NAME = "<stdin>";

export interface LoadOptions {
  /** Largest document read, in UTF-8 bytes (default 16 MiB). */
  readonly maxDocumentSize?: number;
  /** What `-` reads (default `process.stdin`). */
  readonly stdin?: NodeJS.ReadableStream;
}

export interface SkippedDocument {
  readonly source: { readonly file: string; readonly line: number };
  readonly reason: string;
}

/** Input that could not be read; the CLI prints it as `file:line:column: error: message`. */
export interface LoadProblem {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
}

export interface LoadResult {
  readonly resources: Resource[];
  readonly skipped: SkippedDocument[];
  readonly problems: LoadProblem[];
}

async function readStream(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/** Adds the objects of one file's bytes to `out`. */
function collect(file: string, bytes: Uint8Array, maxDocumentSize: number, out: LoadResult): void {
  const decoded = decodeText(bytes);
  if (!decoded.ok) {
    out.problems.push({ file, line: lineOfByte(bytes, decoded.offset), message: decoded.reason });
    return;
  }
  const documents = readDocuments(decoded.text, maxDocumentSize);
  if (documents.length === 0) {
    out.skipped.push({ source: { file, line: 1 }, reason: "empty file: no YAML document" });
    return;
  }
  for (const document of documents) {
    if (document.kind === "problem") {
      const { line, column, message } = document;
      out.problems.push({ file, line, ...(column !== undefined ? { column } : {}), message });
      continue;
    }
    if (document.kind === "empty") {
      out.skipped.push({ source: { file, line: document.line }, reason: "empty document" });
      continue;
    }
    const items = listItems(document.value);
    const entries =
      items === undefined
        ? [{ value: document.value, line: document.line }]
        : items.map((value, i) => ({ value, line: document.itemLines[i] || document.line }));
    for (const { value, line } of entries) {
      const reason = notAnObjectBecause(value);
      if (reason === undefined)
        out.resources.push({ object: value as Json, source: { file, line } });
      else out.skipped.push({ source: { file, line }, reason });
    }
  }
}

/**
 * Reads every input in order: a file, a folder (its `*.yaml`, `*.yml` and `*.json` files,
 * recursively, sorted; dot-folders and node_modules skipped) or `-` for stdin.
 */
export async function loadResources(
  inputs: readonly string[],
  options: LoadOptions = {},
): Promise<LoadResult> {
  const maxDocumentSize = options.maxDocumentSize ?? DEFAULT_MAX_DOCUMENT_SIZE;
  const out: LoadResult = { resources: [], skipped: [], problems: [] };
  for (const input of inputs) {
    if (input === "-") {
      try {
        const bytes = await readStream(options.stdin ?? process.stdin);
        collect(STDIN_NAME, bytes, maxDocumentSize, out);
      } catch (error) {
        out.problems.push({ file: STDIN_NAME, message: `cannot read: ${describeFsError(error)}` });
      }
      continue;
    }
    for (const listed of await listInput(input)) {
      if (listed.kind === "unreadable") {
        out.problems.push({
          file: listed.path,
          message: `cannot read: ${describeFsError(listed.error)}`,
        });
        continue;
      }
      try {
        collect(listed.path, await readFile(listed.path), maxDocumentSize, out);
      } catch (error) {
        // readFile failing, or a parser limit (a stack overflow on absurd nesting).
        const what = (error as { code?: unknown }).code
          ? `cannot read: ${describeFsError(error)}`
          : `cannot be read as YAML: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`;
        out.problems.push({ file: listed.path, message: what });
      }
    }
  }
  return out;
}
