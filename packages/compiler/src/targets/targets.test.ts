/**
 * The descriptors tell the truth: docs/capabilities.md's version table is theirs, and each
 * variant compiles exactly the constructs it claims (the rest are compile errors).
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Policy } from "@charter/ir";
import { describe, expect, it } from "vitest";
import { type Capability, variantOptions } from "./target-descriptor.js";
import { TARGET_NAMES, TARGETS } from "./targets.js";
import { versionTable } from "./version-table.js";

const docs = join(dirname(fileURLToPath(import.meta.url)), "../../../../docs/capabilities.md");

describe("target descriptors", () => {
  it("are docs/capabilities.md's version table", () => {
    expect(readFileSync(docs, "utf8")).toContain(versionTable());
  });
});

/** A policy on Deployments whose one rule uses `condition`. */
function policyWith(condition: Policy["rules"][number]["condition"]): Policy {
  return {
    name: "uses-a-construct",
    title: "Uses a construct",
    description: "",
    severity: "low",
    category: "test",
    controls: [],
    enforcement: "deny",
    match: { subject: "kinds", kinds: [{ group: "apps", kind: "Deployment" }] },
    parameters: { schema: { type: "object", properties: {} }, values: {} },
    rules: [
      { name: "r", condition, message: { template: "m", parts: [{ kind: "text", text: "m" }] } },
    ],
    cases: [],
  };
}

const objectName = { kind: "ref", root: { kind: "object" }, path: ["metadata", "name"] } as const;

const CONSTRUCTS = {
  inventory: policyWith({
    kind: "compare",
    op: "==",
    left: {
      kind: "len",
      arg: {
        kind: "inventory",
        apiVersion: "networking.k8s.io/v1",
        resource: "NetworkPolicy",
        namespace: { kind: "ref", root: { kind: "object" }, path: ["metadata", "namespace"] },
      },
    },
    right: { kind: "literal", value: 0 },
  }),
  "namespace-object": policyWith({
    kind: "exists",
    arg: { kind: "ref", root: { kind: "namespace" }, path: ["metadata", "labels", "team"] },
  }),
  "patterns-from-resource": policyWith({
    kind: "string",
    op: "matches",
    left: objectName,
    right: { kind: "ref", root: { kind: "object" }, path: ["metadata", "annotations", "pattern"] },
  }),
  "image-rules": {
    ...policyWith({ kind: "literal", value: false }),
    match: { subject: "pod", controllers: true },
    rules: [],
    images: {
      references: [],
      attestors: [
        {
          name: "release",
          kind: "key",
          publicKey:
            "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEMqgpxVx3/FtXOi3z2HRT/Np5mjtC\nO1w/9weGvBnUShpvlBFa3Y2pwC/3hApyr/gjPpRMbgdvgsoHIRyCOMZvtA==\n-----END PUBLIC KEY-----\n",
        },
      ],
      requirements: [{ kind: "signature", name: "signed", attestors: ["release"], count: 1 }],
    },
  },
} as const satisfies Partial<Record<Capability, Policy>>;

const cases = TARGET_NAMES.flatMap((name) =>
  TARGETS[name].variants.flatMap((variant) =>
    Object.entries(CONSTRUCTS).map(([capability, policy]) => ({
      note: `${name}${variant.option ? ` ${variant.option}` : ""}: ${capability}`,
      emit: () => TARGETS[name].emit([policy], variantOptions(variant), []),
      supported: variant.supports.includes(capability as Capability),
    })),
  ),
);

describe("each variant compiles exactly the constructs it supports", () => {
  it.each(cases)("$note", ({ emit, supported }) => {
    if (supported) expect(emit).not.toThrow();
    else expect(emit).toThrow(/cannot express it/);
  });
});
