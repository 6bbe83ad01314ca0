/**
 * `charter build --target webhook` end to end, on the repository's own policies: what it writes
 * (exit codes, determinism, `--check`), every document valid against the Kubernetes schema of
 * its kind (../shared/schemas, made strict so a misspelt field fails), and the manifests judged
 * by Charter's own library (`charter check`): the webhook's deployment must pass every policy it
 * enforces on others, deny, warn and audit alike.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kubernetesAjv, SCHEMAS, strictSchema } from "@charter/test-support/crd-schemas";
import type { ValidateFunction } from "ajv";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { runCli } from "./support/run-cli.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const scratch = () => mkdtempSync(join(tmpdir(), "charter-webhook-"));

/** An image the library's defaults admit: its example registry, pinned by digest. */
const PINNED_IMAGE = `registry.example.com/charter/charter-webhook:0.1.0@sha256:${"a".repeat(64)}`;

const ajv = kubernetesAjv();
const readJson = (file: string) => JSON.parse(readFileSync(join(SCHEMAS, file), "utf8")) as Json;

/** The admissionregistration OpenAPI document, every object in it made strict; `$ref`s resolved by ajv. */
const ADMISSION = "k8s-admissionregistration-v1-strict";
ajv.addSchema(
  strictSchema(
    readJson("kubernetes/openapi-v3/apis__admissionregistration.k8s.io__v1_openapi.json"),
  ) as object,
  ADMISSION,
);

/**
 * PodDisruptionBudget (policy/v1) is not in the shared schema pack: its fields as Kubernetes
 * v1.35 defines them (k8s.io/api policy/v1 types.go), strict. The real API server accepts the
 * same object in test/cluster/webhook-manifests.test.ts.
 */
const LABEL_SELECTOR = {
  type: "object",
  additionalProperties: false,
  properties: {
    matchLabels: { type: "object", additionalProperties: { type: "string" } },
    matchExpressions: { type: "array" },
  },
};
const PDB_SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: ["apiVersion", "kind", "metadata", "spec"],
  properties: {
    apiVersion: { const: "policy/v1" },
    kind: { const: "PodDisruptionBudget" },
    metadata: {
      type: "object",
      additionalProperties: false,
      required: ["name", "namespace"],
      properties: {
        name: { type: "string" },
        namespace: { type: "string" },
        labels: { type: "object", additionalProperties: { type: "string" } },
      },
    },
    spec: {
      type: "object",
      additionalProperties: false,
      properties: {
        minAvailable: { oneOf: [{ type: "integer" }, { type: "string" }] },
        maxUnavailable: { oneOf: [{ type: "integer" }, { type: "string" }] },
        selector: LABEL_SELECTOR,
        unhealthyPodEvictionPolicy: { enum: ["IfHealthyBudget", "AlwaysAllow"] },
      },
    },
  },
};

const standalone = (file: string) =>
  ajv.compile(readJson(`kubernetes/standalone-strict/${file}`) as object);

/** Every object also needs `metadata.name` (the OpenAPI leaves it optional; the server does not). */
const NAMED = ajv.compile({
  type: "object",
  required: ["metadata"],
  properties: { metadata: { type: "object", required: ["name"] } },
});

const VALIDATORS: ReadonlyMap<string, ValidateFunction> = new Map([
  ["v1 Namespace", standalone("namespace-v1.json")],
  ["v1 ServiceAccount", standalone("serviceaccount-v1.json")],
  ["v1 Service", standalone("service-v1.json")],
  ["apps/v1 Deployment", standalone("deployment-apps-v1.json")],
  ["rbac.authorization.k8s.io/v1 ClusterRole", standalone("clusterrole-rbac-v1.json")],
  [
    "rbac.authorization.k8s.io/v1 ClusterRoleBinding",
    standalone("clusterrolebinding-rbac-v1.json"),
  ],
  ["networking.k8s.io/v1 NetworkPolicy", standalone("networkpolicy-networking-v1.json")],
  ["policy/v1 PodDisruptionBudget", ajv.compile(PDB_SCHEMA)],
  [
    "admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration",
    ajv.compile({
      $ref: `${ADMISSION}#/components/schemas/io.k8s.api.admissionregistration.v1.ValidatingWebhookConfiguration`,
    }),
  ],
]);

function filesUnder(dir: string): Map<string, string> {
  return new Map(
    readdirSync(dir)
      .sort()
      .map((name) => [name, readFileSync(join(dir, name), "utf8")]),
  );
}

function documentsOf(files: ReadonlyMap<string, string>): JsonObject[] {
  return [...files.values()].flatMap((text) =>
    parseAllDocuments(text).map((document) => {
      expect(document.errors).toEqual([]);
      return document.toJS() as JsonObject;
    }),
  );
}

function problems(document: JsonObject): string[] {
  const key = `${document.apiVersion} ${document.kind}`;
  const validate = VALIDATORS.get(key);
  if (!validate) return [`${key}: no schema; add one to test/webhook-manifests.test.ts`];
  return [validate, NAMED].flatMap((v) =>
    v(document)
      ? []
      : (v.errors ?? []).map(
          (e) => `${key} ${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`,
        ),
  );
}

async function buildWebhook(extra: readonly string[] = []) {
  const out = scratch();
  const run = await runCli(["build", "--target", "webhook", "--out", out, ...extra]);
  return { out, run, dir: join(out, "webhook") };
}

describe("charter build --target webhook", () => {
  it("writes dist/webhook/ only, deterministically, and --check sees drift", async () => {
    const { out, run, dir } = await buildWebhook();
    expect(run.code, run.stderr).toBe(0);
    expect(readdirSync(out)).toEqual(["webhook"]);
    const first = filesUnder(dir);
    expect([...first.keys()]).toEqual([
      "00-namespace.yaml",
      "10-service-account.yaml",
      "20-rbac.yaml",
      "25-network-policies.yaml",
      "30-deployment.yaml",
      "40-pod-disruption-budget.yaml",
      "50-service.yaml",
      "90-validating-webhook-configuration.yaml",
    ]);
    expect(run.stderr).toMatch(/note: require-encryption-config is not routed to the webhook/);
    expect((await runCli(["build", "--target", "webhook", "--out", out])).code).toBe(0);
    expect(filesUnder(dir)).toEqual(first);
    expect((await runCli(["build", "--target", "webhook", "--out", out, "--check"])).code).toBe(0);
    writeFileSync(join(dir, "30-deployment.yaml"), "tampered: true\n");
    const drift = await runCli(["build", "--target", "webhook", "--out", out, "--check"]);
    expect(drift.code).toBe(1);
    expect(drift.stdout).toMatch(/changed\s+\S*webhook\/30-deployment\.yaml/);
  });

  it("is left out of a build without --target, and built beside the others when listed", async () => {
    const out = scratch();
    expect((await runCli(["build", "--out", out, "--target", "all,webhook"])).code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["gatekeeper", "kyverno", "rego", "vap", "webhook"]);
    const plain = scratch();
    expect((await runCli(["build", "--out", plain])).code).toBe(0);
    expect(readdirSync(plain)).not.toContain("webhook");
  });

  it("writes the options given: namespace, image, failure policy, timeout, CA bundle", async () => {
    const work = scratch();
    const pem = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n";
    writeFileSync(join(work, "ca.pem"), pem);
    const { run, dir } = await buildWebhook([
      "--webhook-namespace",
      "policy",
      "--webhook-image",
      PINNED_IMAGE,
      "--webhook-failure-policy",
      "Ignore",
      "--webhook-timeout",
      "5",
      "--webhook-ca-bundle",
      join(work, "ca.pem"),
    ]);
    expect(run.code, run.stderr).toBe(0);
    const configuration = documentsOf(filesUnder(dir)).find(
      (d) => d.kind === "ValidatingWebhookConfiguration",
    ) as { webhooks: JsonObject[]; metadata: JsonObject };
    expect(configuration.metadata.annotations).toBeUndefined();
    for (const webhook of configuration.webhooks) {
      expect(webhook).toMatchObject({
        failurePolicy: "Ignore",
        timeoutSeconds: 5,
        clientConfig: {
          service: { namespace: "policy", name: "charter-webhook", path: "/validate", port: 443 },
          caBundle: Buffer.from(pem).toString("base64"),
        },
      });
    }
    expect(readFileSync(join(dir, "30-deployment.yaml"), "utf8")).toContain(
      `image: ${PINNED_IMAGE}`,
    );
  });

  it.each([
    [
      ["--webhook-timeout", "45"],
      /--webhook-timeout "45" is not a whole number of seconds from 1 to 30/,
    ],
    [["--webhook-timeout", "ten"], /--webhook-timeout "ten" is not a whole number of seconds/],
    [["--webhook-failure-policy", "Maybe"], /Allowed choices are Fail, Ignore/],
    [["--webhook-namespace", "Charter_System"], /is not a namespace name/],
    [["--webhook-image", "no spaces allowed"], /is not an image reference/],
    [
      ["--webhook-ca-bundle", "/nonexistent/ca.pem"],
      /--webhook-ca-bundle \/nonexistent\/ca\.pem: cannot read the file \(ENOENT\)/,
    ],
  ])("refuses %j with exit 2 and a clear message, writing nothing", async (flags, message) => {
    const { out, run } = await buildWebhook(flags);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(out)).toEqual([]);
  });

  it("refuses --webhook-* options without the webhook target (exit 2)", async () => {
    const out = scratch();
    const run = await runCli(["build", "--out", out, "--target", "vap", "--webhook-timeout", "5"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--webhook-timeout applies to the webhook target only/);
    expect(readdirSync(out)).toEqual([]);
  });

  it("names webhook in the hint for an unknown target", async () => {
    const run = await runCli(["build", "--out", scratch(), "--target", "webhooks"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown target "webhooks"/);
    expect(run.stderr).toMatch(/webhook, built only when named/);
  });
});

describe("the webhook's manifests against the Kubernetes schemas", () => {
  it.each([
    ["the defaults", []],
    ["every option", ["--webhook-namespace", "policy", "--webhook-failure-policy", "Ignore"]],
  ])("every document is valid: %s", async (_, flags) => {
    const { run, dir } = await buildWebhook(flags);
    expect(run.code, run.stderr).toBe(0);
    const documents = documentsOf(filesUnder(dir));
    expect(documents.map((d) => d.kind)).toEqual(
      expect.arrayContaining([
        "ServiceAccount",
        "ClusterRole",
        "ClusterRoleBinding",
        "NetworkPolicy",
        "Deployment",
        "PodDisruptionBudget",
        "Service",
        "ValidatingWebhookConfiguration",
      ]),
    );
    expect(documents.flatMap(problems)).toEqual([]);
  });

  it("the strict schemas do reject a misspelt field", () => {
    const validate = VALIDATORS.get(
      "admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration",
    );
    expect(
      validate?.({
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingWebhookConfiguration",
        metadata: { name: "x" },
        webhooks: [
          {
            name: "a.b.c",
            sideEffects: "None",
            admissionReviewVersions: ["v1"],
            clientConfig: { url: "https://x" },
            timeoutSecond: 5,
          },
        ],
      }),
    ).toBe(false);
  });
});

describe("the webhook's manifests judged by Charter's own library", () => {
  it("pass every policy (deny, warn and audit) with an image from an approved registry, by digest", async () => {
    const { run, dir } = await buildWebhook(["--webhook-image", PINNED_IMAGE]);
    expect(run.code, run.stderr).toBe(0);
    const check = await runCli(["check", dir, "--format", "json", "--fail-on", "audit"]);
    const report = JSON.parse(check.stdout) as {
      results: { policy: string; rule: string; result: string; message: string }[];
    };
    const failed = report.results.filter((row) => row.result !== "pass" && row.result !== "skip");
    expect(failed).toEqual([]);
    expect(check.code).toBe(0);
    // The Deployment was judged, not skipped: the hardening rules saw it.
    expect(report.results.some((row) => row.policy === "require-run-as-non-root")).toBe(true);
  });

  it("the default image is named for a project to replace: only the image rules fail on it", async () => {
    const { dir } = await buildWebhook();
    const check = await runCli(["check", dir, "--format", "json"]);
    const report = JSON.parse(check.stdout) as { results: { policy: string; result: string }[] };
    const failed = new Set(report.results.filter((r) => r.result === "fail").map((r) => r.policy));
    expect([...failed].sort()).toEqual(["require-image-digest", "restrict-image-registries"]);
  });
});
