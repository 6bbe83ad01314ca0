/**
 * Image rules (packages/ir README item 18) on every target: the Kyverno ImageValidatingPolicy and
 * ClusterPolicy `verifyImages` rules (golden files, each document validated against the real CRD
 * schema of Kyverno 1.19.1), the compile errors of what a Kyverno API cannot say, and the refusal
 * of every other target. The IR is built by hand here (no DSL for image rules yet). Real Kyverno
 * judges these policies in image-policies-cli.test.ts and test/supply-chain/kyverno-images.test.ts;
 * the plain-CEL parts are judged by the Kubernetes CEL environment in image-policies-cel.test.ts.
 */
import { type Attestor, isCharterError, type Policy, type PolicyException } from "@charter/ir";
import { eq, lit } from "@charter/test-support/build-ir";
import { crdVersionSchema, kubernetesAjv, strictSchema } from "@charter/test-support/crd-schemas";
import {
  IMAGE_POLICIES_BOTH as BOTH,
  ci,
  IMAGE_POLICIES_IVP_ONLY as IVP_ONLY,
  imagePolicy,
  predicate,
  RIG_PUBLIC_KEY,
  release,
  signature,
  VULN,
} from "@charter/test-support/image-policies";
import type { ValidateFunction } from "ajv";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { emitGatekeeper } from "../gatekeeper/index.js";
import { emitRego } from "../rego/index.js";
import { variantOptions } from "../targets/target-descriptor.js";
import { TARGET_NAMES, TARGETS } from "../targets/targets.js";
import { emitVap } from "../vap/index.js";
import { emitWebhook } from "../webhook/index.js";
import { emitKyverno } from "./emit-kyverno.js";
import type { KyvernoApi } from "./kyverno-api.js";

// biome-ignore lint/suspicious/noExplicitAny: reading emitted YAML back
function documents(text: string | undefined): any[] {
  if (text === undefined) throw new Error("no such file");
  return parseAllDocuments(text).map((document) => document.toJS());
}

const ajv = kubernetesAjv();
const NAMED = { required: ["metadata"], properties: { metadata: { required: ["name"] } } };
const strictCrd = (file: string, version: string): ValidateFunction =>
  ajv.compile({ allOf: [strictSchema(crdVersionSchema(file, version)) as object, NAMED] });
const VALIDATORS: Record<string, ValidateFunction> = {
  "policies.kyverno.io/v1 ImageValidatingPolicy": strictCrd(
    "kyverno/policies.kyverno.io_imagevalidatingpolicies.yaml",
    "v1",
  ),
  "kyverno.io/v1 ClusterPolicy": strictCrd("kyverno/kyverno.io_clusterpolicies.yaml", "v1"),
  "policies.kyverno.io/v1 PolicyException": strictCrd(
    "kyverno/policies.kyverno.io_policyexceptions.yaml",
    "v1",
  ),
  "kyverno.io/v2 PolicyException": strictCrd("kyverno/kyverno.io_policyexceptions.yaml", "v2"),
};

function expectValid(files: ReadonlyMap<string, string>): void {
  for (const [file, text] of files) {
    for (const document of documents(text)) {
      const key = `${document.apiVersion} ${document.kind}`;
      const validate = VALIDATORS[key];
      if (validate === undefined) throw new Error(`${file}: no schema for ${key}`);
      const ok = validate(document);
      expect(ok ? [] : validate.errors, `${file} (${key})`).toEqual([]);
    }
  }
}

const APIS: readonly KyvernoApi[] = ["validatingpolicy", "clusterpolicy"];
const emitted = (p: Policy, api: KyvernoApi, exceptions: readonly PolicyException[] = []) =>
  emitKyverno([p], { api, exceptions });

describe("image rules on Kyverno", () => {
  const cases = [
    ...BOTH.flatMap((p) => APIS.map((api) => ({ note: `${p.name} (${api})`, p, api }))),
    ...IVP_ONLY.map((p) => ({
      note: `${p.name} (validatingpolicy)`,
      p,
      api: "validatingpolicy" as const,
    })),
  ];

  it.each(cases)("$note matches its golden file and the CRD schema", async ({ p, api }) => {
    const files = emitted(p, api);
    expect([...files.keys()]).toEqual([`${p.name}.yaml`]);
    expectValid(files);
    await expect(files.get(`${p.name}.yaml`)).toMatchFileSnapshot(
      `__golden__/images/${p.name}.${api}.yaml.golden`,
    );
  });

  it("gives the same bytes for the same input", () => {
    for (const p of [...BOTH, ...IVP_ONLY]) {
      expect(emitted(p, "validatingpolicy")).toEqual(
        emitted(structuredClone(p), "validatingpolicy"),
      );
    }
  });

  it("writes an ImageValidatingPolicy that fails closed, validates only, and judges every list", () => {
    const [signed] = BOTH;
    if (!signed) throw new Error("no policy");
    const [ivp] = documents(emitted(signed, "validatingpolicy").get("signed-by-release.yaml"));
    expect(ivp.kind).toBe("ImageValidatingPolicy");
    expect(ivp.spec.failurePolicy).toBe("Fail");
    expect(ivp.spec.validationConfigurations).toEqual({
      mutateDigest: false,
      verifyDigest: false,
      required: false,
    });
    expect(ivp.spec.images.map((i: { name: string }) => i.name)).toEqual([
      "containers",
      "initContainers",
      "ephemeralContainers",
    ]);
    expect(ivp.spec.attestors).toEqual([
      {
        name: "release",
        cosign: {
          key: { data: RIG_PUBLIC_KEY },
          ctlog: { insecureIgnoreTlog: true, insecureIgnoreSCT: true },
        },
      },
    ]);
    expect(ivp.spec.autogen).toEqual({ podControllers: { controllers: [] } });
  });

  it("turns enforcement into validation actions and failure actions", () => {
    const expected = {
      deny: ["Deny", "Enforce"],
      warn: ["Warn", "Audit"],
      audit: ["Audit", "Audit"],
    };
    for (const [enforcement, [action, failureAction]] of Object.entries(expected)) {
      const p = { ...BOTH[0], enforcement } as Policy;
      const [ivp] = documents(emitted(p, "validatingpolicy").get(`${p.name}.yaml`));
      expect(ivp.spec.validationActions).toEqual([action]);
      const [cp] = documents(emitted(p, "clusterpolicy").get(`${p.name}.yaml`));
      expect(cp.spec.rules[0].verifyImages[0].failureAction).toBe(failureAction);
      expect(cp.spec.failurePolicy).toBe("Fail");
      expect(cp.spec.emitWarning).toBe(enforcement === "warn" ? true : undefined);
    }
  });

  it("anchors keyless regular expressions (cosign matches them unanchored)", () => {
    const p = BOTH[1] as Policy;
    const [ivp] = documents(emitted(p, "validatingpolicy").get(`${p.name}.yaml`));
    expect(ivp.spec.attestors.map((a: { cosign: unknown }) => a.cosign)).toContainEqual({
      keyless: {
        identities: [
          {
            issuer: "https://token.actions.githubusercontent.com",
            subjectRegExp:
              "^(?:https://github\\.com/acme/.+/\\.github/workflows/release\\.yml@refs/tags/v.*)$",
          },
        ],
      },
    });
    const [cp] = documents(emitted(p, "clusterpolicy").get(`${p.name}.yaml`));
    expect(cp.spec.rules[0].verifyImages[0].attestors[0].count).toBe(2);
    expect(cp.spec.rules[0].verifyImages[0].attestors[0].entries[2]).toEqual({
      keyless: {
        issuerRegExp: "^(?:https://accounts\\.(google|example)\\.com)$",
        subject: "security@example.com",
      },
    });
  });

  it("names each requirement as a ClusterPolicy rule, the digest one a validate.cel rule", () => {
    const p = BOTH[2] as Policy;
    const [cp] = documents(emitted(p, "clusterpolicy").get(`${p.name}.yaml`));
    expect(cp.spec.rules.map((r: { name: string }) => r.name)).toEqual([
      "no-host-network",
      "pinned",
      "scanned",
    ]);
    expect(cp.spec.rules[1].validate.cel.expressions[0].expression).toContain(
      "@sha256:[0-9a-f]{64}$",
    );
    expect(cp.spec.rules[2].verifyImages[0].attestations[0].type).toBe(VULN);
  });
});

describe("exceptions of image policies", () => {
  const p = BOTH[2] as Policy;
  const base = { policy: p.name, reason: "r", owner: "o", expires: "2099-01-01" } as const;
  const whole: PolicyException = { ...base, name: "legacy", match: { namespaces: ["legacy"] } };
  const pinnedOnly: PolicyException = {
    ...base,
    name: "unpinned-ok",
    rules: ["pinned"],
    match: { namespaces: ["legacy"] },
  };

  it("refers to the ImageValidatingPolicy by kind, and folds one for some requirements only", () => {
    const files = emitted(p, "validatingpolicy", [whole, pinnedOnly]);
    expectValid(files);
    const [exception] = documents(files.get("exceptions/legacy.yaml"));
    expect(exception.spec.policyRefs).toEqual([{ name: p.name, kind: "ImageValidatingPolicy" }]);
    expect(files.has("exceptions/unpinned-ok.yaml")).toBe(false);
    const [ivp] = documents(files.get(`${p.name}.yaml`));
    const pinned = ivp.spec.validations.find((x: { message: string }) =>
      x.message.includes('"pinned"'),
    );
    expect(pinned.expression).toMatch(/\|\| \(size\(variables\.charterFailing0\) == 0\)$/);
  });

  it("names the requirement rules in a ClusterPolicy exception", () => {
    const files = emitted(p, "clusterpolicy", [whole]);
    expectValid(files);
    const [exception] = documents(files.get("exceptions/legacy.yaml"));
    expect(exception.spec.exceptions).toEqual([
      { policyName: p.name, ruleNames: ["no-host-network", "pinned", "scanned"] },
    ]);
  });

  it("refuses on ClusterPolicy an exception it would have to fold into a verifyImages rule", () => {
    const byImage: PolicyException = {
      ...base,
      name: "by-image",
      rules: ["scanned"],
      match: { images: ["registry.example.com/legacy/*"] },
    };
    expect(() => emitted(p, "clusterpolicy", [byImage])).toThrowErrorMatchingInlineSnapshot(
      `[CharterError: policy "pinned-and-attested", rule "scanned": an exception Kyverno's PolicyException cannot say exactly (images, names, a wildcard namespace…) excuses this image rule, and a verifyImages rule has no CEL to fold it into; target "kyverno" (--kyverno-api clusterpolicy) cannot express it]`,
    );
  });
});

describe("what a Kyverno API cannot say is a compile error", () => {
  const keyless = (trustedRoot?: string): Attestor => ({
    ...ci,
    ...(trustedRoot ? { trustedRoot } : {}),
  });
  const cases: { note: string; p: Policy; api: KyvernoApi }[] = [
    {
      note: "scanner reports (ImageValidatingPolicy)",
      api: "validatingpolicy",
      p: imagePolicy("gate", {
        references: [],
        attestors: [],
        requirements: [{ kind: "vulnerabilities", name: "no-critical", condition: lit(false) }],
      }),
    },
    {
      note: "scanner reports (ClusterPolicy)",
      api: "clusterpolicy",
      p: imagePolicy("gate", {
        references: [],
        attestors: [],
        requirements: [{ kind: "vulnerabilities", name: "no-critical", condition: lit(false) }],
      }),
    },
    {
      note: "a keyless attestor's own trusted root",
      api: "validatingpolicy",
      p: imagePolicy("private-root", {
        references: [],
        attestors: [keyless("roots/trusted_root.json")],
        requirements: [signature("signed", ["ci"])],
      }),
    },
    {
      note: "a condition on ClusterPolicy",
      api: "clusterpolicy",
      p: imagePolicy("clean", {
        references: [],
        attestors: [release],
        requirements: [
          {
            kind: "attestation",
            name: "clean-scan",
            predicateType: VULN,
            attestors: ["release"],
            condition: eq(predicate("scanner", "result", "ArtifactType"), lit("container_image")),
          },
        ],
      }),
    },
    {
      note: "a glob ClusterPolicy would match on the normalised reference",
      api: "clusterpolicy",
      p: imagePolicy("tags", {
        references: ["registry.example.com/app:v1.*"],
        attestors: [release],
        requirements: [signature("signed", ["release"])],
      }),
    },
    {
      note: "a maxAge longer than a CEL duration",
      api: "validatingpolicy",
      p: imagePolicy("ancient", {
        references: [],
        attestors: [release],
        requirements: [
          {
            kind: "attestation",
            name: "scanned",
            predicateType: VULN,
            attestors: ["release"],
            maxAge: { path: ["metadata", "scanFinishedOn"], days: 200_000 },
          },
        ],
      }),
    },
  ];

  it.each(cases)("$note", ({ p, api }) => {
    let error: unknown;
    try {
      emitted(p, api);
    } catch (thrown) {
      error = thrown;
    }
    expect(isCharterError(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /^policy "[a-z-]+", rule "[a-z-]+": .+; target "kyverno"( \(--kyverno-api clusterpolicy\))? cannot express it$/,
    );
    expect((error as Error).message).toMatchSnapshot();
  });
});

describe("every other target refuses image rules", () => {
  const p = BOTH[2] as Policy;
  const variants = TARGET_NAMES.flatMap((name) =>
    TARGETS[name].variants.map((variant) => ({
      note: `${name}${variant.option ? ` ${variant.option}` : ""}`,
      name,
      variant,
    })),
  );

  it.each(variants)("$note", ({ name, variant }) => {
    const emit = () => TARGETS[name].emit([p], variantOptions(variant), []);
    if (variant.supports.includes("image-rules")) expect(emit).not.toThrow();
    else
      expect(emit).toThrow(
        /^policy "pinned-and-attested", rule "pinned": image rules need the registry/,
      );
  });

  it("leaves Charter's webhook, which judges image rules itself, to route the Pods to it", () => {
    const files = emitWebhook([p], {
      namespace: "charter-system",
      image: "registry.example.com/charter/charter-webhook:0.1.0",
      failurePolicy: "Fail",
      timeoutSeconds: 10,
      systemNamespaces: [],
    });
    expect(files.get("90-validating-webhook-configuration.yaml")).toContain("- pods");
  });

  it("says why, naming the policy, the first requirement and the target", () => {
    expect(() => emitRego([p])).toThrowErrorMatchingInlineSnapshot(
      `[CharterError: policy "pinned-and-attested", rule "pinned": image rules need the registry, and CEL admission and plain Rego cannot reach a registry; target "rego" cannot express it]`,
    );
    expect(() => emitVap([p])).toThrowErrorMatchingInlineSnapshot(
      `[CharterError: policy "pinned-and-attested", rule "pinned": image rules need the registry, and CEL admission and plain Rego cannot reach a registry; target "vap" cannot express it]`,
    );
    for (const engine of ["rego", "cel"] as const) {
      expect(() => emitGatekeeper([p], { engine })).toThrow(
        'policy "pinned-and-attested", rule "pinned": image rules need the registry, and Gatekeeper reaches a registry only through an external data provider (such as Ratify), which Charter does not emit; target "gatekeeper" cannot express it',
      );
    }
  });
});

describe("an attestor whose keys are a parameter (keysFrom)", () => {
  const SECOND_KEY =
    "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEsecondkeysecondkeysecondkeysecondkey\nsecondkeysecondkeysecondkeysecondkeysecondkeysecondkeyAA==\n-----END PUBLIC KEY-----\n";
  const rotated: Attestor = { name: "rotated", kind: "keys", param: "publicKeys" };
  const withKeys = (publicKeys: readonly string[]): Policy => ({
    ...imagePolicy("rotated-keys", {
      references: [],
      attestors: [rotated, release],
      requirements: [
        { kind: "signature", name: "anyKey", attestors: ["rotated"], count: 1 },
        { kind: "signature", name: "both", attestors: ["rotated", "release"], count: 2 },
      ],
    }),
    parameters: {
      schema: {
        type: "object",
        properties: { publicKeys: { type: "array", items: { type: "string" } } },
      },
      values: { publicKeys: [...publicKeys] },
    },
  });
  const configured = withKeys([RIG_PUBLIC_KEY, SECOND_KEY]);

  it("gives Kyverno one attestor per key, counted as one Charter attestor", () => {
    const files = emitted(configured, "validatingpolicy");
    expectValid(files);
    const [ivp] = documents(files.get("rotated-keys.yaml"));
    expect(ivp.spec.attestors.map((a: { name: string }) => a.name)).toEqual([
      "rotated-0",
      "rotated-1",
      "release",
    ]);
    expect(ivp.spec.attestors[1].cosign.key.data).toBe(SECOND_KEY.trim());
    const variables = JSON.stringify(ivp.spec.variables);
    // Any key: one call over both; two of two: a term per Charter attestor.
    expect(variables).toContain(
      'verifyImageSignatures(img, [attestors[\\"rotated-0\\"], attestors[\\"rotated-1\\"]]) >= 1',
    );
    expect(variables).toContain(
      '(verifyImageSignatures(img, [attestors[\\"rotated-0\\"], attestors[\\"rotated-1\\"]]) > 0 ? 1 : 0) + (verifyImageSignatures(img, [attestors[\\"release\\"]]) > 0 ? 1 : 0) >= 2',
    );
  });

  it("nests the keys in one attestor set on a ClusterPolicy when the count is above 1", () => {
    const files = emitted(configured, "clusterpolicy");
    expectValid(files);
    const [clusterPolicy] = documents(files.get("rotated-keys.yaml"));
    const entriesOf = (rule: string) =>
      clusterPolicy.spec.rules.find((r: { name: string }) => r.name === rule).verifyImages[0]
        .attestors[0];
    const keyEntry = (key: string) => ({
      keys: { publicKeys: key, rekor: { ignoreTlog: true }, ctlog: { ignoreSCT: true } },
    });
    expect(entriesOf("anyKey")).toEqual({
      count: 1,
      entries: [keyEntry(RIG_PUBLIC_KEY.trim()), keyEntry(SECOND_KEY.trim())],
    });
    expect(entriesOf("both")).toEqual({
      count: 2,
      entries: [
        {
          attestor: {
            count: 1,
            entries: [keyEntry(RIG_PUBLIC_KEY.trim()), keyEntry(SECOND_KEY.trim())],
          },
        },
        keyEntry(RIG_PUBLIC_KEY),
      ],
    });
  });

  it("refuses a policy whose parameter lists no key, saying which to set", () => {
    for (const api of APIS) {
      expect(() => emitted(withKeys([]), api)).toThrow(
        /^not configured: it verifies signatures with the public keys of the parameter publicKeys, which lists none/,
      );
    }
  });

  it("refuses on a ClusterPolicy a key carrying a Kyverno variable, which Kyverno would substitute", () => {
    const hostile =
      "-----BEGIN PUBLIC KEY-----\n{{request.object.metadata.name}}\n-----END PUBLIC KEY-----";
    expect(() => emitted(withKeys([RIG_PUBLIC_KEY, hostile]), "clusterpolicy")).toThrow(
      /the public key of attestor "rotated-1" contains "\{\{" or "\$\(", which Kyverno substitutes as a variable/,
    );
  });

  it("refuses an entry that is not a PEM public key", () => {
    expect(() =>
      emitted(withKeys([RIG_PUBLIC_KEY, "ssh-ed25519 AAAA"]), "validatingpolicy"),
    ).toThrow('policy "rotated-keys": the parameter publicKeys[1] is not a PEM public key');
  });
});
