import { generateKeyPairSync } from "node:crypto";
import { CharterError } from "@charter/ir";
import { describe, expect, it } from "vitest";
import { buildBundle, bundleFiles } from "./build-bundle.js";
import { canonicalJson } from "./canonical-json.js";
import { bundleFileHash } from "./hash.js";
import { signingKey, verificationKey } from "./keys.js";
import { signBundle } from "./sign.js";
import { packTarGz } from "./tar.js";
import { readTarGz } from "./tar-reader.js";
import { verifyBundle } from "./verify.js";

const bytes = (text: string) => Buffer.from(text, "utf8");

// Reference §4.5 (opa-bundles.md): files, digests and the signed .signatures.json.
const VECTOR_FILES = new Map([
  [
    ".manifest",
    bytes(
      '{"revision":"demo-1","roots":["k8s"],"rego_version":1,"metadata":{"compiler":"policy-compiler"}}\n',
    ),
  ],
  ["k8s/data.json", bytes('{\n  "exemptNamespaces": ["kube-system"],\n  "maxReplicas": 5\n}\n')],
  [
    "k8s/admission/policy.rego",
    bytes(
      'package k8s.admission\n\ndeny contains msg if {\n\tinput.request.object.spec.hostNetwork == true\n\tmsg := "hostNetwork is not allowed"\n}\n',
    ),
  ],
]);
const VECTOR_SIGNATURES =
  '{"signatures":["eyJhbGciOiJIUzI1NiIsImtpZCI6ImRlbW8ta2V5IiwidHlwIjoiSldUIn0.eyJmaWxlcyI6W3sibmFtZSI6Ii5tYW5pZmVzdCIsImhhc2giOiI5ZWNkYzhkZDdhNDU0OGYzMjNhNjg1ZGQ4YjA0NWU1M2VkMWVkYTllMzYxZjg2YTc3NzhiYzk2YjU3Y2ZmYTE5IiwiYWxnb3JpdGhtIjoiU0hBLTI1NiJ9LHsibmFtZSI6Ims4cy9kYXRhLmpzb24iLCJoYXNoIjoiMDYxZDJiOWExZjBmNDY2NDI3MWZiMDUwODdkMjAwNzU0MmVhNGE2NzRlMmRhNDk4Mjk4ZmNmYzIxM2Y0MmRiMiIsImFsZ29yaXRobSI6IlNIQS0yNTYifSx7Im5hbWUiOiJrOHMvYWRtaXNzaW9uL3BvbGljeS5yZWdvIiwiaGFzaCI6IjVkZTEzNmY1NDlhYTk0ZTkzMzRlYjQ2M2E5MGVmN2E3NGE2ZDYwYTZlNzBlYmYwZmRlYzNkODRmODM5ZjQ5MGYiLCJhbGdvcml0aG0iOiJTSEEtMjU2In1dLCJpYXQiOjE3NjcyMjU2MDAsImlzcyI6InBvbGljeS1jb21waWxlciIsInNjb3BlIjoid3JpdGUifQ.f2h7nVUG6UcMYqcKt5QiVR4uHKWz2DRed2fApLP-4-s"]}';

describe("canonicalJson", () => {
  it("sorts keys, drops whitespace, keeps number literals as written", () => {
    expect(canonicalJson('{ "b": 1.0, "a": [1e3, -0, "x"] }')).toBe('{"a":[1e3,-0,"x"],"b":1.0}');
    expect(canonicalJson('{"a": 1, "a": 2}')).toBe('{"a":2}');
  });

  it("escapes strings as Go does without HTML escaping", () => {
    expect(canonicalJson('"<&>\\u2028\\u0001\\/"')).toBe('"<&>\\u2028\\u0001/"');
  });

  it("sorts keys by UTF-8 bytes, not UTF-16 units", () => {
    // U+FF5E (EF BD 9E) sorts before U+1F600 (F0 9F 98 80) in UTF-8; UTF-16 says otherwise.
    expect(canonicalJson('{"\\ud83d\\ude00": 1, "\\uff5e": 2}')).toBe('{"～":2,"😀":1}');
  });

  it("rejects what is not JSON", () => {
    expect(() => canonicalJson("{a: 1}")).toThrow(SyntaxError);
    expect(() => canonicalJson("[1] x")).toThrow(SyntaxError);
  });
});

describe("the reference test vector (§4.5)", () => {
  it("hashes each file as OPA does", () => {
    const hash = (name: string) => bundleFileHash(name, VECTOR_FILES.get(name) as Uint8Array);
    expect(hash(".manifest")).toBe(
      "9ecdc8dd7a4548f323a685dd8b045e53ed1eda9e361f86a7778bc96b57cffa19",
    );
    expect(hash("k8s/data.json")).toBe(
      "061d2b9a1f0f4664271fb05087d2007542ea4a674e2da498298fcfc213f42db2",
    );
    expect(hash("k8s/admission/policy.rego")).toBe(
      "5de136f549aa94e9334eb463a90ef7a74a6d60a6e70ebf0fdec3d84f839f490f",
    );
  });

  it("signs to the vector's .signatures.json byte for byte", async () => {
    // signBundle lists the files in the map's order: the vector's.
    const signatures = await signBundle(VECTOR_FILES, {
      algorithm: "HS256",
      key: signingKey(bytes("demo-secret"), "HS256", "secret"),
      keyId: "demo-key",
      scope: "write",
      issuer: "policy-compiler",
      issuedAt: 1767225600,
    });
    expect(signatures).toBe(`${VECTOR_SIGNATURES}\n`);
    // And the vector itself verifies with our verifier.
    const archive = packTarGz(
      new Map([...VECTOR_FILES, [".signatures.json", bytes(VECTOR_SIGNATURES)]]),
    );
    // A secret is never implied: the algorithm must be named (a DER public key is not PEM either).
    expect(() => verificationKey(bytes("demo-secret"), undefined, "secret")).toThrow(
      /cannot tell the signing algorithm: secret holds no PEM key/,
    );
    const secret = verificationKey(bytes("demo-secret"), "HS256", "secret");
    expect(secret.algorithm).toBe("HS256");
    const verified = await verifyBundle(archive, { ...secret, keyId: "demo-key", scope: "write" });
    expect(verified.problems).toEqual([]);
    expect(verified.revision).toBe("demo-1");
  });
});

const input = {
  rego: new Map([
    ["charter/data.json", '{\n  "exceptions": [],\n  "params": {"p": {"max": 1.0}}\n}\n'],
    ["charter/policies/p.rego", "package charter.policies.p\n\nviolations := set()\n"],
  ]),
  name: "demo",
  policies: ["p"],
  charterVersion: "0.0.0-test",
};

describe("buildBundle", () => {
  it("gives the same bytes for the same input, and a content revision", async () => {
    const once = await buildBundle(input);
    expect(
      Buffer.from(await buildBundle({ ...input, rego: new Map([...input.rego].reverse()) })),
    ).toEqual(Buffer.from(once));
    const files = readTarGz(once);
    expect([...files.keys()]).toEqual([
      ".manifest",
      "charter/data.json",
      "charter/policies/p.rego",
    ]);
    const manifest = JSON.parse(Buffer.from(files.get(".manifest") as Uint8Array).toString());
    expect(manifest).toEqual({
      revision: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      roots: ["charter"],
      rego_version: 1,
      metadata: {
        compiler: "charter",
        charterVersion: "0.0.0-test",
        name: "demo",
        policies: ["p"],
      },
    });
    const changed = {
      ...input,
      rego: new Map([...input.rego, ["charter/x.rego", "package charter.x\n"]]),
    };
    const other = JSON.parse(
      Buffer.from(bundleFiles(changed).get(".manifest") as Uint8Array).toString(),
    );
    expect(other.revision).not.toBe(manifest.revision);
    expect(
      bundleFiles({ ...input, revision: "r1" })
        .get(".manifest")
        ?.toString(),
    ).toContain('"revision":"r1"');
  });

  it("lists the wasm entrypoints and ships policy.wasm", () => {
    const files = bundleFiles({
      ...input,
      wasm: { module: new Uint8Array([0, 97, 115, 109]), entrypoints: ["charter/violations"] },
    });
    expect(files.get("policy.wasm")).toEqual(new Uint8Array([0, 97, 115, 109]));
    expect(JSON.parse(Buffer.from(files.get(".manifest") as Uint8Array).toString()).wasm).toEqual([
      { entrypoint: "charter/violations", module: "/policy.wasm" },
    ]);
  });
});

describe("packTarGz / readTarGz", () => {
  it("round-trips long paths and binary contents", () => {
    const long = `charter/${"a".repeat(120)}/${"b".repeat(90)}.rego`;
    const longer = `charter/${"c".repeat(300)}.rego`;
    const files = new Map([
      [long, bytes("x")],
      [longer, bytes("y".repeat(1000))],
      ["policy.wasm", new Uint8Array(513).fill(7)],
    ]);
    const read = readTarGz(packTarGz(files));
    expect([...read.keys()].sort()).toEqual([...files.keys()].sort());
    for (const [path, contents] of files)
      expect(Buffer.from(read.get(path) ?? [])).toEqual(Buffer.from(contents));
  });

  it("says clearly that garbage is not a bundle", () => {
    expect(() => readTarGz(bytes("hello"), "x.tar.gz")).toThrow(CharterError);
    expect(() => readTarGz(bytes("hello"), "x.tar.gz")).toThrow(
      /x.tar.gz is not a readable bundle/,
    );
  });
});

describe("signing and verifying", () => {
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const ec = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const pem = (key: { export(o: object): string | Buffer }, type: "pkcs8" | "spki") =>
    bytes(key.export({ format: "pem", type }).toString());
  const cases = [
    {
      alg: "RS256",
      sign: pem(rsa.privateKey, "pkcs8"),
      verify: pem(rsa.publicKey, "spki"),
      wrong: pem(generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey, "spki"),
    },
    {
      alg: "ES256",
      sign: pem(ec.privateKey, "pkcs8"),
      verify: pem(ec.publicKey, "spki"),
      wrong: pem(generateKeyPairSync("ec", { namedCurve: "prime256v1" }).publicKey, "spki"),
    },
    { alg: "HS256", sign: bytes("s3cret\n"), verify: bytes("s3cret\n"), wrong: bytes("s3cret") },
  ] as const;

  for (const c of cases) {
    it(`${c.alg}: accepts the bundle with the matching key, refuses a changed file or another key`, async () => {
      const archive = await buildBundle(input, {
        algorithm: c.alg,
        key: signingKey(c.sign, c.alg, "key"),
        keyId: "k1",
      });
      // PEM keys imply their algorithm; a secret's must be named.
      const key = verificationKey(c.verify, c.alg === "HS256" ? "HS256" : undefined, "pub");
      expect(key.algorithm).toBe(c.alg);
      const good = await verifyBundle(archive, { ...key, keyId: "k1" });
      expect(good).toMatchObject({ ok: true, problems: [], keyId: "k1" });
      expect(good.files).toEqual([".manifest", "charter/data.json", "charter/policies/p.rego"]);

      const wrong = await verifyBundle(archive, verificationKey(c.wrong, c.alg, "other"));
      expect(wrong.ok).toBe(false);
      expect(wrong.problems.join("\n")).toMatch(/does not verify with this key/);

      const files = readTarGz(archive);
      files.set("charter/policies/p.rego", bytes("package charter.policies.p\n"));
      files.delete("charter/data.json");
      files.set("charter/extra.rego", bytes("package charter.extra\n"));
      const tampered = await verifyBundle(packTarGz(files), key);
      expect(tampered.problems).toEqual([
        "missing  charter/data.json: signed, but not in the bundle",
        expect.stringMatching(
          /^changed {2}charter\/policies\/p.rego: its SHA-256 is [0-9a-f]{64}, the signature says [0-9a-f]{64}$/,
        ),
        "unsigned charter/extra.rego: in the bundle, but not in the signature",
      ]);

      const scoped = await verifyBundle(archive, { ...key, scope: "prod", keyId: "k2" });
      expect(scoped.problems).toEqual([
        'signed by key id "k1", expected "k2"',
        'the signature\'s scope is empty, expected "prod"',
      ]);
    });
  }

  it("an unsigned bundle fails verification", async () => {
    const result = await verifyBundle(
      await buildBundle(input),
      verificationKey(bytes("s"), "HS256", "k"),
    );
    expect(result.problems).toEqual(["the bundle is not signed: it has no .signatures.json"]);
  });

  it("refuses a key that does not fit the algorithm", () => {
    expect(() => signingKey(pem(ec.privateKey, "pkcs8"), "RS256", "ec.pem")).toThrow(
      /ec.pem does not fit RS256: it holds a ec key, not an RSA key/,
    );
    expect(() => signingKey(pem(rsa.privateKey, "pkcs8"), "ES256", "rsa.pem")).toThrow(
      CharterError,
    );
    expect(() => signingKey(pem(rsa.privateKey, "pkcs8"), "HS256", "rsa.pem")).toThrow(
      /holds a PEM key/,
    );
    expect(() => signingKey(pem(rsa.publicKey, "spki"), "RS256", "pub.pem")).toThrow(
      /no private key/,
    );
    expect(() => signingKey(bytes(""), "HS256", "empty")).toThrow(/empty/);
    expect(() => verificationKey(pem(rsa.publicKey, "spki"), "ES256", "pub.pem")).toThrow(
      CharterError,
    );
  });
});
