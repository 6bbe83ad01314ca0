/**
 * Compiles emitted Rego to WebAssembly with the real `opa build -t wasm`. The bundle's
 * `policy.wasm` is the compiled policy; its `data.json` is the data files of the Rego tree
 * merged as OPA merges them, which a WASM host must hand to the policy itself (`setData`).
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { JsonObject } from "@charter/ir";
import { readTarGz } from "../bundle/tar-reader.js";
import { OpaError, runOpa } from "../opa/run-opa.js";
import { writeTree } from "../opa/write-tree.js";
import { requiredBuiltins } from "./required-builtins.js";

export interface WasmBuild {
  /** The compiled policy (`opa build`'s policy.wasm). */
  readonly wasm: Uint8Array;
  /** The bundle's base data (`{}` when the tree holds no data files). */
  readonly data: JsonObject;
  /** The entrypoints, in the order their ids are numbered. */
  readonly entrypoints: readonly string[];
  /** The builtins the policy imports from its host (see required-builtins.ts). */
  readonly builtins: readonly string[];
}

export interface BuildWasmOptions {
  /** The `opa` binary (see findOpa in @charter/runtime). */
  readonly opaPath: string;
}

/**
 * `files`: a Rego tree (relative path → contents, as emitRego gives it). `entrypoints`: rule
 * paths such as `charter/violations`.
 */
export async function buildWasm(
  files: ReadonlyMap<string, string>,
  entrypoints: readonly string[],
  options: BuildWasmOptions,
): Promise<WasmBuild> {
  const folder = await mkdtemp(join(tmpdir(), "charter-wasm-"));
  try {
    const bundle = join(folder, "bundle.tar.gz");
    await writeTree(join(folder, "rego"), files);
    const args = ["build", "--target", "wasm", "--output", bundle];
    for (const entrypoint of entrypoints) args.push("--entrypoint", entrypoint);
    // The policy.wasm records its source files' paths: relative ones keep the build reproducible.
    const opa = options.opaPath.includes("/") ? resolve(options.opaPath) : options.opaPath;
    await runOpa(opa, [...args, "rego"], { cwd: folder });
    const contents = readTarGz(await readFile(bundle));
    const wasm = contents.get("policy.wasm");
    if (wasm === undefined) throw new OpaError("opa build -t wasm wrote no policy.wasm");
    const data = contents.get("data.json");
    const parsed: unknown = data ? JSON.parse(Buffer.from(data).toString("utf8")) : {};
    return {
      wasm,
      data: parsed !== null && typeof parsed === "object" ? (parsed as JsonObject) : {},
      entrypoints,
      builtins: await requiredBuiltins(wasm),
    };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
