/**
 * Image rules at admission (issue 16): the webhook's judge reads the real registry of the signing
 * rig (@charter/test-support/signing-rig: tiny images signed by the real cosign v3.1.3 on the real
 * go-containerregistry registry, both signature formats) with one RegistryClient and one
 * VerificationCache. A deny policy with a key attestor admits the image the trusted key signed
 * and refuses the one signed by another key, the unsigned one and the retagged one, with the
 * reason in the API server's status message; a registry that never answers or is stopped is
 * refused (fail closed); a second review of a verified digest does not read the registry again
 * (requests counted at a forwarding proxy, never timed). VulnerabilityReports from the context's
 * cache gate the same images; the decision log records the pod's images.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TRIVY_OPERATOR_API_VERSION, VULNERABILITY_REPORT_KINDS } from "@charter/images";
import { DEFAULT_SYSTEM_NAMESPACES, type Json, type Policy } from "@charter/ir";
import {
  type AdmissionImages,
  type AdmissionRequest,
  createJudge,
  decisionEvent,
  decisionLabels,
  type JudgingContext,
  readAdmissionReview,
  registryImages,
  reviewAnswer,
  staticJudgingContext,
  type Verdict,
  VULNERABILITY_REPORT_KIND,
} from "@charter/server";
import {
  type RigImage,
  type SigningRig,
  signingRigForTests,
} from "@charter/test-support/signing-rig/signing-rig";
import { reviewOf } from "@charter/test-support/webhook-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FaultServer, startFaultServer } from "./supply-chain/support/fault-proxy.js";
import { runCli } from "./support/run-cli.js";
import { scannedPolicy, signedPolicy } from "./support/webhook-image-policies.js";

const NOW = Date.now();
let rig: SigningRig | undefined;
const servers: FaultServer[] = [];

beforeAll(async () => {
  rig = await signingRigForTests("the webhook's image verification (test/webhook-images.test.ts)", {
    registries: ["plain"],
    cases: ["signed", "signed-other-key", "unsigned", "retagged"],
  });
}, 900_000);
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await rig?.dispose();
});

function podOf(name: string, images: readonly string[], namespace = "team-a") {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace },
    spec: { containers: images.map((image, i) => ({ name: `c${i}`, image })) },
  };
}

function requestOf(object: Record<string, unknown>): { request: AdmissionRequest; review: Json } {
  const read = readAdmissionReview(
    reviewOf(object, { uid: `uid-${(object.metadata as { name: string }).name}` }),
  );
  if (!read.ok) throw new Error(read.message);
  return { request: read.request, review: read.review };
}

interface Judged {
  readonly verdict: Verdict;
  readonly allowed: boolean;
  readonly message: string;
}

async function judgeWith(
  policies: readonly Policy[],
  images: AdmissionImages,
  object: Record<string, unknown>,
  context: JudgingContext = staticJudgingContext([]),
): Promise<Judged> {
  const judge = createJudge(
    { policies, exceptions: [], systemNamespaces: DEFAULT_SYSTEM_NAMESPACES },
    context,
    { images },
  );
  return judgeOnce(judge, object);
}

async function judgeOnce(
  judge: ReturnType<typeof createJudge>,
  object: Record<string, unknown>,
): Promise<Judged> {
  const { request } = requestOf(object);
  const verdict = await judge.judge(request, NOW);
  const answer = reviewAnswer(request.uid, verdict);
  return {
    verdict,
    allowed: answer.response.allowed,
    message: String(answer.response.status?.message ?? ""),
  };
}

const need = (): SigningRig => {
  if (rig === undefined) throw new Error("no rig");
  return rig;
};
const image = (format: "bundle" | "legacy", which: Parameters<SigningRig["image"]>[2]): RigImage =>
  need().image(format, "plain", which);

describe("the webhook verifies images at admission", () => {
  it.each(["bundle", "legacy"] as const)(
    "admits the image the trusted key signed, by tag and by digest (%s signatures)",
    async (format) => {
      if (rig === undefined) return;
      const signed = image(format, "signed");
      const images = registryImages();
      const policies = [signedPolicy(rig.keys.trusted.publicKeyPem)];
      for (const reference of [signed.tagRef, signed.digestRef]) {
        const judged = await judgeWith(policies, images, podOf("signed", [reference]));
        expect(judged.message).toBe("");
        expect(judged.allowed).toBe(true);
        expect(judged.verdict.kind === "judged" && judged.verdict.findings).toEqual([
          expect.objectContaining({
            policy: "signed-by-ci",
            rule: "signed",
            result: "pass",
          }),
        ]);
      }
    },
  );

  it.each(["bundle", "legacy"] as const)(
    "refuses the image another key signed, the unsigned one and the retagged one, saying why (%s)",
    async (format) => {
      if (rig === undefined) return;
      const images = registryImages();
      const policies = [signedPolicy(rig.keys.trusted.publicKeyPem)];
      for (const which of ["signed-other-key", "unsigned", "retagged"] as const) {
        const refused = image(format, which);
        const judged = await judgeWith(policies, images, podOf(which, [refused.tagRef]));
        expect(judged.allowed, which).toBe(false);
        expect(judged.message).toContain(
          `Pod "${which}" in namespace team-a violates 1 policy enforced with deny`,
        );
        expect(judged.message).toContain(`image "${refused.tagRef}" (${refused.digest})`);
        expect(judged.message).toContain("is not signed by ci");
      }
      // The retagged image's old digest is still signed: the tag moved, the signature did not.
      const before = image(format, "retagged").signedBeforeRetag;
      expect(before).toBeDefined();
      const old = await judgeWith(policies, images, podOf("old", [before?.digestRef as string]));
      expect(old.allowed).toBe(true);
      // The right image under the wrong key: refused (the other key's public key is the attestor).
      const wrongKey = await judgeWith(
        [signedPolicy(rig.keys.other.publicKeyPem)],
        images,
        podOf("wrong-key", [image(format, "signed").tagRef]),
      );
      expect(wrongKey.allowed).toBe(false);
      expect(wrongKey.message).toContain("is not signed by ci");
    },
  );

  it("refuses a pod if any one of its images fails, and logs every image with its digest", async () => {
    if (rig === undefined) return;
    const signed = image("bundle", "signed");
    const unsigned = image("bundle", "unsigned");
    const judged = await judgeWith(
      [signedPolicy(rig.keys.trusted.publicKeyPem)],
      registryImages(),
      podOf("mixed", [signed.tagRef, unsigned.tagRef]),
    );
    expect(judged.allowed).toBe(false);
    expect(judged.message).toContain(unsigned.tagRef);
    expect(judged.message).not.toContain(`image "${signed.tagRef}"`);
    const { review } = requestOf(podOf("mixed", [signed.tagRef, unsigned.tagRef]));
    const event = decisionEvent({
      labels: decisionLabels("test"),
      review: review as never,
      verdict: judged.verdict,
      allowed: judged.allowed,
      dryRun: false,
      at: new Date(NOW),
    });
    expect(event.images).toEqual([
      { container: "c0", reference: signed.tagRef, digest: signed.digest },
      { container: "c1", reference: unsigned.tagRef, digest: unsigned.digest },
    ]);
  });

  it("refuses when the registry does not answer within the deadline, naming it", async () => {
    if (rig === undefined) return;
    // A registry that accepts connections and never answers.
    const silent = await startFaultServer(() => undefined);
    servers.push(silent);
    const reference = `${silent.host}/rig/bundle/signed:v1`;
    const judged = await judgeWith(
      [signedPolicy(rig.keys.trusted.publicKeyPem)],
      registryImages({ deadlineMs: 300 }),
      podOf("silent", [reference]),
    );
    expect(judged.allowed).toBe(false);
    expect(judged.message).toContain("could not be judged by 1 policy, so it is refused");
    expect(judged.message).toContain(
      "the registry did not answer within the webhook's image deadline (300 ms)",
    );
    expect(silent.seen.length).toBeGreaterThan(0);
  });

  it("without a registry reader, refuses instead of admitting unverified", async () => {
    if (rig === undefined) return;
    const judge = createJudge(
      {
        policies: [signedPolicy(rig.keys.trusted.publicKeyPem)],
        exceptions: [],
        systemNamespaces: DEFAULT_SYSTEM_NAMESPACES,
      },
      staticJudgingContext([]),
    );
    const judged = await judgeOnce(judge, podOf("no-registry", [image("bundle", "signed").tagRef]));
    expect(judged.allowed).toBe(false);
    expect(judged.message).toContain("the webhook reads no registry");
  });

  it("keeps what verified: a second review of the same digest reads nothing from the registry", async () => {
    if (rig === undefined) return;
    const upstream = need().registries.plain?.host as string;
    const proxy = await startFaultServer((_request, _response, forward) => forward(), upstream);
    servers.push(proxy);
    const signed = image("bundle", "signed");
    const viaProxy = (reference: string) => reference.replace(upstream, proxy.host);
    const policies = [signedPolicy(rig.keys.trusted.publicKeyPem)];
    const judge = createJudge(
      { policies, exceptions: [], systemNamespaces: DEFAULT_SYSTEM_NAMESPACES },
      staticJudgingContext([]),
      { images: registryImages() },
    );
    const byDigest = podOf("pinned", [viaProxy(signed.digestRef)]);
    expect((await judgeOnce(judge, byDigest)).allowed).toBe(true);
    const first = proxy.seen.length;
    expect(first).toBeGreaterThan(0);
    expect((await judgeOnce(judge, byDigest)).allowed).toBe(true);
    expect(proxy.seen.slice(first)).toEqual([]);
    // A tag is resolved on every review (never cached); only that manifest is read again.
    const byTag = podOf("tagged", [viaProxy(signed.tagRef)]);
    expect((await judgeOnce(judge, byTag)).allowed).toBe(true);
    const afterTag = proxy.seen.length;
    expect(proxy.seen.slice(first)).toEqual([
      expect.stringMatching(/ \/v2\/rig\/bundle\/signed\/manifests\/v1$/),
    ]);
    // Another webhook process (another cache) does read the signatures again.
    const fresh = await judgeWith(policies, registryImages(), byDigest);
    expect(fresh.allowed).toBe(true);
    expect(proxy.seen.length).toBeGreaterThan(afterTag);
    // What did not verify is never kept: the unsigned image is read on every review.
    const unsigned = podOf("unsigned", [viaProxy(image("bundle", "unsigned").digestRef)]);
    expect((await judgeOnce(judge, unsigned)).allowed).toBe(false);
    const beforeAgain = proxy.seen.length;
    expect((await judgeOnce(judge, unsigned)).allowed).toBe(false);
    expect(proxy.seen.length).toBeGreaterThan(beforeAgain);
  });
});

function vulnerabilityReport(
  name: string,
  namespace: string,
  target: RigImage,
  findings: readonly { id: string; severity: string; fixedVersion?: string }[],
) {
  const [server = "", ...path] = target.repository.split("/");
  return {
    apiVersion: "aquasecurity.github.io/v1alpha1",
    kind: "VulnerabilityReport",
    metadata: { name, namespace },
    report: {
      registry: { server },
      artifact: { repository: path.join("/"), tag: "v1", digest: target.digest },
      updateTimestamp: new Date(NOW - 3_600_000).toISOString(),
      vulnerabilities: findings.map((f) => ({
        vulnerabilityID: f.id,
        resource: "libcrypto3",
        installedVersion: "3.0.0",
        severity: f.severity,
        ...(f.fixedVersion ? { fixedVersion: f.fixedVersion } : {}),
      })),
    },
  };
}

describe("vulnerability gates at admission", () => {
  it("judges the namespace's VulnerabilityReports: clean admitted, critical refused, none refused", async () => {
    if (rig === undefined) return;
    const clean = image("bundle", "signed");
    const critical = image("legacy", "signed");
    const unscanned = image("bundle", "unsigned");
    const reports = [
      vulnerabilityReport("clean", "team-a", clean, [
        { id: "CVE-1", severity: "HIGH", fixedVersion: "3.0.1" },
      ]),
      vulnerabilityReport("critical", "team-a", critical, [
        { id: "CVE-2", severity: "CRITICAL", fixedVersion: "3.0.2" },
        { id: "CVE-3", severity: "LOW" },
      ]),
      // The clean scan of the unscanned image, but in another namespace: not this Pod's.
      vulnerabilityReport("elsewhere", "team-b", unscanned, []),
    ];
    const context = staticJudgingContext([VULNERABILITY_REPORT_KIND], reports as unknown as Json[]);
    const images = registryImages();
    const admitted = await judgeWith(
      [scannedPolicy],
      images,
      podOf("clean", [clean.tagRef]),
      context,
    );
    expect(admitted.allowed).toBe(true);
    const { review } = requestOf(podOf("clean", [clean.tagRef]));
    expect(
      decisionEvent({
        labels: decisionLabels("test"),
        review: review as never,
        verdict: admitted.verdict,
        allowed: true,
        dryRun: false,
        at: new Date(NOW),
      }).images,
    ).toEqual([
      {
        container: "c0",
        reference: clean.tagRef,
        digest: clean.digest,
        vulnerabilities: { CRITICAL: 0, HIGH: 1, MEDIUM: 0, LOW: 0, UNKNOWN: 0 },
        fixable: { CRITICAL: 0, HIGH: 1, MEDIUM: 0, LOW: 0, UNKNOWN: 0 },
        scannedAt: reports[0]?.report.updateTimestamp,
        scanSource: "team-a/clean",
      },
    ]);
    const refused = await judgeWith(
      [scannedPolicy],
      images,
      podOf("critical", [critical.tagRef]),
      context,
    );
    expect(refused.allowed).toBe(false);
    expect(refused.message).toContain("1 CRITICAL (1 with a fix)");
    const none = await judgeWith(
      [scannedPolicy],
      images,
      podOf("none", [unscanned.tagRef]),
      context,
    );
    expect(none.allowed).toBe(false);
    expect(none.message).toContain("has no vulnerability scan");
    // The same Pod in team-b has the report of its own namespace.
    const other = await judgeWith(
      [scannedPolicy],
      images,
      podOf("none", [unscanned.tagRef], "team-b"),
      context,
    );
    expect(other.allowed).toBe(true);
  });

  it("an unsynced report cache denies, as every unsynced cache does", async () => {
    if (rig === undefined) return;
    const context = staticJudgingContext([VULNERABILITY_REPORT_KIND], [], { synced: false });
    const judged = await judgeWith(
      [scannedPolicy],
      registryImages(),
      podOf("early", [image("bundle", "signed").tagRef]),
      context,
    );
    expect(judged.allowed).toBe(false);
    expect(judged.message).toContain(
      "Charter's cache of aquasecurity.github.io/v1alpha1/VulnerabilityReport is not synced yet; retry",
    );
  });
});

describe("the VulnerabilityReport kind", () => {
  it("is the Trivy Operator's, as @charter/images reads it", () => {
    expect(VULNERABILITY_REPORT_KIND.apiVersion).toBe(TRIVY_OPERATOR_API_VERSION);
    expect(VULNERABILITY_REPORT_KINDS).toContain(VULNERABILITY_REPORT_KIND.kind);
  });
});

describe("the webhook and charter check --verify-images agree", () => {
  it("on every rig image, by tag and by digest, in Pods and a Deployment, with VulnerabilityReports", async () => {
    if (rig === undefined) return;
    const policies = [signedPolicy(rig.keys.trusted.publicKeyPem), scannedPolicy];
    const dir = mkdtempSync(join(tmpdir(), "charter-webhook-images-"));
    // The IR itself as a module: charter check loads it as it loads any policy file.
    const policyFile = join(dir, "policies.mjs");
    writeFileSync(policyFile, `export default ${JSON.stringify(policies)};\n`);
    const objects: Record<string, unknown>[] = [];
    const reports: Record<string, unknown>[] = [];
    for (const found of rig.images) {
      const name = `${found.format}-${found.case}`;
      objects.push(
        podOf(`${name}-tag`, [found.tagRef]),
        podOf(`${name}-digest`, [found.digestRef]),
      );
      if (found.case !== "unsigned") {
        const critical = found.case === "signed-other-key";
        reports.push(
          vulnerabilityReport(name, "team-a", found, [
            { id: "CVE-9", severity: critical ? "CRITICAL" : "MEDIUM", fixedVersion: "9.9" },
          ]),
        );
      }
    }
    objects.push(
      podOf(
        "mixed",
        rig.images.map((i) => i.tagRef),
      ),
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "deploy", namespace: "team-a" },
        spec: {
          selector: { matchLabels: { app: "x" } },
          template: {
            metadata: { labels: { app: "x" } },
            spec: { containers: [{ name: "app", image: image("legacy", "signed").tagRef }] },
          },
        },
      },
    );
    const manifests = join(dir, "objects.json");
    writeFileSync(manifests, JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }));
    const reportsFile = join(dir, "reports.json");
    writeFileSync(reportsFile, JSON.stringify({ apiVersion: "v1", kind: "List", items: reports }));
    const run = await runCli([
      "check",
      manifests,
      "--policies",
      policyFile,
      "--verify-images",
      "--vuln-reports",
      reportsFile,
      "--format",
      "json",
    ]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(1);
    const offline = new Map<string, string>();
    for (const row of (JSON.parse(run.stdout) as { results: CheckRow[] }).results) {
      offline.set(
        `${row.resource.name}/${row.policy}/${row.rule}`,
        `${row.result}: ${row.message}`,
      );
    }
    const context = staticJudgingContext([VULNERABILITY_REPORT_KIND], reports as unknown as Json[]);
    const judge = createJudge(
      { policies, exceptions: [], systemNamespaces: DEFAULT_SYSTEM_NAMESPACES },
      context,
      { images: registryImages() },
    );
    const webhook = new Map<string, string>();
    let refused = 0;
    for (const object of objects) {
      const judged = await judgeOnce(judge, object);
      if (!judged.allowed) refused++;
      if (judged.verdict.kind !== "judged") throw new Error(JSON.stringify(judged.verdict));
      for (const row of judged.verdict.findings) {
        webhook.set(
          `${row.resource.name}/${row.policy}/${row.rule}`,
          `${row.result}: ${row.message}`,
        );
      }
    }
    expect(webhook.size).toBe(objects.length * 2);
    expect(webhook).toEqual(offline);
    // Both verdicts occur, so the comparison can tell them apart.
    const results = [...webhook.values()].map((v) => v.split(":")[0]);
    expect(new Set(results)).toEqual(new Set(["pass", "fail"]));
    expect(refused).toBeGreaterThan(0);
    expect(refused).toBeLessThan(objects.length);
  });
});

interface CheckRow {
  readonly policy: string;
  readonly rule: string;
  readonly result: string;
  readonly message: string;
  readonly resource: { readonly name: string };
}

// Last: it stops the rig's registry.
describe("a registry that is down", () => {
  it("refuses the image it admitted while the registry was up (fail closed)", async () => {
    if (rig === undefined) return;
    const signed = image("bundle", "signed");
    const policies = [signedPolicy(rig.keys.trusted.publicKeyPem)];
    expect(
      (await judgeWith(policies, registryImages(), podOf("up", [signed.tagRef]))).allowed,
    ).toBe(true);
    await need().registries.plain?.stop();
    const judged = await judgeWith(policies, registryImages(), podOf("down", [signed.tagRef]));
    expect(judged.allowed).toBe(false);
    expect(judged.message).toContain("could not be judged by 1 policy, so it is refused");
    expect(judged.message).toContain(
      `image "${signed.tagRef}" of container "c0" could not be verified: cannot reach`,
    );
  });
});
