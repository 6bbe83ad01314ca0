/**
 * Every kind of change to a signed OPA bundle, for the differential test of `charter bundle
 * verify` against OPA's own reader: bytes, entries, order, duplicates, tar headers, the
 * signature, the key and the algorithm. Each variant is a plain function of a few random
 * numbers (drawn by fast-check), so a seed replays the same bundles.
 */
import { createHmac, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { gzipSync } from "node:zlib";
import { bundleFileHash, bundleFiles, SIGNATURES_FILE } from "@charter/compiler";
import { paxEntry, type RawEntry, rawTar } from "./raw-tar.js";

export type Alg = "RS256" | "ES256" | "HS256";
export const ALGS: readonly Alg[] = ["RS256", "ES256", "HS256"];

export const KINDS = [
  "bytes",
  "entries",
  "order",
  "duplicates",
  "headers",
  "signature",
  "key",
  "alg",
] as const;
export type Kind = (typeof KINDS)[number];

/** One bundle to judge and how to judge it (what `--verification-key` etc. would say). */
export interface Case {
  readonly kind: Kind;
  readonly variant: string;
  readonly bundle: Uint8Array;
  readonly key: Uint8Array;
  readonly alg: Alg;
  readonly keyId: string;
}

/** The random numbers a variant draws on. */
export interface Draw {
  readonly alg: Alg;
  readonly variant: number;
  readonly a: number;
  readonly b: number;
  readonly byte: number;
}

const KEY_ID = "ci";
const text = (s: string) => Buffer.from(s, "utf8");

interface Keys {
  readonly signing: KeyObject | Uint8Array;
  readonly verify: Uint8Array;
  readonly other: Uint8Array;
}

function pem(key: KeyObject, type: "spki" | "pkcs8" | "pkcs1" | "sec1"): Uint8Array {
  return text(key.export({ format: "pem", type } as never).toString());
}

const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const ec = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
const secret = text("correct-horse-battery");
const KEYS: Record<Alg, Keys> = {
  RS256: {
    signing: rsa.privateKey,
    verify: pem(rsa.publicKey, "spki"),
    other: pem(generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey, "spki"),
  },
  ES256: {
    signing: ec.privateKey,
    verify: pem(ec.publicKey, "spki"),
    other: pem(generateKeyPairSync("ec", { namedCurve: "prime256v1" }).publicKey, "spki"),
  },
  HS256: { signing: secret, verify: secret, other: text("correct-horse-battery\n") },
};

/** The JWS `header.payload.signature`, with whatever header and payload text it is given. */
export function jws(alg: Alg, header: string, payload: string, key = KEYS[alg].signing): string {
  const input = `${Buffer.from(header).toString("base64url")}.${Buffer.from(payload).toString("base64url")}`;
  const signature =
    alg === "HS256"
      ? createHmac("sha256", key as Uint8Array)
          .update(input)
          .digest()
      : sign("sha256", Buffer.from(input), {
          key: key as KeyObject,
          ...(alg === "ES256" ? { dsaEncoding: "ieee-p1363" as const } : {}),
        });
  return `${input}.${signature.toString("base64url")}`;
}

const header = (alg: Alg, extra: object = {}) =>
  JSON.stringify({ alg, kid: KEY_ID, typ: "JWT", ...extra });

/** The claims a signer writes for these files (names as given). */
function claims(
  files: ReadonlyMap<string, Uint8Array>,
  extra: object = {},
): Record<string, unknown> {
  return {
    files: [...files].map(([name, contents]) => ({
      name,
      hash: bundleFileHash(name, contents),
      algorithm: "SHA-256",
    })),
    iat: 1767225600,
    ...extra,
  };
}

const signaturesFile = (token: string) => text(JSON.stringify({ signatures: [token] }));

const input = {
  rego: new Map([
    ["charter/data.json", '{\n  "exceptions": [],\n  "params": {"p": {"max": 1.0}}\n}\n'],
    ["charter/policies/p.rego", "package charter.policies.p\n\nviolations := set()\n"],
  ]),
  name: "differential",
  policies: ["p"],
  charterVersion: "0.0.0-test",
};
const BASE_FILES = bundleFiles(input);
const POLICY = "charter/policies/p.rego";
const DATA = "charter/data.json";

/** A bundle as `charter bundle` writes it: `/`-prefixed names, sorted, signature included. */
function signedEntries(
  alg: Alg,
  files: ReadonlyMap<string, Uint8Array> = BASE_FILES,
  token?: string,
): RawEntry[] {
  const all = new Map(files).set(
    SIGNATURES_FILE,
    signaturesFile(token ?? jws(alg, header(alg), JSON.stringify(claims(files)))),
  );
  return [...all]
    .sort(([x], [y]) => Buffer.compare(text(x), text(y)))
    .map(([path, contents]) => ({ name: `/${path}`, contents }));
}

const gz = (entries: readonly RawEntry[], end = true) => gzipSync(rawTar(entries, end));
const contentsOf = (entries: readonly RawEntry[], name: string) =>
  entries.find((e) => e.name === `/${name}`)?.contents as Uint8Array;
const without = (entries: readonly RawEntry[], name: string) =>
  entries.filter((e) => e.name !== `/${name}`);
const replace = (
  entries: readonly RawEntry[],
  name: string,
  change: (e: RawEntry) => RawEntry | RawEntry[],
) => entries.flatMap((e) => (e.name === `/${name}` ? change(e) : [e]));
const tokenOf = (entries: readonly RawEntry[]) =>
  JSON.parse(Buffer.from(contentsOf(entries, SIGNATURES_FILE)).toString()).signatures[0] as string;
const resigned = (alg: Alg, files: Map<string, Uint8Array>) => signedEntries(alg, files);
const withToken = (alg: Alg, token: string) => signedEntries(alg, BASE_FILES, token);
const withSignatures = (alg: Alg, body: string | Uint8Array) =>
  replace(signedEntries(alg), SIGNATURES_FILE, (e) => ({
    ...e,
    contents: typeof body === "string" ? text(body) : body,
  }));
const payloadWith = (alg: Alg, payload: object | string, head = header(alg)) =>
  withToken(alg, jws(alg, head, typeof payload === "string" ? payload : JSON.stringify(payload)));

/** A bundle and the verifier's key and algorithm (by default: the right ones). */
type Made = { bundle: Uint8Array; key?: Uint8Array; alg?: Alg };
type Variant = (d: Draw) => Made;
const plain = (entries: readonly RawEntry[]): Made => ({ bundle: gz(entries) });

function octalSize(n: number, width = 12): string {
  return `${n.toString(8).padStart(width - 1, "0")}\0`;
}
function base256(n: number): Uint8Array {
  const field = Buffer.alloc(12);
  field[0] = 0x80;
  field.writeUIntBE(n, 6, 6);
  return field;
}
/** A permutation of `length` items from two numbers (Fisher–Yates on a tiny LCG). */
function permutation(length: number, seed: number): number[] {
  const order = [...Array(length).keys()];
  let state = seed >>> 0 || 1;
  for (let i = length - 1; i > 0; i--) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const j = state % (i + 1);
    const swapped = order[i] as number;
    order[i] = order[j] as number;
    order[j] = swapped;
  }
  return order;
}
const pick = <T>(items: readonly T[], n: number): T => items[n % items.length] as T;

const VARIANTS: Record<Kind, Record<string, Variant>> = {
  bytes: {
    "flip a byte of the tar": ({ alg, a, byte }) => {
      const tar = rawTar(signedEntries(alg));
      tar[a % tar.length] = (tar[a % tar.length] as number) ^ byte;
      return { bundle: gzipSync(tar) };
    },
    "flip a byte of the gzip stream": ({ alg, a, byte }) => {
      const bundle = Buffer.from(gz(signedEntries(alg)));
      bundle[a % bundle.length] = (bundle[a % bundle.length] as number) ^ byte;
      return { bundle };
    },
    "cut the tar short": ({ alg, a }) => {
      const tar = rawTar(signedEntries(alg));
      return { bundle: gzipSync(tar.subarray(0, a % tar.length)) };
    },
    "bytes after the end of the tar": ({ alg, byte }) => ({
      bundle: gzipSync(Buffer.concat([rawTar(signedEntries(alg)), Buffer.alloc(700, byte)])),
    }),
    "a byte of padding changed": ({ alg, byte }) => {
      const entries = signedEntries(alg);
      const tar = rawTar(entries);
      // The padding after the first file's contents.
      const size = ((entries[0] as RawEntry).contents as Uint8Array).length;
      if (size % 512 !== 0) tar[512 + size + ((byte % (512 - (size % 512))) | 0)] = byte;
      return { bundle: gzipSync(tar) };
    },
  },
  entries: {
    "an unsigned file added": ({ alg }) =>
      plain([
        ...signedEntries(alg),
        { name: "/charter/extra.rego", contents: text("package charter.extra\n") },
      ]),
    "a signed file removed": ({ alg, a }) =>
      plain(without(signedEntries(alg), pick([POLICY, DATA, ".manifest"], a))),
    "a signed file changed": ({ alg }) =>
      plain(
        replace(signedEntries(alg), POLICY, (e) => ({
          ...e,
          contents: text(`${Buffer.from(e.contents as Uint8Array)}# changed\n`),
        })),
      ),
    "a signed file renamed": ({ alg }) =>
      plain(
        replace(signedEntries(alg), POLICY, (e) => ({ ...e, name: "/charter/policies/q.rego" })),
      ),
    "data.json re-spaced and re-ordered (same canonical JSON)": ({ alg }) =>
      plain(
        replace(signedEntries(alg), DATA, (e) => ({
          ...e,
          contents: text('{"params":{"p":{"max":1.0}},   "exceptions":[ ]}'),
        })),
      ),
    "data.json number rewritten (1.0 → 1)": ({ alg }) =>
      plain(
        replace(signedEntries(alg), DATA, (e) => ({
          ...e,
          contents: text('{"exceptions":[],"params":{"p":{"max":1}}}'),
        })),
      ),
    "a folder entry added": ({ alg }) =>
      plain([{ name: "/charter/", type: "5" }, ...signedEntries(alg)]),
    "a second .signatures.json in a folder": ({ alg }) =>
      plain([
        ...signedEntries(alg),
        {
          name: "/charter/.signatures.json",
          contents: contentsOf(signedEntries(alg), SIGNATURES_FILE),
        },
      ]),
    "the signature moved into a folder": ({ alg }) =>
      plain(
        replace(signedEntries(alg), SIGNATURES_FILE, (e) => ({
          ...e,
          name: "/charter/.signatures.json",
        })),
      ),
    "the signature removed": ({ alg }) => plain(without(signedEntries(alg), SIGNATURES_FILE)),
    "a file added and signed": ({ alg, a }) =>
      plain(
        resigned(
          alg,
          new Map(BASE_FILES).set(
            pick(["charter/notes.txt", "charter/extra.rego", "charter/more/data.json"], a),
            text(pick(["notes\n", "package charter.extra\n", '{"x": [1, 2.50]}'], a)),
          ),
        ),
      ),
    "a data.yaml added and signed": ({ alg, a }) =>
      plain(
        resigned(
          alg,
          new Map(BASE_FILES).set(
            "charter/extra/data.yaml",
            text(pick(["a: 1\nb: [x, y]\n", "list:\n  - 1.50\n  - true\nname: 'q'\n", "{}\n"], a)),
          ),
        ),
      ),
    "a file removed and re-signed": ({ alg }) => {
      const files = new Map(BASE_FILES);
      files.delete(DATA);
      return plain(resigned(alg, files));
    },
    "names without the leading slash": ({ alg }) =>
      plain(signedEntries(alg).map((e) => ({ ...e, name: (e.name as string).slice(1) }))),
    "names with ./": ({ alg }) =>
      plain(signedEntries(alg).map((e) => ({ ...e, name: `.${e.name}` }))),
    "names with ./, signed so": ({ alg }) => {
      const files = new Map([...BASE_FILES].map(([p, c]) => [`./${p}`, c]));
      return plain(
        signedEntries(alg, files).map((e) => ({
          ...e,
          name: (e.name as string)
            .replace(/^\/\.\//, "./")
            .replace(/^\/\.signatures/, "./.signatures"),
        })),
      );
    },
  },
  order: {
    "entries shuffled": ({ alg, a }) => {
      const entries = signedEntries(alg);
      return plain(permutation(entries.length, a).map((i) => entries[i] as RawEntry));
    },
    "the signature last": ({ alg }) => {
      const entries = signedEntries(alg);
      return plain([
        ...without(entries, SIGNATURES_FILE),
        ...entries.filter((e) => e.name === `/${SIGNATURES_FILE}`),
      ]);
    },
  },
  duplicates: {
    "an identical copy after": ({ alg, a }) => {
      const name = pick([POLICY, DATA, ".manifest"], a);
      const entries = signedEntries(alg);
      return plain([...entries, { name: `/${name}`, contents: contentsOf(entries, name) }]);
    },
    "a tampered copy before": ({ alg }) =>
      plain(
        replace(signedEntries(alg), POLICY, (e) => [
          { ...e, contents: text('package charter.policies.p\n\nviolations := {"x"}\n') },
          e,
        ]),
      ),
    "a tampered copy after": ({ alg }) =>
      plain(
        replace(signedEntries(alg), POLICY, (e) => [
          e,
          { ...e, contents: text('package charter.policies.p\n\nviolations := {"x"}\n') },
        ]),
      ),
    "the same file under another spelling": ({ alg, a }) =>
      plain(
        replace(signedEntries(alg), POLICY, (e) => [
          e,
          { ...e, name: pick([POLICY, `./${POLICY}`, `//${POLICY}`], a) },
        ]),
      ),
    "two .signatures.json": ({ alg }) =>
      plain(replace(signedEntries(alg), SIGNATURES_FILE, (e) => [e, e])),
    "a folder entry twice": ({ alg }) =>
      plain([
        { name: "/charter/", type: "5" },
        { name: "/charter/", type: "5" },
        ...signedEntries(alg),
      ]),
  },
  headers: {
    "size in base-256": ({ alg, a }) => {
      const name = pick([POLICY, DATA, ".manifest", SIGNATURES_FILE], a);
      return plain(
        replace(signedEntries(alg), name, (e) => ({
          ...e,
          size: base256((e.contents as Uint8Array).length),
        })),
      );
    },
    "size padded with spaces, no NUL": ({ alg }) =>
      plain(
        replace(signedEntries(alg), POLICY, (e) => ({
          ...e,
          size: `  ${(e.contents as Uint8Array).length.toString(8).padStart(9, "0")} `,
        })),
      ),
    "size negative or not octal": ({ alg, a }) =>
      plain(
        replace(signedEntries(alg), POLICY, (e) => ({
          ...e,
          size: pick(["-1000", "00000000009\0", "0x10\0", "1 2\0", "+0000000010\0"], a),
        })),
      ),
    "size too large": ({ alg, a }) =>
      plain(
        replace(signedEntries(alg), POLICY, (e) => ({
          ...e,
          size: octalSize((e.contents as Uint8Array).length + 1 + (a % 2000)),
        })),
      ),
    "type flag NUL (old regular file)": ({ alg }) =>
      plain(signedEntries(alg).map((e) => ({ ...e, type: "\0" }))),
    "a signed file typed as another kind": ({ alg, a }) =>
      plain(
        replace(signedEntries(alg), POLICY, (e) => ({ ...e, type: pick(["7", "2", "5", "1"], a) })),
      ),
    "an extra entry of another kind": ({ alg, a }) =>
      plain([
        ...signedEntries(alg),
        {
          name: "charter/odd",
          type: pick(["1", "2", "3", "4", "6", "7", "Z"], a),
          edit: (h: Buffer) => h.write("charter/policies/p.rego", 157),
        },
      ]),
    "GNU magic": ({ alg }) =>
      plain(signedEntries(alg).map((e) => ({ ...e, format: "gnu" as const }))),
    "no magic (v7)": ({ alg }) =>
      plain(signedEntries(alg).map((e) => ({ ...e, format: "v7" as const }))),
    "a star trailer": ({ alg }) =>
      plain(
        replace(signedEntries(alg), POLICY, (e) => ({
          ...e,
          edit: (h: Buffer) => h.write("tar\0", 508, "latin1"),
        })),
      ),
    "checksum wrong": ({ alg, byte }) =>
      plain(
        replace(signedEntries(alg), POLICY, (e) => ({
          ...e,
          keepChecksum: true,
          edit: (h: Buffer) => h.write(`${(byte + 1000).toString(8)}\0 `, 148),
        })),
      ),
    "mtime or uid not a number": ({ alg, a }) =>
      plain(
        replace(signedEntries(alg), POLICY, (e) => ({
          ...e,
          edit: (h: Buffer) =>
            h.write(pick(["zzzz\0", "9\0"], a), pick([136, 108], a >> 1), "latin1"),
        })),
      ),
    "mode in base-256": ({ alg }) =>
      plain(
        replace(signedEntries(alg), POLICY, (e) => ({
          ...e,
          edit: (h: Buffer) => {
            h.fill(0, 100, 108);
            h[100] = 0x80;
            h[107] = 0o644 & 0xff;
            h[106] = 0o644 >> 8;
          },
        })),
      ),
    "name split into prefix and name": ({ alg }) =>
      plain(
        replace(signedEntries(alg), POLICY, (e) => ({
          ...e,
          name: "p.rego",
          prefix: "/charter/policies",
        })),
      ),
    "name in a PAX path record": ({ alg, a }) =>
      plain(
        replace(signedEntries(alg), POLICY, (e) => [
          paxEntry({ path: pick([`/${POLICY}`, "/charter/policies/q.rego"], a) }),
          { ...e, name: "ignored" },
        ]),
      ),
    "size in a PAX size record": ({ alg, a }) =>
      plain(
        replace(signedEntries(alg), POLICY, (e) => {
          const size = (e.contents as Uint8Array).length;
          return [
            paxEntry({ size: String(pick([size, size + 1, size - 1], a)) }),
            { ...e, size: octalSize(pick([size, 0, 7], a >> 2)) },
          ];
        }),
      ),
    "PAX records Go reads or refuses": ({ alg, a }) =>
      plain(
        replace(signedEntries(alg), POLICY, (e) => [
          paxEntry(
            pick<Record<string, string>>(
              [
                { mtime: "1.5" },
                { mtime: "abc" },
                { uid: "x" },
                { comment: "hello" },
                { path: "" },
              ],
              a,
            ),
          ),
          e,
        ]),
      ),
    "a malformed PAX record": ({ alg, a }) =>
      plain(
        replace(signedEntries(alg), POLICY, (e) => [
          {
            name: "PaxHeader",
            type: "x",
            contents: text(pick(["5 a=\n", "99 path=x\n", "6 path\n", "x path=a\n"], a)),
          },
          e,
        ]),
      ),
    "a PAX global header first": ({ alg }) =>
      plain([paxEntry({ comment: "global" }, "g"), ...signedEntries(alg)]),
    "a GNU long name": ({ alg }) =>
      plain(
        replace(signedEntries(alg), POLICY, (e) => [
          { name: "././@LongLink", type: "L", format: "gnu", contents: text(`/${POLICY}\0`) },
          { ...e, name: "short", format: "gnu" },
        ]),
      ),
    "a zero block in the middle": ({ alg }) => {
      const entries = signedEntries(alg);
      return {
        bundle: gzipSync(
          Buffer.concat([
            rawTar(entries.slice(0, 1), false),
            Buffer.alloc(512),
            rawTar(entries.slice(1)),
          ]),
        ),
      };
    },
    "one end block, or none": ({ alg, a }) => {
      const tar = rawTar(signedEntries(alg), false);
      return { bundle: gzipSync(a % 2 ? Buffer.concat([tar, Buffer.alloc(512)]) : tar) };
    },
    "a name that is not UTF-8": ({ alg }) =>
      plain([
        ...signedEntries(alg),
        {
          name: "charter/x",
          edit: (h: Buffer) => {
            h[8] = 0xff;
          },
        },
      ]),
  },
  signature: {
    "two JWTs": ({ alg }) => withSignaturesMade(alg, (t) => JSON.stringify({ signatures: [t, t] })),
    "no JWT": ({ alg, a }) =>
      withSignaturesMade(alg, () =>
        pick(['{"signatures":[]}', '{"signatures":null}', "{}", '{"signatures":[null]}'], a),
      ),
    "a verifier plugin named": ({ alg }) =>
      withSignaturesMade(alg, (t) => JSON.stringify({ signatures: [t], plugin: "custom" })),
    "text after the JSON": ({ alg }) =>
      withSignaturesMade(alg, (t) => `${JSON.stringify({ signatures: [t] })}\n{"signatures":[]}`),
    "pretty-printed, with an unknown field": ({ alg }) =>
      withSignaturesMade(alg, (t) => JSON.stringify({ signatures: [t], note: 1 }, null, 2)),
    "signatures spelled Signatures": ({ alg }) =>
      withSignaturesMade(alg, (t) => JSON.stringify({ Signatures: [t] })),
    "a character of the JWT changed": ({ alg, a, b }) =>
      withSignaturesMade(alg, (t) => {
        const i = a % t.length;
        const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=";
        return JSON.stringify({
          signatures: [`${t.slice(0, i)}${pick([...alphabet], b)}${t.slice(i + 1)}`],
        });
      }),
    "another payload, not re-signed": ({ alg }) => {
      const [h, , s] = tokenOf(signedEntries(alg)).split(".");
      const forged = Buffer.from(
        JSON.stringify(
          claims(new Map(BASE_FILES).set(POLICY, text("package charter.policies.p\n"))),
        ),
      ).toString("base64url");
      return plain(withToken(alg, `${h}.${forged}.${s}`));
    },
    "claims of odd types, signed": ({ alg, a }) =>
      plain(
        payloadWith(
          alg,
          pick(
            [
              { ...claims(BASE_FILES), iat: "1767225600" },
              { ...claims(BASE_FILES), iat: 1.5 },
              { ...claims(BASE_FILES), iat: 1e21 },
              { ...claims(BASE_FILES), scope: 5 },
              { ...claims(BASE_FILES), iss: ["x"] },
              { ...claims(BASE_FILES), files: null },
              { ...claims(BASE_FILES), files: [...(claims(BASE_FILES).files as object[]), null] },
              { files: (claims(BASE_FILES).files as object[]).map((f) => ({ ...f, hash: 7 })) },
            ],
            a,
          ),
        ),
      ),
    "claims a signer might write, signed": ({ alg, a }) =>
      plain(
        payloadWith(
          alg,
          pick(
            [
              { files: claims(BASE_FILES).files },
              { ...claims(BASE_FILES), iss: "ci", exp: 1, keyid: KEY_ID, extra: { x: 1 } },
              {
                files: (claims(BASE_FILES).files as { hash: string }[]).map((f) => ({
                  ...f,
                  hash: f.hash.toUpperCase(),
                })),
              },
              {
                files: [...BASE_FILES].map(([name, c]) => ({
                  name,
                  hash: bundleFileHash(name, c, "SHA-512"),
                  algorithm: "SHA-512",
                })),
              },
              { ...claims(BASE_FILES), scope: "" },
            ],
            a,
          ),
        ),
      ),
    "claims OPA reads otherwise, signed": ({ alg, a }) =>
      plain(
        payloadWith(
          alg,
          pick(
            [
              {
                files: (claims(BASE_FILES).files as { name: string }[]).map((f) => ({
                  ...f,
                  name: `/${f.name}`,
                })),
              },
              {
                files: [
                  ...(claims(BASE_FILES).files as object[]),
                  (claims(BASE_FILES).files as object[])[0],
                ],
              },
              { Files: claims(BASE_FILES).files },
              `{"files":[],"files":${JSON.stringify(claims(BASE_FILES).files)}}`,
              { ...claims(BASE_FILES), scope: "prod" },
              { files: (claims(BASE_FILES).files as object[]).slice(1) },
              {
                files: [
                  ...(claims(BASE_FILES).files as object[]),
                  { name: "charter/absent.rego", hash: "00", algorithm: "SHA-256" },
                ],
              },
              {
                files: (claims(BASE_FILES).files as object[]).map((f) => ({
                  ...f,
                  algorithm: "SHA-3",
                })),
              },
            ],
            a,
          ),
        ),
      ),
    "JWS headers, signed": ({ alg, a }) =>
      plain(
        payloadWith(
          alg,
          claims(BASE_FILES),
          pick(
            [
              JSON.stringify({ alg, kid: "someone-else" }),
              JSON.stringify({ alg }),
              JSON.stringify({ alg, kid: KEY_ID, crit: ["exp"], exp: 1 }),
              JSON.stringify({ alg: alg === "HS256" ? "RS256" : "HS256", kid: KEY_ID }),
              "not json",
              JSON.stringify({ alg: "none", kid: KEY_ID }),
            ],
            a,
          ),
        ),
      ),
  },
  key: {
    "another key of the same kind": ({ alg }) => ({
      bundle: gz(signedEntries(alg)),
      key: KEYS[alg].other,
    }),
    "the private key, or PKCS#1/SEC1 PEM": ({ alg, a }) => ({
      bundle: gz(signedEntries(alg)),
      key:
        alg === "RS256"
          ? pick(
              [
                pem(rsa.privateKey, "pkcs8"),
                pem(rsa.publicKey, "pkcs1"),
                pem(rsa.privateKey, "pkcs1"),
              ],
              a,
            )
          : alg === "ES256"
            ? pick([pem(ec.privateKey, "pkcs8"), pem(ec.privateKey, "sec1")], a)
            : text("correct-horse-battery"),
    }),
    "the key with CRLF line ends, or DER": ({ alg, a }) => ({
      bundle: gz(signedEntries(alg)),
      key:
        alg === "HS256"
          ? text("correct-horse-battery\r\n")
          : a % 2
            ? text(Buffer.from(KEYS[alg].verify).toString().replaceAll("\n", "\r\n"))
            : (alg === "RS256" ? rsa : ec).publicKey.export({ format: "der", type: "spki" }),
    }),
    "HS256 keyed with the public key (DER or PEM)": ({ a }) => {
      const publicKey = pick([rsa, ec], a).publicKey;
      const material =
        a & 2
          ? publicKey.export({ format: "der", type: "spki" })
          : Buffer.from(publicKey.export({ format: "pem", type: "spki" }));
      const token = jws("HS256", header("HS256"), JSON.stringify(claims(BASE_FILES)), material);
      return { bundle: gz(signedEntries("HS256", BASE_FILES, token)), key: material, alg: "HS256" };
    },
  },
  alg: {
    "verified with each algorithm": ({ alg, a }) => ({
      bundle: gz(signedEntries(alg)),
      alg: pick(ALGS, a),
    }),
    "verified with each algorithm and the other kind of key": ({ alg, a }) => {
      const verifyAlg = pick(ALGS, a);
      return { bundle: gz(signedEntries(alg)), alg: verifyAlg, key: KEYS[verifyAlg].verify };
    },
  },
};

function withSignaturesMade(alg: Alg, body: (token: string) => string): Made {
  return plain(withSignatures(alg, body(tokenOf(signedEntries(alg)))));
}

export function variantNames(kind: Kind): string[] {
  return Object.keys(VARIANTS[kind]);
}

/** The bundle a draw makes for a kind of change, with the key and algorithm to verify it by. */
export function makeCase(kind: Kind, draw: Draw): Case {
  const names = variantNames(kind);
  const variant = names[draw.variant % names.length] as string;
  const made = (VARIANTS[kind][variant] as Variant)(draw);
  return {
    kind,
    variant,
    bundle: made.bundle,
    key: made.key ?? KEYS[made.alg ?? draw.alg].verify,
    alg: made.alg ?? draw.alg,
    keyId: KEY_ID,
  };
}

/** Sanity: the base bundle of each algorithm, as the unchanged case. */
export function baseBundle(alg: Alg): Case {
  return {
    kind: "order",
    variant: "unchanged",
    bundle: gz(signedEntries(alg)),
    key: KEYS[alg].verify,
    alg,
    keyId: KEY_ID,
  };
}
