/**
 * The real Kyverno CLI (1.19.1) loads the emitted image policies and runs them up to the image
 * checks, without a registry: `kyverno apply` reports "failed to compile policy" for a policy
 * whose CEL it refuses, and "failed to evaluate policy" / "failed to verify image" once it has
 * compiled the policy and gone to fetch an image. Here the images live on 127.0.0.1:1 (nothing
 * listens) or on registry.example.com (no such host offline), so reaching the registry is an
 * `error` result naming it. What needs no registry is judged for real: images no reference
 * matches are skipped, and an unpinned image fails the `digest` requirement. Verdicts against a
 * real registry with cosign-signed images: test/supply-chain/kyverno-images.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Json, Policy } from "@charter/ir";
import { IMAGE_POLICIES_BOTH, IMAGE_POLICIES_IVP_ONLY } from "@charter/test-support/image-policies";
import { reportResults, requireKyverno, runKyverno } from "@charter/test-support/kyverno-binary";
import { afterAll, describe, expect, it } from "vitest";
import { toYaml } from "../yaml.js";
import { emitKyverno } from "./emit-kyverno.js";
import type { KyvernoApi } from "./kyverno-api.js";

const kyverno = requireKyverno("the Kyverno image-policy loading tests");
const dir = mkdtempSync(join(tmpdir(), "charter-kyverno-images-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DIGEST = "sha256:950066ca9418adf8b48ef4d82310423a0564c46056ae92128b9ade628aa90d71";

function pod(name: string, image: string, namespace = "default"): Json {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace },
    spec: { containers: [{ name: "app", image }] },
  };
}

function byName(name: string): Policy {
  const found = [...IMAGE_POLICIES_BOTH, ...IMAGE_POLICIES_IVP_ONLY].find((p) => p.name === name);
  if (found === undefined) throw new Error(`no image policy ${name}`);
  return found;
}

async function apply(policy: Policy, api: KyvernoApi, resource: Json) {
  const files = emitKyverno([policy], { api });
  const policyFile = join(dir, `${policy.name}.${api}.yaml`);
  writeFileSync(policyFile, files.get(`${policy.name}.yaml`) ?? "");
  const resourceFile = join(dir, `${policy.name}.${api}.resource.yaml`);
  writeFileSync(resourceFile, toYaml([resource]));
  // biome-ignore lint/style/noNonNullAssertion: the suite is skipped without the binary
  const { stdout } = await runKyverno(kyverno!, [
    "apply",
    policyFile,
    "--resource",
    resourceFile,
    "-p",
    "--output-format",
    "json",
  ]);
  return { stdout, results: reportResults(stdout) };
}

const cases: {
  note: string;
  policy: string;
  api: KyvernoApi;
  resource: Json;
  result: "pass" | "fail" | "error";
  message: RegExp;
  /** ClusterPolicy: the rule (requirement) whose result is checked. */
  rule?: string;
}[] = [
  {
    note: "ImageValidatingPolicy: compiles and asks the registry for a signed image",
    policy: "signed-by-release",
    api: "validatingpolicy",
    resource: pod("closed", `127.0.0.1:1/app@${DIGEST}`),
    result: "error",
    message: /^failed to evaluate policy: .*dial tcp 127\.0\.0\.1:1: connect: connection refused/,
  },
  {
    note: "ClusterPolicy: compiles and asks the registry for a signed image",
    policy: "signed-by-release",
    api: "clusterpolicy",
    resource: pod("closed", `127.0.0.1:1/app@${DIGEST}`),
    result: "error",
    message:
      /^failed to verify image 127\.0\.0\.1:1\/app@sha256:[0-9a-f]{64}: .*connection refused/,
  },
  {
    note: "ImageValidatingPolicy with keyless attestors and references: asks the registry",
    policy: "two-of-three",
    api: "validatingpolicy",
    resource: pod("remote", `registry.example.com/team/app@${DIGEST}`),
    result: "error",
    message: /^failed to evaluate policy: .*registry\.example\.com/,
  },
  {
    note: "ImageValidatingPolicy: an image no reference matches is not judged",
    policy: "two-of-three",
    api: "validatingpolicy",
    resource: pod("elsewhere", `docker.io/library/nginx@${DIGEST}`),
    result: "pass",
    message: /^success$/,
  },
  {
    note: "ImageValidatingPolicy with a condition and maxAge: compiles and asks the registry",
    policy: "fresh-clean-scan",
    api: "validatingpolicy",
    resource: pod("quay", "quay.io/acme/app:v1"),
    result: "error",
    message: /^failed to evaluate policy: .*quay\.io/,
  },
  {
    // Charter's glob has no classes or alternatives; gobwas/glob (Kyverno's `glob` entries)
    // would read `[team]` as one of t, e, a, m and `{a,b}` as a or b, and judge this image.
    note: "ImageValidatingPolicy: `[team]` and `{a,b}` in a glob are literal characters",
    policy: "fresh-clean-scan",
    api: "validatingpolicy",
    resource: pod("brackets", `registry.example.com/t/a/app@${DIGEST}`),
    result: "pass",
    message: /^success$/,
  },
  {
    note: "ImageValidatingPolicy: an unpinned image fails `digest` without the registry",
    policy: "pinned-and-attested",
    api: "validatingpolicy",
    resource: pod("unpinned", "registry.example.com/app:v1", "prod"),
    result: "fail",
    message: /^image registry\.example\.com\/app:v1 does not have a digest$/,
  },
  {
    note: "ClusterPolicy: an unpinned image fails the `digest` rule without the registry",
    policy: "pinned-and-attested",
    api: "clusterpolicy",
    resource: pod("unpinned", "registry.example.com/app:v1", "prod"),
    result: "fail",
    message: /^image registry\.example\.com\/app:v1 does not pin a digest \(@sha256:…\)$/,
    rule: "pinned",
  },
];

describe.skipIf(kyverno === undefined)("kyverno apply loads the emitted image policies", () => {
  it.each(cases)("$note", async ({ policy, api, resource, result, message, rule }) => {
    const { stdout, results } = await apply(byName(policy), api, resource);
    expect(stdout).not.toContain("failed to compile policy");
    // The first result that judged, or the named rule's (a ClusterPolicy has one per requirement).
    const judged = results.filter((r) => r.result !== "skip" && (!rule || r.rule === rule));
    expect(judged.length, stdout).toBeGreaterThan(0);
    expect(judged[0]?.result, stdout).toBe(result);
    expect(judged[0]?.message ?? "", stdout).toMatch(message);
  });

  it("would judge `registry.example.com/t/a/app` with Kyverno's own `glob` entries (why they are not used)", async () => {
    const policy = byName("fresh-clean-scan");
    const text = emitKyverno([policy]).get(`${policy.name}.yaml`) ?? "";
    const globs = text.replace(
      / {2}matchImageReferences:\n( {4}- expression: .*\n)+/,
      '  matchImageReferences:\n    - glob: "registry.example.com/[team]/{a,b}/*"\n',
    );
    expect(globs).not.toBe(text);
    const policyFile = join(dir, "globs.yaml");
    writeFileSync(policyFile, globs);
    const resourceFile = join(dir, "globs.resource.yaml");
    writeFileSync(
      resourceFile,
      toYaml([pod("brackets", `registry.example.com/t/a/app@${DIGEST}`)]),
    );
    // biome-ignore lint/style/noNonNullAssertion: the suite is skipped without the binary
    const { stdout } = await runKyverno(kyverno!, [
      "apply",
      policyFile,
      "--resource",
      resourceFile,
      "-p",
      "--output-format",
      "json",
    ]);
    const [first] = reportResults(stdout);
    expect(first?.result, stdout).toBe("error");
    expect(first?.message).toMatch(/registry\.example\.com/);
  });

  it.each([
    { kind: "ImageValidatingPolicy", old: "skip" },
    { kind: "ValidatingPolicy", old: "error" },
  ])("honours a PolicyException whose policyRefs kind is $kind: $old", async ({ kind, old }) => {
    const policy = byName("signed-by-release");
    const exception = {
      name: "legacy",
      policy: policy.name,
      match: { namespaces: ["legacy"] },
      reason: "r",
      owner: "o",
      expires: "2099-01-01",
    };
    const files = emitKyverno([policy], { exceptions: [exception] });
    const exceptionText = files.get("exceptions/legacy.yaml") ?? "";
    expect(exceptionText).toContain("kind: ImageValidatingPolicy");
    const policyFile = join(dir, "excused.yaml");
    writeFileSync(policyFile, files.get(`${policy.name}.yaml`) ?? "");
    const exceptionFile = join(dir, "excused.exception.yaml");
    writeFileSync(
      exceptionFile,
      exceptionText.replace("kind: ImageValidatingPolicy", `kind: ${kind}`),
    );
    const resourceFile = join(dir, "excused.resources.yaml");
    writeFileSync(
      resourceFile,
      toYaml([
        pod("old", `127.0.0.1:1/app@${DIGEST}`, "legacy"),
        pod("new", `127.0.0.1:1/app@${DIGEST}`),
      ]),
    );
    // biome-ignore lint/style/noNonNullAssertion: the suite is skipped without the binary
    const { stdout } = await runKyverno(kyverno!, [
      "apply",
      policyFile,
      "--exception",
      exceptionFile,
      "--resource",
      resourceFile,
      "-p",
      "--output-format",
      "json",
    ]);
    const result = (name: string) =>
      reportResults(stdout).find((r) => r.resources?.[0]?.name === name);
    expect(result("old")?.result, stdout).toBe(old);
    expect(result("new")?.result, stdout).toBe("error");
  });

  it("reports a policy whose CEL Kyverno refuses as not compiled (the check above can fail)", async () => {
    const policy = byName("signed-by-release");
    const text = emitKyverno([policy]).get(`${policy.name}.yaml`) ?? "";
    const broken = text.replace(
      "size(variables.charterFailing0) == 0",
      "size(variables.charterFailing0) ==",
    );
    expect(broken).not.toBe(text);
    const policyFile = join(dir, "broken.yaml");
    writeFileSync(policyFile, broken);
    const resourceFile = join(dir, "broken.resource.yaml");
    writeFileSync(resourceFile, toYaml([pod("closed", `127.0.0.1:1/app@${DIGEST}`)]));
    // biome-ignore lint/style/noNonNullAssertion: the suite is skipped without the binary
    const { stdout } = await runKyverno(kyverno!, [
      "apply",
      policyFile,
      "--resource",
      resourceFile,
      "-p",
      "--output-format",
      "json",
    ]);
    expect(reportResults(stdout)[0]?.message).toMatch(
      /^failed to compile policy: spec\.validations\[0\]/,
    );
  });
});
