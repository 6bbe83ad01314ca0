/**
 * `charter check --verify-images` as a user runs it, on the signing rig: real cosign v3.1.3
 * signatures and vuln attestations in a real go-containerregistry registry, in both formats
 * cosign writes. The expected verdicts are cosign's own (`rig.image(...).expected`, what
 * `cosign verify` and `verify-attestation --policy` said when the rig was built), so the CLI is
 * judged against cosign, not against Charter's own verifier. Then the registry goes away: every
 * requirement that needs it is an error and the run fails — never a pass.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type SigningRig, signingRigForTests } from "@charter/test-support/signing-rig/signing-rig";
import type { ImageCase } from "@charter/test-support/signing-rig/standard-images";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, runCli } from "../support/run-cli.js";

const project = join(repoRoot, "test", "fixtures", "image-rules-project");
const CASES: readonly ImageCase[] = [
  "signed",
  "signed-other-key",
  "unsigned",
  "retagged",
  "vuln-clean",
  "vuln-critical",
  "vuln-expired",
];

let rig: SigningRig | undefined;
beforeAll(async () => {
  rig = await signingRigForTests("charter check --verify-images", {
    registries: ["plain"],
    cases: CASES,
  });
  if (rig) process.env.CHARTER_RIG_TRUSTED_KEY = rig.keys.trusted.publicKeyPath;
}, 900_000);
afterAll(async () => {
  delete process.env.CHARTER_RIG_TRUSTED_KEY;
  await rig?.dispose();
});

interface Row {
  rule: string;
  result: string;
  message: string;
  resource: { name: string };
}

function podsFile(images: readonly { name: string; reference: string }[]): string {
  const file = join(mkdtempSync(join(tmpdir(), "charter-verify-")), "pods.yaml");
  writeFileSync(
    file,
    images
      .map(
        ({ name, reference }) =>
          `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: team-a}\nspec:\n  containers: [{name: app, image: "${reference}"}]\n`,
      )
      .join("---\n"),
  );
  return file;
}

async function check(file: string): Promise<{ code: number; rows: Row[]; stderr: string }> {
  const run = await runCli(["check", file, "--verify-images", "--format", "json"], {
    cwd: project,
  });
  if (!run.stdout.trim()) throw new Error(`no report:\n${run.stderr}`);
  return {
    code: run.code,
    rows: (JSON.parse(run.stdout) as { results: Row[] }).results,
    stderr: run.stderr,
  };
}

describe("charter check --verify-images on the signing rig", () => {
  it("agrees with cosign on every image, in both signature formats, by tag", async () => {
    if (!rig) return;
    const images = rig.images.map((image) => ({
      name: `${image.format}-${image.case}`,
      reference: image.tagRef,
      image,
    }));
    const { code, rows } = await check(podsFile(images));
    const verdict = (name: string, rule: string) =>
      rows.find((row) => row.resource.name === name && row.rule === rule)?.result;
    for (const { name, image } of images) {
      const cosign = image.expected.trusted;
      // Both take any bundle the key verifies for a signature (IR README item 18).
      expect({ name, signed: verdict(name, "signed") }).toEqual({
        name,
        signed: cosign.verify,
      });
      expect({ name, scanned: verdict(name, "scanned") }).toEqual({
        name,
        scanned: cosign.gates["vuln-no-critical-fresh"],
      });
    }
    expect(code).toBe(1);
  });

  it("names the key, the digest and what was looked at when an image is not signed", async () => {
    if (!rig) return;
    const unsigned = rig.image("legacy", "plain", "unsigned");
    const { rows } = await check(podsFile([{ name: "u", reference: unsigned.tagRef }]));
    const signed = rows.find((row) => row.rule === "signed");
    expect(signed?.result).toBe("fail");
    expect(signed?.message).toContain(`(${unsigned.digest})`);
    expect(signed?.message).toContain("is not signed by ci");
  });

  it("fails closed when the registry is gone: error rows, exit 1, nothing passes", async () => {
    if (!rig) return;
    const signed = rig.image("bundle", "plain", "signed");
    await rig.registries.plain?.stop();
    const { code, rows } = await check(podsFile([{ name: "s", reference: signed.tagRef }]));
    expect(rows.map((row) => [row.rule, row.result])).toEqual([
      ["signed", "error"],
      ["scanned", "error"],
    ]);
    expect(rows[0]?.message).toContain("could not be verified");
    expect(code).toBe(1);
  });
});
