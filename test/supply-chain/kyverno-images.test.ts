/**
 * Kyverno's verdicts on real signed images, offline: the real `kyverno` CLI 1.19.1 runs the
 * policies Charter emits (ImageValidatingPolicy and ClusterPolicy `verifyImages`) against
 * go-containerregistry's registry (v0.22.1) on 127.0.0.1, with images signed by the real cosign
 * v3.1.3 and key attestors (no Rekor, no Fulcio, no TUF: the key alone, as the IR verifies).
 *
 * Two sets of images:
 * - The shared rig (../shared/conformance/supply-chain/local-cosign-rig, MANIFEST §7), pushed
 *   byte for byte: the legacy `.sig`/`.att` tags and the cosign v3 bundles (referrers tag
 *   schema). The rig keeps no config or layer blob of the image, and an ImageValidatingPolicy
 *   fetches the image's config before any check: every IVP verdict there is an error
 *   ("BLOB_UNKNOWN"), pinned below. The ClusterPolicy needs no config and judges it.
 * - A fresh image built with crane and signed here with cosign (two throwaway keys), in both
 *   formats, for the ImageValidatingPolicy's verdicts.
 *
 * Each row is what Kyverno answered; where Kyverno is stricter than the IR (legacy attestations
 * on the IVP, bundles on the ClusterPolicy), the row says so and pins it, so a Kyverno upgrade
 * that changes it fails here. Tools: `.tools/bin/{kyverno,registry,cosign,crane}` (or
 * $CHARTER_KYVERNO, $CHARTER_REGISTRY, $CHARTER_COSIGN, $CHARTER_CRANE); missing, the suite says
 * so loudly and skips; under CI=true it fails.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { emitKyverno, type KyvernoApi } from "@charter/compiler";
import { verifyImage } from "@charter/images";
import type { Attestor, ImageRequirement, ImageRules, Json, Policy } from "@charter/ir";
import { eq, lit } from "@charter/test-support/build-ir";
import { imagePolicy, predicate, VULN } from "@charter/test-support/image-policies";
import { type ReportResult, reportResults, runKyverno } from "@charter/test-support/kyverno-binary";
import { findPinnedTool, missingForTests } from "@charter/test-support/pinned-tool";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { type RunningRegistry, startRegistry } from "./support/oci-registry.js";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const RIG = join(repo, "..", "shared", "conformance", "supply-chain", "local-cosign-rig");

const tool = (name: string) => findPinnedTool(name, `CHARTER_${name.toUpperCase()}`);
const TOOLS = {
  kyverno: tool("kyverno"),
  registry: tool("registry"),
  cosign: tool("cosign"),
  crane: tool("crane"),
};
const missing = Object.entries(TOOLS)
  .filter(([, path]) => path === undefined)
  .map(([name]) => name);
if (missing.length > 0) {
  missingForTests(
    `${missing.join(", ")} not installed: run scripts/install-engines.sh`,
    "the Kyverno image-verification tests",
  );
}
const bin = (name: keyof typeof TOOLS): string => {
  const path = TOOLS[name];
  if (path === undefined) throw new Error(`no ${name}`);
  return path;
};

const work = mkdtempSync(join(tmpdir(), "charter-kyverno-verify-"));
const env = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: join(work, "home"),
  DOCKER_CONFIG: join(work, "home", ".docker"),
  TUF_ROOT: join(work, "home", ".sigstore", "root"),
  COSIGN_PASSWORD: "charter-kyverno-images",
  NO_COLOR: "1",
};

function run(command: string, args: readonly string[]): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    execFile(
      command,
      [...args],
      { env, cwd: work, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        done({
          code: error ? (typeof error.code === "number" ? error.code : 1) : 0,
          out: `${stdout}${stderr}`,
        });
      },
    );
  });
}
async function mustRun(command: string, args: readonly string[]): Promise<string> {
  const { code, out } = await run(command, args);
  if (code !== 0) throw new Error(`${command} ${args.join(" ")} exited ${code}: ${out}`);
  return out;
}

let registry: RunningRegistry | undefined;
let host = "";

/** Pushes one blob or manifest of the rig as it is (the registry checks the digest). */
async function put(repoName: string, file: string, reference?: string): Promise<void> {
  const bytes = readFileSync(join(RIG, file));
  if (reference === undefined) {
    const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
    const response = await fetch(`http://${host}/v2/${repoName}/blobs/uploads/?digest=${digest}`, {
      method: "POST",
      body: bytes,
    });
    if (response.status !== 201) throw new Error(`blob ${file}: ${response.status}`);
    return;
  }
  const mediaType = (JSON.parse(bytes.toString("utf8")) as { mediaType: string }).mediaType;
  const response = await fetch(`http://${host}/v2/${repoName}/manifests/${reference}`, {
    method: "PUT",
    body: bytes,
    headers: { "Content-Type": mediaType },
  });
  if (response.status !== 201) throw new Error(`manifest ${file}: ${response.status}`);
}

const RIG_DIGEST = readFileSync(join(RIG, "image.digest"), "utf8").trim();
const RIG_TAG = `sha256-${RIG_DIGEST.slice("sha256:".length)}`;

/** The rig's image with its legacy signatures, its bundles, or both (no config or layer blob). */
async function pushRig(repoName: string, forms: readonly ("legacy" | "bundle")[]): Promise<void> {
  await put(repoName, "image.manifest.json", RIG_DIGEST);
  const files = (pattern: RegExp) =>
    readdirSync(RIG)
      .filter((f) => pattern.test(f))
      .sort();
  if (forms.includes("legacy")) {
    for (const blob of files(/^(sig|att)\.layer\..*\.blob$/)) await put(repoName, blob);
    await put(repoName, `${RIG_TAG}.sig.manifest.json`, `${RIG_TAG}.sig`);
    await put(repoName, `${RIG_TAG}.att.manifest.json`, `${RIG_TAG}.att`);
  }
  if (forms.includes("bundle")) {
    // The empty config of an OCI artifact: the two bytes `{}`.
    const empty = await fetch(
      `http://${host}/v2/${repoName}/blobs/uploads/?digest=sha256:${createHash("sha256").update("{}").digest("hex")}`,
      { method: "POST", body: "{}" },
    );
    if (empty.status !== 201) throw new Error(`empty config: ${empty.status}`);
    for (const bundle of files(/^referrer\..*\.sigstore\.json$/)) await put(repoName, bundle);
    for (const manifest of files(/^referrer\..*\.manifest\.json$/)) {
      await put(
        repoName,
        manifest,
        `sha256:${manifest.slice("referrer.".length, -".manifest.json".length)}`,
      );
    }
    await put(repoName, `${RIG_TAG}.referrers-index.json`, RIG_TAG);
  }
}

const keyAttestor = (name: string, file: string): Attestor => ({
  name,
  kind: "key",
  publicKey: readFileSync(file, "utf8"),
});
const signed = (name: string, attestors: Attestor[], names: string[], count = 1) =>
  imagePolicy(name, {
    references: [],
    attestors,
    requirements: [{ kind: "signature", name: "signed", attestors: names, count }],
  });
const attested = (
  name: string,
  attestor: Attestor,
  extra: Partial<Extract<ImageRequirement, { kind: "attestation" }>> = {},
) =>
  imagePolicy(name, {
    references: [],
    attestors: [attestor],
    requirements: [
      {
        kind: "attestation",
        name: "scanned",
        predicateType: VULN,
        attestors: [attestor.name],
        ...extra,
      },
    ],
  });

function pod(name: string, image: string): Json {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default" },
    spec: { containers: [{ name: "app", image }] },
  };
}

/** `kyverno apply` of one emitted policy on pods: each pod's (first judging) result. */
async function verdicts(
  policy: Policy,
  api: KyvernoApi,
  pods: Record<string, string>,
): Promise<Record<string, ReportResult | undefined>> {
  const policyFile = join(work, `${policy.name}.${api}.yaml`);
  writeFileSync(policyFile, emitKyverno([policy], { api }).get(`${policy.name}.yaml`) ?? "");
  const resourceFile = join(work, `${policy.name}.${api}.pods.yaml`);
  writeFileSync(
    resourceFile,
    Object.entries(pods)
      .map(([name, image]) => stringify(pod(name, image)))
      .join("---\n"),
  );
  const { stdout } = await runKyverno(bin("kyverno"), [
    "apply",
    policyFile,
    "--resource",
    resourceFile,
    "-p",
    "--output-format",
    "json",
  ]);
  const results = reportResults(stdout).filter((r) => r.result !== "skip");
  return Object.fromEntries(
    Object.keys(pods).map((name) => [name, results.find((r) => r.resources?.[0]?.name === name)]),
  );
}
const outcome = (results: Record<string, ReportResult | undefined>) =>
  Object.fromEntries(Object.entries(results).map(([name, r]) => [name, r?.result ?? "none"]));

afterAll(async () => {
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe.skipIf(missing.length > 0)("Kyverno 1.19.1 verifies images offline", () => {
  const fresh = { digest: "", trusted: "", other: "" };

  beforeAll(async () => {
    mkdirSync(env.DOCKER_CONFIG, { recursive: true });
    mkdirSync(env.TUF_ROOT, { recursive: true });
    registry = await startRegistry(bin("registry"));
    host = registry.host;
    await pushRig("rig", ["legacy", "bundle"]);
    await pushRig("rig-legacy", ["legacy"]);
    await pushRig("rig-bundle", ["bundle"]);

    // A fresh image, signed and attested here in both formats with a throwaway key.
    mkdirSync(join(work, "layer", "app"), { recursive: true });
    writeFileSync(join(work, "layer", "app", "hello.txt"), "hello\n");
    await mustRun("tar", [
      "--sort=name",
      "--mtime=@0",
      "--owner=0",
      "--group=0",
      "-C",
      join(work, "layer"),
      "-cf",
      join(work, "layer.tar"),
      "app",
    ]);
    await mustRun(bin("crane"), ["append", "-f", join(work, "layer.tar"), "-t", `${host}/app:v1`]);
    fresh.digest = (await mustRun(bin("crane"), ["digest", `${host}/app:v1`])).trim();
    for (const key of ["trusted", "other"]) {
      await mustRun(bin("cosign"), ["generate-key-pair", "--output-key-prefix", join(work, key)]);
    }
    fresh.trusted = join(work, "trusted.pub");
    fresh.other = join(work, "other.pub");
    writeFileSync(join(work, "vuln.json"), readFileSync(join(RIG, "vuln.json")));
    const offline = ["--tlog-upload=false", "--use-signing-config=false", "--yes"];
    for (const [name, format] of [
      ["bundle", []],
      ["legacy", ["--new-bundle-format=false"]],
    ] as const) {
      await mustRun(bin("crane"), ["copy", `${host}/app:v1`, `${host}/${name}:v1`]);
      const ref = `${host}/${name}@${fresh.digest}`;
      await mustRun(bin("cosign"), [
        "sign",
        "--key",
        join(work, "trusted.key"),
        ...offline,
        ...format,
        ref,
      ]);
      await mustRun(bin("cosign"), [
        "attest",
        "--key",
        join(work, "trusted.key"),
        "--type",
        "vuln",
        "--predicate",
        join(work, "vuln.json"),
        ...offline,
        ...format,
        ref,
      ]);
    }
    // Attested but never signed (bundle format only).
    await mustRun(bin("crane"), ["copy", `${host}/app:v1`, `${host}/attested-only:v1`]);
    await mustRun(bin("cosign"), [
      "attest",
      "--key",
      join(work, "trusted.key"),
      "--type",
      "vuln",
      "--predicate",
      join(work, "vuln.json"),
      ...offline,
      `${host}/attested-only@${fresh.digest}`,
    ]);
  }, 300_000);

  describe("the shared rig's bytes", () => {
    const rigKey = () => keyAttestor("rig", join(RIG, "cosign.pub"));
    const otherKey = () => keyAttestor("rig", join(RIG, "other.pub"));
    const pods = () => ({
      both: `${host}/rig@${RIG_DIGEST}`,
      legacy: `${host}/rig-legacy@${RIG_DIGEST}`,
      bundle: `${host}/rig-bundle@${RIG_DIGEST}`,
    });

    it("ClusterPolicy: the right key passes, the other key fails; only legacy signatures are read", async () => {
      const right = await verdicts(
        signed("rig-signed", [rigKey()], ["rig"]),
        "clusterpolicy",
        pods(),
      );
      expect(outcome(right)).toEqual({ both: "pass", legacy: "pass", bundle: "fail" });
      expect(right.bundle?.message).toMatch(
        /\.attestors\[0\]\.entries\[0\]\.keys: no signatures found$/,
      );
      const wrong = await verdicts(
        signed("rig-other", [otherKey()], ["rig"]),
        "clusterpolicy",
        pods(),
      );
      expect(outcome(wrong)).toEqual({ both: "fail", legacy: "fail", bundle: "fail" });
      expect(wrong.legacy?.message).toMatch(
        /no matching signatures: invalid signature when validating ASN\.1 encoded signature$/,
      );
    });

    it("ClusterPolicy: the vuln attestation verifies under the right key only", async () => {
      const right = await verdicts(attested("rig-attested", rigKey()), "clusterpolicy", pods());
      expect(outcome(right)).toEqual({ both: "pass", legacy: "pass", bundle: "fail" });
      const wrong = await verdicts(
        attested("rig-attested-other", otherKey()),
        "clusterpolicy",
        pods(),
      );
      expect(outcome(wrong)).toEqual({ both: "fail", legacy: "fail", bundle: "fail" });
    });

    it("ImageValidatingPolicy: an error, the image's config blob is not in the rig", async () => {
      const results = await verdicts(
        signed("rig-ivp", [rigKey()], ["rig"]),
        "validatingpolicy",
        pods(),
      );
      expect(outcome(results)).toEqual({ both: "error", legacy: "error", bundle: "error" });
      expect(results.both?.message).toMatch(
        /^failed to evaluate policy: GET http:\/\/127\.0\.0\.1:\d+\/v2\/rig\/blobs\/sha256:acb41cbb747441f6f69fe70ca8d36c9e06cf866e043b10e1af4250f5b2fb0799: BLOB_UNKNOWN/,
      );
    });
  });

  describe("an image signed here with cosign", () => {
    const pods = () => ({
      "bundle-digest": `${host}/bundle@${fresh.digest}`,
      "legacy-digest": `${host}/legacy@${fresh.digest}`,
      "bundle-tag": `${host}/bundle:v1`,
      unsigned: `${host}/app:v1`,
    });
    const trusted = () => keyAttestor("trusted", fresh.trusted);
    const other = () => keyAttestor("other", fresh.other);

    it("ImageValidatingPolicy signature: the right key passes in both formats, by digest and by tag", async () => {
      expect(
        outcome(
          await verdicts(
            signed("sig-trusted", [trusted()], ["trusted"]),
            "validatingpolicy",
            pods(),
          ),
        ),
      ).toEqual({
        "bundle-digest": "pass",
        "legacy-digest": "pass",
        "bundle-tag": "pass",
        unsigned: "fail",
      });
    });

    it("ImageValidatingPolicy signature: the other key fails, with the requirement in the message", async () => {
      const results = await verdicts(
        signed("sig-other", [other()], ["other"]),
        "validatingpolicy",
        pods(),
      );
      expect(outcome(results)).toEqual({
        "bundle-digest": "fail",
        "legacy-digest": "fail",
        "bundle-tag": "fail",
        unsigned: "fail",
      });
      expect(results["bundle-digest"]?.message).toBe(
        `image ${host}/bundle@${fresh.digest} is not signed by any of the attestors "other" (requirement "signed")`,
      );
    });

    it("ImageValidatingPolicy signature: N of M counts attestors", async () => {
      const both = await verdicts(
        signed("sig-two", [trusted(), other()], ["trusted", "other"], 2),
        "validatingpolicy",
        pods(),
      );
      expect(outcome(both)["bundle-digest"]).toBe("fail");
      const either = await verdicts(
        signed("sig-one", [other(), trusted()], ["other", "trusted"], 1),
        "validatingpolicy",
        pods(),
      );
      expect(outcome(either)).toEqual({
        "bundle-digest": "pass",
        "legacy-digest": "pass",
        "bundle-tag": "pass",
        unsigned: "fail",
      });
    });

    it("ImageValidatingPolicy digest: a tag fails, a digest passes", async () => {
      const pinned = imagePolicy("pinned", {
        references: [],
        attestors: [],
        requirements: [{ kind: "digest", name: "pinned" }],
      });
      expect(outcome(await verdicts(pinned, "validatingpolicy", pods()))).toEqual({
        "bundle-digest": "pass",
        "legacy-digest": "pass",
        "bundle-tag": "fail",
        unsigned: "fail",
      });
    });

    it("ImageValidatingPolicy attestation: bundles verify; a legacy .att does not with the log off (stricter than the IR)", async () => {
      const results = await verdicts(
        attested("att-trusted", trusted()),
        "validatingpolicy",
        pods(),
      );
      expect(outcome(results)).toEqual({
        "bundle-digest": "pass",
        "legacy-digest": "fail",
        "bundle-tag": "pass",
        unsigned: "fail",
      });
      expect(
        outcome(await verdicts(attested("att-other", other()), "validatingpolicy", pods()))[
          "bundle-digest"
        ],
      ).toBe("fail");
    });

    it("ImageValidatingPolicy attestation: the condition reads the statement's predicate", async () => {
      const type = (value: string) =>
        eq(predicate("scanner", "result", "ArtifactType"), lit(value));
      const holds = await verdicts(
        attested("att-cond-true", trusted(), { condition: type("container_image") }),
        "validatingpolicy",
        pods(),
      );
      expect(outcome(holds)["bundle-digest"]).toBe("pass");
      const fails = await verdicts(
        attested("att-cond-false", trusted(), { condition: type("filesystem") }),
        "validatingpolicy",
        pods(),
      );
      expect(outcome(fails)["bundle-digest"]).toBe("fail");
    });

    it("ImageValidatingPolicy attestation: maxAge against Kyverno's clock (the scan finished 2022-07-24)", async () => {
      const age = (days: number) => ({ maxAge: { path: ["metadata", "scanFinishedOn"], days } });
      expect(
        outcome(
          await verdicts(attested("att-30-days", trusted(), age(30)), "validatingpolicy", pods()),
        )["bundle-digest"],
      ).toBe("fail");
      expect(
        outcome(
          await verdicts(
            attested("att-100-years", trusted(), age(36_500)),
            "validatingpolicy",
            pods(),
          ),
        )["bundle-digest"],
      ).toBe("pass");
    });

    it("ClusterPolicy: the legacy signature verifies, the bundle is not read (stricter than the IR)", async () => {
      expect(
        outcome(
          await verdicts(signed("cp-trusted", [trusted()], ["trusted"]), "clusterpolicy", pods()),
        ),
      ).toEqual({
        "bundle-digest": "fail",
        "legacy-digest": "pass",
        "bundle-tag": "fail",
        unsigned: "fail",
      });
    });

    it("an attestation bundle alone passes a signature requirement on Kyverno, with `cosign verify` and in Charter", async () => {
      const ref = `${host}/attested-only@${fresh.digest}`;
      const policy = signed("sig-attested-only", [trusted()], ["trusted"]);
      const results = await verdicts(policy, "validatingpolicy", { attested: ref });
      expect(outcome(results)).toEqual({ attested: "pass" });
      const facts = await verifyImage(ref, policy.images as ImageRules);
      expect(facts.signatures, (facts.notes ?? []).join(" | ")).toEqual([{ attestor: "trusted" }]);
      const cosign = await run(bin("cosign"), [
        "verify",
        "--key",
        fresh.trusted,
        "--insecure-ignore-tlog=true",
        ref,
      ]);
      expect(cosign.code, cosign.out).toBe(0);
    });
  });
});
