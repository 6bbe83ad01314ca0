/**
 * OPA's own verdict on signed bundles, many per process: tools/opa-bundle-verify (OPA's
 * v1/bundle reader at the pinned release, set up as `opa run --verification-key` sets it up),
 * built by scripts/install-opa-bundle-verify.sh. `$CHARTER_OPA_BUNDLE_VERIFY` names another.
 */
import { spawnSync } from "node:child_process";
import { findTool } from "../../packages/runtime/src/find-tool.js";

export function findOpaBundleVerify(): string | undefined {
  return findTool("opa-bundle-verify", "CHARTER_OPA_BUNDLE_VERIFY");
}

export interface OpaBundleRequest {
  readonly bundle: Uint8Array;
  /** `--verification-key`: the PEM text or the HMAC secret's bytes. */
  readonly key: Uint8Array;
  /** `--signing-alg` (OPA's default RS256). */
  readonly alg?: string;
  /** `--verification-key-id` (OPA's default "default"). */
  readonly keyId?: string;
  readonly scope?: string;
}

export interface OpaBundleVerdict {
  readonly verdict: "accepted" | "refused";
  /** OPA's error, when refused. */
  readonly error?: string;
  /** Whether OPA reads the bundle at all with verification skipped. */
  readonly loadsUnverified: boolean;
}

/** OPA's verdicts, in the order of the requests, from one run of the verifier. */
export function opaVerifyBundles(
  binary: string,
  requests: readonly OpaBundleRequest[],
): OpaBundleVerdict[] {
  const input = requests
    .map((request, i) =>
      JSON.stringify({
        id: String(i),
        bundle: Buffer.from(request.bundle).toString("base64"),
        key: Buffer.from(request.key).toString("base64"),
        ...(request.alg === undefined ? {} : { alg: request.alg }),
        ...(request.keyId === undefined ? {} : { keyId: request.keyId }),
        ...(request.scope === undefined ? {} : { scope: request.scope }),
      }),
    )
    .join("\n");
  const run = spawnSync(binary, [], {
    input: `${input}\n`,
    encoding: "utf8",
    maxBuffer: 1024 * 1024 * 1024,
  });
  if (run.status !== 0) {
    throw new Error(`${binary} exited ${run.status}: ${run.stderr}${run.error ?? ""}`);
  }
  const verdicts = run.stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as OpaBundleVerdict & { id: string; verdict: string });
  if (verdicts.length !== requests.length || verdicts.some((v, i) => v.id !== String(i))) {
    throw new Error(`${binary} answered ${verdicts.length} of ${requests.length} requests`);
  }
  for (const verdict of verdicts) {
    if (verdict.verdict !== "accepted" && verdict.verdict !== "refused") {
      throw new Error(`${binary}: ${verdict.verdict}: ${verdict.error}`);
    }
  }
  return verdicts;
}
