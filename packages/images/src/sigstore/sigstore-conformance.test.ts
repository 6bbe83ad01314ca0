/**
 * The Sigstore conformance suite's bundle-verification cases (sigstore/sigstore-conformance
 * `test/assets/bundle-verify`, copied in shared/conformance/supply-chain, MANIFEST §5), run
 * through `verifyBundle` — the function every signature Charter accepts goes through.
 *
 * A case whose name ends in `_fail` must fail. Every other case must pass, unless it is in
 * `KNOWN_GAPS` with the reason; the table can only shrink: a listed case that starts to pass
 * fails this test until it is removed from the table.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_THRESHOLDS, parsePublicKey, rootTrustMaterial } from "./trust.js";
import { verifyBundle } from "./verify-bundle.js";

const SUPPLY_CHAIN = join(import.meta.dirname, "../../../../../shared/conformance/supply-chain");
const CASES = join(SUPPLY_CHAIN, "sigstore-conformance/test/assets/bundle-verify");
const PRODUCTION_ROOT = join(SUPPLY_CHAIN, "sigstore-js/extracted/trusted_root.production.json");
const DEFAULT_IDENTITY =
  "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const DEFAULT_ISSUER = "https://token.actions.githubusercontent.com";

/** Cases that should pass and do not, with the library gap. */
const KNOWN_GAPS: Readonly<Record<string, string>> = {
  "rekor2-dsse-happy-path":
    "@sigstore/verify 3.1.1 does not know Rekor v2's hashedrekord-over-DSSE (rekor-v2-spec §6.1.4): a DSSE envelope logged as hashedrekord/0.0.2 fails the tlog body check (4.1.3 passes it, but needs Node 22)",
};

function readOptional(dir: string, name: string): string | undefined {
  const path = join(dir, name);
  return existsSync(path) ? readFileSync(path, "utf8").trim() : undefined;
}

function runCase(name: string) {
  const dir = join(CASES, name);
  const bundleText = readFileSync(join(dir, "bundle.sigstore.json"), "utf8");
  let json: unknown;
  try {
    json = JSON.parse(bundleText);
  } catch (error) {
    return { ok: false as const, reason: `not JSON: ${(error as Error).message}` };
  }
  const artifactPath = existsSync(join(dir, "artifact"))
    ? join(dir, "artifact")
    : join(CASES, "a.txt");
  const artifact = readFileSync(artifactPath);
  const rootText = readOptional(dir, "trusted_root.json") ?? readFileSync(PRODUCTION_ROOT, "utf8");
  const keyPem = readOptional(dir, "key.pub");
  let trust: ReturnType<typeof rootTrustMaterial>;
  try {
    trust = rootTrustMaterial(rootText, keyPem !== undefined ? parsePublicKey(keyPem) : undefined);
  } catch (error) {
    return { ok: false as const, reason: `trusted root: ${(error as Error).message}` };
  }
  const identity =
    keyPem !== undefined
      ? undefined
      : {
          subject: { exact: readOptional(dir, "identity") ?? DEFAULT_IDENTITY },
          issuer: { exact: readOptional(dir, "issuer") ?? DEFAULT_ISSUER },
        };
  return verifyBundle(
    json,
    { artifact },
    { trust, thresholds: DEFAULT_THRESHOLDS, ...(identity !== undefined ? { identity } : {}) },
  );
}

const names = readdirSync(CASES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

describe("sigstore-conformance bundle-verify, through verifyBundle", () => {
  it("finds the cases (MANIFEST §5: 70)", () => {
    expect(names.length).toBe(70);
  });

  for (const name of names) {
    const expectFail = name.endsWith("_fail");
    const gap = KNOWN_GAPS[name];
    it(`${name}: ${expectFail ? "fails" : gap !== undefined ? "known gap (fails)" : "passes"}`, () => {
      const verdict = runCase(name);
      const reason = verdict.ok ? "verified" : verdict.reason;
      if (expectFail || gap !== undefined) {
        expect(verdict.ok, `${name} verified, but must fail`).toBe(false);
      } else {
        expect(verdict.ok, `${name} must verify: ${reason}`).toBe(true);
      }
    });
  }

  it("lists only cases that exist and should pass", () => {
    for (const name of Object.keys(KNOWN_GAPS)) {
      expect(names).toContain(name);
      expect(name.endsWith("_fail")).toBe(false);
    }
  });
});
