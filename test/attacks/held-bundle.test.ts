/**
 * Attacks on signed OPA bundles that held when the attack test ran (issue 11), kept as a
 * standing suite. Each forgery of one ES256-signed bundle must be refused by `charter bundle
 * verify` (exit 1) and by real OPA (`opa build --bundle … --verification-key`, OPA's own check
 * before it activates a bundle) — the untouched bundle is accepted by both, so neither side
 * passes by refusing everything.
 */

import { spawnSync } from "node:child_process";
import { createHmac, generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packTarGz, readTarGz } from "@charter/compiler";
import { findOpa } from "@charter/runtime";
import { beforeAll, describe, expect, it } from "vitest";
import { requireEngine } from "../support/engines.js";
import { runCli } from "../support/run-cli.js";
import { scanOnlyNotes, stderrLines } from "../support/scan-only-notes.js";

const folder = mkdtempSync(join(tmpdir(), "charter-attack-bundle-"));
const write = (name: string, content: string | Uint8Array) => {
  writeFileSync(join(folder, name), content);
  return join(folder, name);
};

const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
const signingKeyFile = write("ec.pem", privateKey.export({ format: "pem", type: "pkcs8" }));
const publicPem = publicKey.export({ format: "pem", type: "spki" }).toString();
const publicKeyFile = write("ec.pub", publicPem);

type Files = Map<string, Uint8Array>;
const b64url = (text: string) => Buffer.from(text).toString("base64url");
const signatureOf = (files: Files): string =>
  JSON.parse(Buffer.from(files.get(".signatures.json") as Uint8Array).toString()).signatures[0];
const withSignature = (files: Files, jwt: string): Files =>
  new Map(files).set(".signatures.json", Buffer.from(JSON.stringify({ signatures: [jwt] })));
const payloadOf = (jwt: string) => jwt.split(".")[1] as string;

/** Each way to forge the bundle, from the signed files (and another signed bundle's). */
const forgeries: Record<string, (signed: Files, other: Files) => Files> = {
  "a signed file changed": (signed) => {
    const path = "charter/violations.rego";
    const text = Buffer.from(signed.get(path) as Uint8Array).toString();
    return new Map(signed).set(path, Buffer.from(`${text}\n# changed\n`));
  },
  "an unsigned file added": (signed) =>
    new Map(signed).set("charter/extra.rego", Buffer.from("package charter.extra\n")),
  "a signed file removed": (signed) => {
    const files = new Map(signed);
    files.delete("charter/data.json");
    return files;
  },
  "another bundle's signature": (signed, other) => withSignature(signed, signatureOf(other)),
  "the signature made alg none": (signed) =>
    withSignature(
      signed,
      `${b64url('{"alg":"none","kid":"ci","typ":"JWT"}')}.${payloadOf(signatureOf(signed))}.`,
    ),
  "alg confusion: HS256 keyed with the public PEM": (signed) => {
    const signingInput = `${b64url('{"alg":"HS256","kid":"ci","typ":"JWT"}')}.${payloadOf(signatureOf(signed))}`;
    const mac = createHmac("sha256", publicPem).update(signingInput).digest("base64url");
    return withSignature(signed, `${signingInput}.${mac}`);
  },
  "the signature's bytes garbled": (signed) => {
    const jwt = signatureOf(signed);
    return withSignature(signed, `${jwt.slice(0, -6)}AAAAAA`);
  },
  "no signature at all": (signed) => {
    const files = new Map(signed);
    files.delete(".signatures.json");
    return files;
  },
};

const opa = requireEngine("opa", findOpa());

/** OPA's own verification of a bundle file: true when it accepts it. */
function opaAccepts(bundleFile: string): boolean {
  const result = spawnSync(
    opa as string,
    [
      "build",
      "--bundle",
      bundleFile,
      "--verification-key",
      publicKeyFile,
      "--verification-key-id",
      "ci",
      "--signing-alg",
      "ES256",
      "-o",
      join(folder, `out-${Math.random()}.tar.gz`),
    ],
    { encoding: "utf8" },
  );
  return result.status === 0;
}

const charterVerify = (bundleFile: string) =>
  runCli([
    "bundle",
    "verify",
    bundleFile,
    "--verification-key",
    publicKeyFile,
    "--verification-key-id",
    "ci",
    "--signing-alg",
    "ES256",
  ]);

async function signedBundle(name: string, revision: string): Promise<Files> {
  const out = join(folder, `${name}.tar.gz`);
  const built = await runCli([
    "bundle",
    "--out",
    out,
    "--revision",
    revision,
    "--signing-key",
    signingKeyFile,
    "--signing-alg",
    "ES256",
    "--signing-key-id",
    "ci",
  ]);
  expect(stderrLines(built.stderr)).toEqual(scanOnlyNotes("bundle"));
  expect(built.code).toBe(0);
  return readTarGz(readFileSync(out));
}

/** The bundle as `opa build` lays its paths out: every entry with a leading `/`. */
const pack = (files: Files) => packTarGz(new Map([...files].map(([p, c]) => [`/${p}`, c])));

describe.skipIf(!opa)("forged bundles that held", () => {
  let signed: Files;
  let other: Files;
  beforeAll(async () => {
    signed = await signedBundle("signed", "r1");
    other = await signedBundle("other", "r2");
  });

  it("the untouched bundle is accepted by both", async () => {
    const file = write("untouched.tar.gz", pack(signed));
    expect(opaAccepts(file)).toBe(true);
    const run = await charterVerify(file);
    expect(run.stdout).toMatch(/verified/);
    expect(run.code).toBe(0);
  });

  it.each(Object.keys(forgeries))(
    "%s: refused by charter bundle verify and by OPA",
    async (name) => {
      const forge = forgeries[name] as (signed: Files, other: Files) => Files;
      const file = write(`${name.replace(/\W+/g, "-")}.tar.gz`, pack(forge(signed, other)));
      expect(opaAccepts(file), "OPA accepted the forgery").toBe(false);
      const run = await charterVerify(file);
      expect(run.stdout).not.toMatch(/^verified/m);
      expect(run.code).toBe(1);
    },
  );
});
