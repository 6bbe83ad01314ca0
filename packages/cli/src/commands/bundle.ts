/**
 * `charter bundle`: the Rego target as an OPA bundle (`.tar.gz`), optionally with the compiled
 * `policy.wasm` and signed; `charter bundle verify`: checks a signed bundle as OPA would.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import {
  type BundleSigning,
  type BundleWasm,
  buildBundle,
  compileTargets,
  count,
  DEFAULT_TARGET_OPTIONS,
  emitWasm,
  parseSigningAlgorithm,
  policiesCount,
  policiesFor,
  signingKey,
  verificationKey,
  verifyBundle,
  WASM_MODULE_FILE,
  wasmEntrypoints,
} from "@charter/compiler";
import { CharterError, type Policy } from "@charter/ir";
import { systemNamespacesOf } from "../config.js";
import { type Context, type PolicyOptions, projectPoliciesAndExceptions } from "../context.js";
import { EXIT_FAILURE, EXIT_OK } from "../exit.js";
import { requireOpa } from "../require-opa.js";
import { terminalText } from "../terminal-text.js";
import { VERSION } from "../version.js";

export interface BundleOptions extends PolicyOptions {
  readonly out: string;
  readonly name: string;
  readonly wasm?: boolean;
  readonly revision?: string;
  readonly signingKey?: string;
  readonly signingAlg?: string;
  readonly signingKeyId?: string;
  readonly signingScope?: string;
}

export interface BundleVerifyOptions {
  readonly verificationKey: string;
  readonly verificationKeyId?: string;
  readonly signingAlg?: string;
  readonly scope?: string;
}

/** A key or bundle file's bytes; a missing or unreadable file is the user's to fix. */
function readInput(ctx: Context, file: string, what: string): Uint8Array {
  try {
    return readFileSync(resolve(ctx.cwd, file));
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === "ENOENT"
        ? "no such file"
        : (error as Error).message;
    throw new CharterError(`cannot read the ${what} ${file}: ${reason}`, { file });
  }
}

/** The bundle's `policy.wasm`: the Rego through the real `opa build -t wasm` (see emitWasm). */
async function compileWasm(
  policies: readonly Policy[],
  systemNamespaces: readonly string[],
): Promise<BundleWasm> {
  const opaPath = requireOpa("charter bundle --wasm");
  const files = await emitWasm(policies, { opaPath, systemNamespaces });
  return {
    module: files.get(WASM_MODULE_FILE) as Uint8Array,
    entrypoints: wasmEntrypoints(policies),
  };
}

/** `SOURCE_DATE_EPOCH` (reproducible builds) when set, else now: the signature's `iat`. */
function issuedAt(): number {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  return epoch && /^\d+$/.test(epoch) ? Number(epoch) : Math.floor(Date.now() / 1000);
}

function signingOf(ctx: Context, options: BundleOptions): BundleSigning | undefined {
  if (options.signingKey === undefined) {
    const stray = [
      options.signingAlg && "--signing-alg",
      options.signingKeyId && "--signing-key-id",
      options.signingScope && "--signing-scope",
    ].filter(Boolean);
    if (stray.length > 0) {
      throw new CharterError(
        `${stray.join(", ")} needs --signing-key`,
        {},
        "name the key file with --signing-key FILE",
      );
    }
    return undefined;
  }
  const algorithm = parseSigningAlgorithm(options.signingAlg ?? "RS256");
  const material = readInput(ctx, options.signingKey, "signing key");
  if (algorithm === "HS256" && material.at(-1) === 0x0a) {
    ctx.output.err(
      `note: the HS256 secret in ${options.signingKey} ends with a newline, which is part of the secret (as for opa); write the file with printf '%s' to leave it out`,
    );
  }
  return {
    algorithm,
    key: signingKey(material, algorithm, options.signingKey),
    issuedAt: issuedAt(),
    ...(options.signingKeyId === undefined ? {} : { keyId: options.signingKeyId }),
    ...(options.signingScope === undefined ? {} : { scope: options.signingScope }),
  };
}

/** Writes next to the target and renames: a reader (or `charter serve`) never sees half a file. */
function writeAtomically(file: string, contents: Uint8Array): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.charter-tmp-${process.pid}-${Date.now()}`;
  try {
    writeFileSync(temporary, contents);
    renameSync(temporary, file);
  } finally {
    rmSync(temporary, { force: true });
  }
}

export async function bundle(ctx: Context, options: BundleOptions): Promise<number> {
  const signing = signingOf(ctx, options);
  const { policies, exceptions, config } = await projectPoliciesAndExceptions(ctx, options);
  const systemNamespaces = systemNamespacesOf(config);
  const built = policiesFor(policies, "rego");
  for (const policy of policies) {
    const reason = policy.excludeTargets?.rego;
    if (reason !== undefined)
      ctx.output.err(terminalText(`note: ${policy.name} is not in the bundle: ${reason}`));
  }
  const targetOptions = { ...DEFAULT_TARGET_OPTIONS, systemNamespaces };
  const rego = compileTargets(policies, ["rego"], targetOptions, exceptions).get(
    "rego",
  ) as ReadonlyMap<string, string>;
  const archive = await buildBundle(
    {
      rego,
      name: options.name,
      policies: built.map((policy) => policy.name),
      charterVersion: VERSION,
      ...(options.revision === undefined ? {} : { revision: options.revision }),
      ...(options.wasm ? { wasm: await compileWasm(built, systemNamespaces) } : {}),
    },
    signing,
  );
  const file = resolve(ctx.cwd, options.out);
  writeAtomically(file, archive);
  const signed = signing
    ? `, signed with ${signing.algorithm}${signing.keyId ? ` (key id ${signing.keyId})` : ""}`
    : "";
  ctx.output.out(
    `wrote ${options.out}: ${policiesCount(built.length)}${options.wasm ? " and policy.wasm" : ""}${signed}`,
  );
  return EXIT_OK;
}

export async function bundleVerify(
  ctx: Context,
  file: string,
  options: BundleVerifyOptions,
): Promise<number> {
  const algorithm =
    options.signingAlg === undefined ? undefined : parseSigningAlgorithm(options.signingAlg);
  const key = verificationKey(
    readInput(ctx, options.verificationKey, "verification key"),
    algorithm,
    options.verificationKey,
  );
  const archive = readInput(ctx, file, "bundle");
  const result = await verifyBundle(
    archive,
    {
      ...key,
      ...(options.verificationKeyId === undefined ? {} : { keyId: options.verificationKeyId }),
      ...(options.scope === undefined ? {} : { scope: options.scope }),
    },
    file,
  );
  const revision = result.revision === undefined ? "" : `, revision ${result.revision}`;
  if (result.ok) {
    const by = result.keyId === undefined ? "" : ` (key id ${result.keyId})`;
    ctx.output.out(
      terminalText(
        `${file}: verified: ${key.algorithm} signature${by} over ${count(result.files.length, "file")}${revision}`,
      ),
    );
    return EXIT_OK;
  }
  // Problems quote file names and fields of the archive, which anyone may have written.
  for (const problem of result.problems) ctx.output.out(`  ${terminalText(problem)}`);
  ctx.output.out(
    terminalText(
      `${file}: NOT verified: ${result.problems.length} problem(s)${revision}; do not activate this bundle`,
    ),
  );
  return EXIT_FAILURE;
}
