/**
 * `charter bundle verify` against OPA's own bundle reader (tools/opa-bundle-verify, OPA v1/bundle
 * at the pinned release, set up as `opa run --verification-key`), on bundles changed in every
 * way (test/support/bundle-mutations.ts): Charter never accepts what OPA refuses, and refuses
 * what OPA accepts only for a named reason (NAMED_REFUSALS, each documented in verify.ts,
 * signed-claims.ts, tar-reader.ts or keys.ts). Per kind of change it prints how many bundles
 * each side accepted and refused, and requires both outcomes where a kind can produce both.
 * A fixed seed runs every time, plus one random seed that is printed for replay
 * (CHARTER_BUNDLE_SEED=…). The verifier is spot-checked against the real `opa build`.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { verificationKey, verifyBundle } from "@charter/compiler";
import { findOpa } from "@charter/runtime";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ALGS,
  type Alg,
  baseBundle,
  type Case,
  KINDS,
  type Kind,
  makeCase,
  variantNames,
} from "./support/bundle-mutations.js";
import { requireEngine } from "./support/engines.js";
import { findOpaBundleVerify, opaVerifyBundles } from "./support/opa-bundle-verify.js";

/** Bundles per kind of change and seed. */
const PER_KIND = 600;

/**
 * Where Charter is deliberately stricter than OPA: the reason it gives must match one of these
 * whenever OPA accepts a bundle Charter refuses.
 */
const NAMED_REFUSALS: readonly [string, RegExp][] = [
  ["an entry that is not a regular file (OPA skips it unverified)", /not a regular file/],
  [
    "a tar header that is neither ustar, PAX nor GNU (v7, star)",
    /neither ustar, PAX nor GNU|star tar header/,
  ],
  [".signatures.json outside the root", /outside the bundle's root/],
  ["a kid other than the expected key id", /signed by key id/],
  [
    "a JWS header naming another alg, or none readable",
    /but verified as|not a compact JWS|does not verify: .*(alg|JWS Protected Header)/i,
  ],
  // RFC 7515 §4.1.11: a verifier must refuse a `crit` extension it does not understand.
  ["a critical JWS header parameter", /Extension Header Parameter .* is not recognized/],
  ["a file listed twice in the signature", /lists .* twice/],
  ["a field spelled in another case, or repeated", /spells "|repeats "/],
  ["text after .signatures.json's JSON value", /\.signatures\.json is not JSON/],
  ["a public key (DER or PEM) as an HMAC secret", /DER-encoded public key|holds a PEM key/],
  ["a GNU sparse file or a PAX record Go would misread", /PAX|sparse/],
  // Go's tar reader stops at the archive's end blocks and never reads the rest of the gzip
  // stream: damage past them — the trailer's CRC or length, or the last deflate block, which
  // zlib then reads as a stream cut short — goes unseen by OPA. Charter inflates it all.
  [
    "a corrupt gzip stream past the tar's end blocks (trailer, last deflate block)",
    /incorrect (data|length) check|not gzip \(unexpected end of file\)/,
  ],
  // RFC 1952 §2.3.1.2: a compliant decompressor must refuse a reserved FLG bit; Go ignores it.
  ["a gzip header with a reserved flag bit set", /not gzip \(unknown header flags set\)/],
];

interface Judged {
  readonly charter: "accepted" | "refused";
  readonly reason: string;
}

async function charterVerdict(c: Case): Promise<Judged> {
  try {
    const key = verificationKey(c.key, c.alg, "key");
    const result = await verifyBundle(c.bundle, { ...key, keyId: c.keyId });
    return { charter: result.ok ? "accepted" : "refused", reason: result.problems.join("; ") };
  } catch (error) {
    return { charter: "refused", reason: (error as Error).message };
  }
}

const draw = fc.record({
  alg: fc.constantFrom<Alg>(...ALGS),
  variant: fc.nat(),
  a: fc.nat(),
  b: fc.nat(),
  byte: fc.integer({ min: 1, max: 255 }),
});

interface Tally {
  both: { accepted: number; refused: number };
  stricter: Map<string, number>;
  variants: Map<string, { accepted: number; refused: number }>;
}

describe("bundle verify: Charter's verdict is OPA's, for every kind of change", () => {
  const verifier = findOpaBundleVerify();
  const seeds = [20261207, Math.floor(Math.random() * 2 ** 31)];

  it.each(seeds)(
    "seed %i",
    async (seed) => {
      const binary = requireEngine("opa-bundle-verify", verifier);
      if (!binary) return;
      const replay = Number(process.env.CHARTER_BUNDLE_SEED ?? seed);
      console.log(
        `bundle verify differential seed ${replay} (replay: CHARTER_BUNDLE_SEED=${replay})`,
      );
      const cases: Case[] = ALGS.map(baseBundle);
      for (const [i, kind] of KINDS.entries()) {
        // Every variant at least once per algorithm, then random draws.
        const fixed = variantNames(kind).flatMap((_, variant) =>
          ALGS.map((alg) => makeCase(kind, { alg, variant, a: variant, b: variant, byte: 0x41 })),
        );
        const drawn = fc
          .sample(draw, { seed: replay + i, numRuns: Math.max(0, PER_KIND - fixed.length) })
          .map((d) => makeCase(kind, d));
        cases.push(...fixed, ...drawn);
      }
      const started = performance.now();
      const opa = opaVerifyBundles(binary, cases);
      const opaMs = performance.now() - started;
      const charter = await Promise.all(cases.map(charterVerdict));
      const charterMs = performance.now() - started - opaMs;

      const tallies = new Map<Kind, Tally>();
      const disagreements: string[] = [];
      for (const [i, c] of cases.entries()) {
        const tally = tallies.get(c.kind) ?? {
          both: { accepted: 0, refused: 0 },
          stricter: new Map(),
          variants: new Map(),
        };
        tallies.set(c.kind, tally);
        const ours = charter[i] as Judged;
        const theirs = opa[i] as (typeof opa)[number];
        const variant = tally.variants.get(c.variant) ?? { accepted: 0, refused: 0 };
        tally.variants.set(c.variant, variant);
        variant[theirs.verdict]++;
        if (ours.charter === theirs.verdict) {
          tally.both[ours.charter]++;
          continue;
        }
        const what = `${c.kind} / ${c.variant} (${c.alg}): Charter ${ours.charter} (${ours.reason.slice(0, 200)}), OPA ${theirs.verdict}${theirs.error ? ` (${theirs.error.slice(0, 200)})` : ""}`;
        const named = NAMED_REFUSALS.find(([, pattern]) => pattern.test(ours.reason));
        if (ours.charter === "refused" && named) {
          tally.stricter.set(named[0], (tally.stricter.get(named[0]) ?? 0) + 1);
        } else {
          disagreements.push(what);
        }
      }

      const lines = [
        `${cases.length} bundles judged: OPA ${Math.round(opaMs)} ms (one process), Charter ${Math.round(charterMs)} ms`,
      ];
      for (const kind of KINDS) {
        const t = tallies.get(kind) as Tally;
        const stricter = [...t.stricter].map(([why, n]) => `${n} ${why}`).join("; ");
        lines.push(
          `  ${kind.padEnd(10)} both accepted ${String(t.both.accepted).padStart(4)}, both refused ${String(t.both.refused).padStart(4)}${stricter ? `, Charter stricter: ${stricter}` : ""}`,
        );
      }
      console.log(lines.join("\n"));

      expect(disagreements.slice(0, 10)).toEqual([]);
      for (const kind of KINDS) {
        const t = tallies.get(kind) as Tally;
        // A reordered bundle is the same bundle: nothing there can be refused.
        if (kind !== "order")
          expect(t.both.refused, `${kind}: both refuse some`).toBeGreaterThan(0);
        expect(t.both.accepted, `${kind}: both accept some`).toBeGreaterThan(0);
      }
    },
    300_000,
  );

  it("the verifier says what `opa build --bundle … --verification-key` says", async () => {
    const binary = requireEngine("opa-bundle-verify", verifier);
    const opa = requireEngine("opa", findOpa());
    if (!binary || !opa) return;
    // The verifier is built from the very OPA release the `opa` binary is.
    const built = spawnSync(binary, ["-version"], { encoding: "utf8" }).stdout.trim();
    const real = /^Version: (\S+)$/m.exec(
      spawnSync(opa, ["version"], { encoding: "utf8" }).stdout,
    )?.[1];
    expect(built).toBe(`opa-bundle-verify opa=v${real}`);
    const folder = mkdtempSync(join(tmpdir(), "charter-opa-spot-"));
    // One bundle of each outcome and several kinds, judged by both.
    const cases: Case[] = [
      baseBundle("ES256"),
      baseBundle("HS256"),
      makeCase("duplicates", { alg: "RS256", variant: 1, a: 0, b: 0, byte: 1 }),
      makeCase("entries", {
        alg: "ES256",
        variant: variantNames("entries").indexOf("the signature moved into a folder"),
        a: 0,
        b: 0,
        byte: 1,
      }),
      makeCase("headers", {
        alg: "RS256",
        variant: variantNames("headers").indexOf("no magic (v7)"),
        a: 0,
        b: 0,
        byte: 1,
      }),
      makeCase("signature", {
        alg: "ES256",
        variant: variantNames("signature").indexOf("JWS headers, signed"),
        a: 0,
        b: 0,
        byte: 1,
      }),
      makeCase("key", { alg: "RS256", variant: 0, a: 0, b: 0, byte: 1 }),
      makeCase("alg", { alg: "ES256", variant: 0, a: 0, b: 0, byte: 1 }),
    ];
    const verdicts = opaVerifyBundles(binary, cases);
    const outcomes = new Set<string>();
    for (const [i, c] of cases.entries()) {
      const bundle = join(folder, `b${i}.tar.gz`);
      const key = join(folder, `k${i}`);
      writeFileSync(bundle, c.bundle);
      writeFileSync(key, c.key);
      const run = spawnSync(
        opa,
        [
          "build",
          "--bundle",
          bundle,
          "--verification-key",
          key,
          "--verification-key-id",
          c.keyId,
          "--signing-alg",
          c.alg,
          "-o",
          join(folder, `out${i}.tar.gz`),
        ],
        { encoding: "utf8" },
      );
      const real = run.status === 0 ? "accepted" : "refused";
      outcomes.add(real);
      expect(`${c.kind}/${c.variant}: ${verdicts[i]?.verdict}`).toBe(
        `${c.kind}/${c.variant}: ${real}`,
      );
    }
    expect([...outcomes].sort()).toEqual(["accepted", "refused"]);
  }, 120_000);
});
