/**
 * `charter bundle` against the real OPA: `opa eval -b` on the bundle gives, for every document
 * of the example app, the IR engine's failing rows; `opa inspect` reads the manifest and the
 * wasm entrypoints; the bundle's policy.wasm gives the same verdicts in opa-wasm; and `opa
 * build --bundle … --verification-key` (OPA's own signature check) accepts a bundle signed with
 * RS256, ES256 and HS256 and refuses one with a changed file or signed with another key.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packTarGz, policiesFor, readTarGz } from "@charter/compiler";
import type { Json } from "@charter/ir";
import { createIrEngine, findOpa, loadCompiledPolicy, loadResources } from "@charter/runtime";
import { beforeAll, describe, expect, it } from "vitest";
import policies from "../policies/index.js";
import { runCli } from "./support/run-cli.js";
import { scanOnlyNotes, stderrLines } from "./support/scan-only-notes.js";

const opa = findOpa();
if (!opa) {
  const message =
    "opa not found ($CHARTER_OPA, .tools/bin/opa, PATH): run scripts/install-engines.sh";
  if (process.env.CI) throw new Error(`${message} (CI=true makes this an error)`);
  console.warn(`\n!!! SKIPPING bundle tests against opa: ${message}\n`);
}

const scratch = () => mkdtempSync(join(tmpdir(), "charter-bundle-"));

interface Violation {
  readonly policy: string;
  readonly rule: string;
  readonly message: string;
  readonly severity: string;
  readonly enforcement: string;
}

const key = (v: Violation) =>
  JSON.stringify([v.policy, v.rule, v.message, v.severity, v.enforcement]);
const sorted = (vs: readonly Violation[]) => [...new Set(vs.map(key))].sort();

/** The example app's documents, each with the IR engine's violations judging it alone. */
async function expectedViolations(): Promise<{ object: Json; want: string[] }[]> {
  const { resources, problems } = await loadResources([
    "examples/todo-app/hardened",
    "examples/todo-app/insecure",
  ]);
  expect(problems).toEqual([]);
  // The policies the bundle carries (those built for rego), each document judged alone: a
  // bundle at admission sees one object as input and no replicated inventory.
  const ir = createIrEngine(policiesFor(policies, "rego"));
  return resources.map((resource) => ({
    object: resource.object,
    want: sorted(
      ir
        .evaluateSync([resource])
        .filter((f) => f.result === "fail")
        .flatMap((f) =>
          f.messages.map((message) => ({
            policy: f.policy,
            rule: f.rule,
            message,
            severity: f.severity,
            enforcement: f.enforcement,
          })),
        ),
    ),
  }));
}

function run(args: readonly string[]): { code: number; out: string } {
  const result = spawnSync(opa as string, args, { encoding: "utf8" });
  return { code: result.status ?? -1, out: `${result.stdout}${result.stderr}` };
}

describe.skipIf(!opa)("charter bundle on the real opa", () => {
  const folder = scratch();
  const bundle = join(folder, "bundle.tar.gz");
  let documents: { object: Json; want: string[] }[] = [];

  beforeAll(async () => {
    const built = await runCli(["bundle", "--out", bundle, "--name", "todo"]);
    expect(stderrLines(built.stderr)).toEqual(scanOnlyNotes("bundle"));
    expect(built.code).toBe(0);
    documents = await expectedViolations();
  }, 60_000);

  it("is byte-identical when built twice", async () => {
    const again = join(folder, "again.tar.gz");
    expect((await runCli(["bundle", "--out", again, "--name", "todo"])).code).toBe(0);
    expect(readFileSync(again).equals(readFileSync(bundle))).toBe(true);
  });

  it("opa eval -b: data.charter.violations equals the IR engine's failing rows, document by document", () => {
    const docs = join(folder, "docs.json");
    writeFileSync(docs, JSON.stringify({ charter_test_docs: documents.map((d) => d.object) }));
    const query =
      "results := [vs | some doc in data.charter_test_docs; vs := data.charter.violations with input as doc]";
    const output = JSON.parse(
      execFileSync(opa as string, ["eval", "--format=json", "-b", bundle, "-d", docs, query], {
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
      }),
    );
    const results = output.result[0].bindings.results as Violation[][];
    expect(results).toHaveLength(documents.length);
    results.forEach((got, index) => {
      expect(sorted(got), `document #${index}`).toEqual(documents[index]?.want);
    });
    // Not vacuous: the insecure app fails, and some document passes.
    expect(documents.filter((d) => d.want.length > 0).length).toBeGreaterThan(5);
    expect(documents.some((d) => d.want.length === 0)).toBe(true);
  });

  it("one document through --input, as the contract's query", () => {
    const insecure = documents.find((d) => d.want.length > 0) as (typeof documents)[number];
    const input = join(folder, "input.json");
    writeFileSync(input, JSON.stringify(insecure.object));
    const output = JSON.parse(
      execFileSync(
        opa as string,
        ["eval", "--format=json", "-b", bundle, "--input", input, "data.charter.violations"],
        {
          encoding: "utf8",
        },
      ),
    );
    expect(sorted(output.result[0].expressions[0].value)).toEqual(insecure.want);
  });

  it("parameters are data: changing data.charter.params changes the verdict without recompiling", () => {
    const files = readTarGz(readFileSync(bundle));
    const data = JSON.parse(Buffer.from(files.get("charter/data.json") as Uint8Array).toString());
    expect(Object.keys(data.params)).toContain("restrict-image-registries");
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p", namespace: "apps" },
      spec: { containers: [{ name: "c", image: `evil.example.com/app@sha256:${"0".repeat(64)}` }] },
    };
    const input = join(folder, "pod.json");
    writeFileSync(input, JSON.stringify(pod));
    const registries = (bundleFile: string) =>
      (
        JSON.parse(
          execFileSync(
            opa as string,
            [
              "eval",
              "--format=json",
              "-b",
              bundleFile,
              "--input",
              input,
              "data.charter.violations",
            ],
            {
              encoding: "utf8",
            },
          ),
        ).result[0].expressions[0].value as Violation[]
      ).filter((v) => v.policy === "restrict-image-registries");
    const before = registries(bundle);
    const allowAll = {
      ...data,
      params: {
        ...data.params,
        "restrict-image-registries": {
          ...data.params["restrict-image-registries"],
          allowed: ["evil.example.com/"],
        },
      },
    };
    files.set("charter/data.json", Buffer.from(JSON.stringify(allowAll)));
    const edited = join(folder, "edited.tar.gz");
    writeFileSync(edited, packTarGz(files));
    expect(before.length).toBeGreaterThan(0);
    expect(registries(edited)).toEqual([]);
  });

  it("opa inspect reads the manifest", () => {
    const output = JSON.parse(
      execFileSync(opa as string, ["inspect", "--format=json", bundle], { encoding: "utf8" }),
    );
    expect(output.manifest.roots).toEqual(["charter"]);
    expect(output.manifest.rego_version).toBe(1);
    expect(output.manifest.revision).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(output.manifest.metadata).toMatchObject({ compiler: "charter", name: "todo" });
    expect(output.manifest.metadata.policies).toContain("disallow-privileged-containers");
  });

  it("--wasm: opa inspect lists the entrypoints, and policy.wasm gives the same verdicts in opa-wasm", async () => {
    const wasmBundle = join(folder, "wasm.tar.gz");
    const built = await runCli(["bundle", "--wasm", "--out", wasmBundle]);
    expect(built.code).toBe(0);
    const inspected = JSON.parse(
      execFileSync(opa as string, ["inspect", "--format=json", wasmBundle], { encoding: "utf8" }),
    );
    expect(inspected.manifest.wasm).toContainEqual({
      entrypoint: "charter/violations",
      module: "/policy.wasm",
    });
    const files = readTarGz(readFileSync(wasmBundle));
    const policy = await loadCompiledPolicy(files.get("policy.wasm") as Uint8Array);
    policy.setData({
      charter: JSON.parse(Buffer.from(files.get("charter/data.json") as Uint8Array).toString()),
    });
    for (const [index, document] of documents.entries()) {
      const [result] = policy.evaluate(document.object, "charter/violations");
      expect(sorted(result?.result ?? []), `document #${index}`).toEqual(document.want);
    }
  }, 60_000);
});

function pem(keyObject: KeyObject, type: "pkcs8" | "spki"): string {
  return keyObject.export({ format: "pem", type }).toString();
}

describe.skipIf(!opa)("signed bundles on the real opa", () => {
  const folder = scratch();
  const write = (name: string, text: string) => {
    writeFileSync(join(folder, name), text);
    return join(folder, name);
  };
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const otherRsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const ec = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const otherEc = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const algorithms = [
    {
      alg: "RS256",
      sign: write("rsa.pem", pem(rsa.privateKey, "pkcs8")),
      verify: write("rsa.pub", pem(rsa.publicKey, "spki")),
      other: write("rsa2.pub", pem(otherRsa.publicKey, "spki")),
    },
    {
      alg: "ES256",
      sign: write("ec.pem", pem(ec.privateKey, "pkcs8")),
      verify: write("ec.pub", pem(ec.publicKey, "spki")),
      other: write("ec2.pub", pem(otherEc.publicKey, "spki")),
    },
    // OPA takes an HMAC secret on the command line as the secret itself (a file path works too).
    {
      alg: "HS256",
      sign: write("hs.key", "correct-horse"),
      verify: "correct-horse",
      other: "battery-staple",
    },
  ];

  /** OPA's own verification: `opa build --bundle IN --verification-key …` reads and checks IN. */
  const opaVerifies = (bundleFile: string, verificationKey: string, alg: string) =>
    run([
      "build",
      "--bundle",
      bundleFile,
      "--verification-key",
      verificationKey,
      "--verification-key-id",
      "ci",
      "--signing-alg",
      alg,
      "-o",
      join(folder, `out-${Math.random()}.tar.gz`),
    ]);

  for (const { alg, sign, verify, other } of algorithms) {
    it(`${alg}: opa accepts it with the matching key, refuses a changed file and another key`, async () => {
      const signed = join(folder, `${alg}.tar.gz`);
      const built = await runCli([
        "bundle",
        "--out",
        signed,
        "--signing-key",
        sign,
        "--signing-alg",
        alg,
        "--signing-key-id",
        "ci",
      ]);
      expect(stderrLines(built.stderr)).toEqual(scanOnlyNotes("bundle"));
      expect(built.code).toBe(0);
      const files = readTarGz(readFileSync(signed));
      const signature = JSON.parse(
        Buffer.from(files.get(".signatures.json") as Uint8Array).toString(),
      );
      const [header, payload] = (signature.signatures[0] as string)
        .split(".")
        .slice(0, 2)
        .map((part) => JSON.parse(Buffer.from(part, "base64url").toString()));
      expect(header).toEqual({ alg, kid: "ci", typ: "JWT" });
      expect(typeof payload.iat).toBe("number");
      expect(payload.scope).toBeUndefined();
      expect(payload.files.map((f: { name: string }) => f.name)).toEqual(
        [...files.keys()].filter((n) => n !== ".signatures.json"),
      );

      expect(opaVerifies(signed, verify, alg)).toMatchObject({ code: 0 });

      const wrong = opaVerifies(signed, other, alg);
      expect(wrong.code).toBe(1);
      expect(wrong.out).toMatch(/failed to verify JWT signature|verification error|invalid/i);

      const changed = new Map(files);
      const path = "charter/violations.rego";
      changed.set(
        path,
        Buffer.from(`${Buffer.from(files.get(path) as Uint8Array).toString()}\n# changed\n`),
      );
      const tampered = join(folder, `${alg}-tampered.tar.gz`);
      writeFileSync(tampered, packTarGz(new Map([...changed].map(([p, c]) => [`/${p}`, c]))));
      const refused = opaVerifies(tampered, verify, alg);
      expect(refused.code).toBe(1);
      expect(refused.out).toMatch(/digest mismatch|charter\/violations\.rego/);

      // charter bundle verify agrees with opa on all three.
      const keyFile = alg === "HS256" ? write(`${alg}.verify`, verify) : verify;
      const otherFile = alg === "HS256" ? write(`${alg}.other`, other) : other;
      const ok = await runCli([
        "bundle",
        "verify",
        signed,
        "--verification-key",
        keyFile,
        "--verification-key-id",
        "ci",
        "--signing-alg",
        alg,
      ]);
      expect(ok.stdout).toMatch(/verified/);
      expect(ok.code).toBe(0);
      const bad = await runCli([
        "bundle",
        "verify",
        tampered,
        "--verification-key",
        keyFile,
        "--signing-alg",
        alg,
      ]);
      expect(bad.code).toBe(1);
      expect(bad.stdout).toMatch(/changed {2}charter\/violations\.rego/);
      const another = await runCli([
        "bundle",
        "verify",
        signed,
        "--verification-key",
        otherFile,
        "--signing-alg",
        alg,
      ]);
      expect(another.code).toBe(1);
      expect(another.stdout).toMatch(/does not verify with this key/);
    }, 60_000);
  }

  it("opa run --server starts with the matching key and refuses to start with another", async () => {
    const rs = algorithms[0] as (typeof algorithms)[number];
    const signed = join(folder, "served.tar.gz");
    expect(
      (
        await runCli([
          "bundle",
          "--out",
          signed,
          "--signing-key",
          rs.sign,
          "--signing-key-id",
          "ci",
        ])
      ).code,
    ).toBe(0);
    /** The exit code within `ms`, or "running" (the server was then stopped). */
    const serve = (verificationKey: string, ms: number) =>
      new Promise<number | "running">((done) => {
        const server = spawn(
          opa as string,
          [
            "run",
            "--server",
            "--addr",
            "127.0.0.1:0",
            "--log-level",
            "error",
            "--bundle",
            signed,
            "--verification-key",
            verificationKey,
            "--verification-key-id",
            "ci",
          ],
          { stdio: "ignore" },
        );
        const timer = setTimeout(() => {
          server.kill();
          done("running");
        }, ms);
        server.on("exit", (code) => {
          clearTimeout(timer);
          done(code ?? -1);
        });
      });
    expect(await serve(rs.other, 10_000)).toBe(1);
    expect(await serve(rs.verify, 2_000)).toBe("running");
  }, 30_000);

  it("opa refuses an unsigned bundle when a key is configured, and a signed one without a key", async () => {
    const unsigned = join(folder, "unsigned.tar.gz");
    expect((await runCli(["bundle", "--out", unsigned])).code).toBe(0);
    expect(opaVerifies(unsigned, algorithms[0]?.verify as string, "RS256").out).toMatch(
      /missing .signatures.json/,
    );
  });

  it("a scope must match on both sides", async () => {
    const scoped = join(folder, "scoped.tar.gz");
    const rs = algorithms[0] as (typeof algorithms)[number];
    expect(
      (
        await runCli([
          "bundle",
          "--out",
          scoped,
          "--signing-key",
          rs.sign,
          "--signing-key-id",
          "ci",
          "--signing-scope",
          "prod",
        ])
      ).code,
    ).toBe(0);
    const base = [
      "build",
      "--bundle",
      scoped,
      "--verification-key",
      rs.verify,
      "--verification-key-id",
      "ci",
      "-o",
      join(folder, "scoped-out.tar.gz"),
    ];
    expect(run([...base, "--scope", "prod"]).code).toBe(0);
    expect(run(base).code).toBe(1);
    expect(
      (
        await runCli([
          "bundle",
          "verify",
          scoped,
          "--verification-key",
          rs.verify,
          "--scope",
          "prod",
        ])
      ).code,
    ).toBe(0);
    const unscoped = await runCli(["bundle", "verify", scoped, "--verification-key", rs.verify]);
    expect(unscoped.code).toBe(1);
    expect(unscoped.stdout).toMatch(/scope is "prod", expected none/);
  });

  it("bad input is a usage error (exit 2) that says what to do", async () => {
    const rs = algorithms[0] as (typeof algorithms)[number];
    const out = join(folder, "never.tar.gz");
    const cases: [string[], RegExp][] = [
      [
        ["bundle", "--out", out, "--signing-key", join(folder, "nope.pem")],
        /cannot read the signing key .*nope.pem: no such file/,
      ],
      [
        ["bundle", "--out", out, "--signing-key", rs.sign, "--signing-alg", "ES256"],
        /does not fit ES256: it holds a rsa key/,
      ],
      [["bundle", "--out", out, "--signing-key", rs.sign, "--signing-alg", "PS999"], /PS999/],
      [["bundle", "--out", out, "--signing-key-id", "ci"], /--signing-key-id needs --signing-key/],
      [
        [
          "bundle",
          "verify",
          write("garbage.tar.gz", "not a bundle"),
          "--verification-key",
          rs.verify,
        ],
        /garbage.tar.gz is not a readable bundle/,
      ],
      [
        ["bundle", "verify", join(folder, "missing.tar.gz"), "--verification-key", rs.verify],
        /cannot read the bundle .*no such file/,
      ],
      [["bundle", "verify", join(folder, "x.tar.gz")], /--verification-key/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(args);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr, args.join(" ")).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
