/**
 * Image rules (packages/ir README, item 18) as an author writes them in the DSL and the IR
 * engine judges them on facts: the verdict of each requirement, per resource, for the images of
 * Pods and pod controllers; fail closed when facts are missing or the registry failed.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { list, pod as podMatch, podWith, policy, string, when } from "@charter/dsl";
import type { ImageFacts, Json, Policy } from "@charter/ir";
import { createIrEngine, type Finding, type Resource } from "@charter/runtime";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./support/run-cli.js";

const rig = join(repoRoot, "..", "shared", "conformance", "supply-chain", "local-cosign-rig");
const CI_KEY = readFileSync(join(rig, "cosign.pub"), "utf8");
const OTHER_KEY = readFileSync(join(rig, "other.pub"), "utf8");
const DIGEST = `sha256:${"a".repeat(64)}`;
const VULN = "https://cosign.sigstore.dev/attestation/vuln/v1";
const SLSA = "https://slsa.dev/provenance/v1";

const supplyChain: Policy = policy("supply-chain", {
  title: "Images are signed, attested and scanned",
  severity: "high",
  category: "Supply chain",
  match: podMatch,
  params: {},
  images: {
    references: ["registry.example.com/*"],
    attestors: { ci: { key: CI_KEY }, release: { key: OTHER_KEY } },
    require: {
      pinned: { digest: true },
      signed: { signedBy: ["ci", "release"], count: 2 },
      provenance: {
        attestation: SLSA,
        by: ["ci"],
        where: when`predicate.runDetails.builder.id == "https://github.com/actions/runner"`,
      },
      freshScan: {
        attestation: VULN,
        by: ["ci"],
        where: when`not any r in predicate.scanner.result.Results: any v in r.Vulnerabilities: v.Severity == "CRITICAL"`,
        maxAge: { field: "metadata.scanFinishedOn", days: 7 },
      },
      noFixableCritical: {
        vulnerabilities: when`not any v in scan.vulnerabilities: v.severity == "CRITICAL" and exists(v.fixedVersion)`,
        maxAgeDays: 30,
      },
    },
  },
});

const NOW = Date.parse("2026-12-01T00:00:00Z");
const image = `registry.example.com/app@${DIGEST}`;

function facts(overrides: Partial<ImageFacts> = {}): ImageFacts {
  return {
    reference: image,
    digest: DIGEST,
    signatures: [{ attestor: "ci" }, { attestor: "release" }],
    attestations: [
      {
        attestor: "ci",
        predicateType: SLSA,
        predicate: { runDetails: { builder: { id: "https://github.com/actions/runner" } } },
      },
      {
        attestor: "ci",
        predicateType: VULN,
        predicate: {
          scanner: { result: { Results: [{ Vulnerabilities: [{ Severity: "HIGH" }] }] } },
          metadata: { scanFinishedOn: "2026-11-28T10:00:00Z" },
        },
      },
    ],
    scan: {
      source: "reports/app.json",
      finishedAt: "2026-11-20T00:00:00Z",
      vulnerabilities: [{ id: "CVE-1", severity: "CRITICAL", package: "musl" }],
    },
    ...overrides,
  };
}

function judge(object: Json, table?: Record<string, ImageFacts>): Map<string, Finding> {
  const resource: Resource = {
    object,
    ...(table ? { images: { now: NOW, facts: (_policy, reference) => table[reference] } } : {}),
  };
  const findings = createIrEngine([supplyChain]).evaluateSync([resource]);
  return new Map(findings.map((finding) => [finding.rule, finding]));
}

function results(rows: Map<string, Finding>): Record<string, string> {
  return Object.fromEntries([...rows].map(([rule, row]) => [rule, row.result]));
}

const pod = (images: string[], list = "containers") =>
  ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "team-a" },
    spec: { [list]: images.map((reference, i) => ({ name: `c${i}`, image: reference })) },
  }) as Json;

describe("image rules judged on facts", () => {
  it("gives one row per requirement, each judged as item 18 says", () => {
    expect(results(judge(pod([image]), { [image]: facts() }))).toEqual({
      pinned: "pass",
      signed: "pass",
      provenance: "pass",
      freshScan: "pass",
      noFixableCritical: "pass",
    });
  });

  it("fails each requirement for its own reason, naming the image and container", () => {
    const tag = "registry.example.com/app:1.0";
    const rows = judge(pod([tag]), {
      [tag]: facts({
        reference: tag,
        signatures: [{ attestor: "ci" }],
        notes: ["the signature by release did not verify"],
        attestations: [
          {
            attestor: "release", // not an attestor the provenance requirement accepts
            predicateType: SLSA,
            predicate: { runDetails: { builder: { id: "https://github.com/actions/runner" } } },
          },
          {
            attestor: "ci",
            predicateType: VULN,
            predicate: {
              scanner: { result: { Results: [{ Vulnerabilities: [{ Severity: "HIGH" }] }] } },
              metadata: { scanFinishedOn: "2026-11-01T00:00:00Z" }, // 30 days before NOW
            },
          },
        ],
        scan: {
          source: "reports/app.json",
          finishedAt: "2026-11-20T00:00:00Z",
          vulnerabilities: [
            { id: "CVE-2", severity: "CRITICAL", package: "musl", fixedVersion: "1.1.20-r5" },
          ],
        },
      }),
    });
    expect(results(rows)).toEqual({
      pinned: "fail",
      signed: "fail",
      provenance: "fail",
      freshScan: "fail",
      noFixableCritical: "fail",
    });
    expect(rows.get("pinned")?.message).toBe(
      'image "registry.example.com/app:1.0" of container "c0" is not pinned by a digest (@sha256:…)',
    );
    expect(rows.get("signed")?.message).toBe(
      `image "registry.example.com/app:1.0" (${DIGEST}) of container "c0" is not signed by 2 of ci, release (only ci): the signature by release did not verify`,
    );
    expect(rows.get("provenance")?.message).toContain(`has no ${SLSA} attestation by ci`);
    expect(rows.get("freshScan")?.message).toContain("not one from the last 7 days");
    expect(rows.get("noFixableCritical")?.message).toContain("fails noFixableCritical");
  });

  it("reads a predicate that fails the condition as a failure, not as absence", () => {
    const bad = facts({
      attestations: [
        {
          attestor: "ci",
          predicateType: SLSA,
          predicate: { runDetails: { builder: { id: "https://evil.example/builder" } } },
        },
      ],
    });
    const rows = judge(pod([image]), { [image]: bad });
    expect(rows.get("provenance")?.result).toBe("fail");
    expect(rows.get("provenance")?.message).toContain("does not satisfy provenance");
  });

  it("reads a timestamp as CEL's timestamp() does: anything but strict RFC 3339 is too old", () => {
    const scanned = (at: string) =>
      facts({
        attestations: [
          {
            attestor: "ci",
            predicateType: VULN,
            predicate: { scanner: { result: { Results: [] } }, metadata: { scanFinishedOn: at } },
          },
        ],
      });
    const fresh = (at: string) =>
      judge(pod([image]), { [image]: scanned(at) }).get("freshScan")?.result;
    expect(fresh("2026-11-28T10:00:00Z")).toBe("pass");
    expect(fresh("2026-11-28T19:00:00.123456789+09:00")).toBe("pass");
    // Go's time.Parse (CEL's timestamp(), on Kyverno) refuses each of these.
    for (const loose of [
      "2026-11-28 10:00:00Z",
      "2026-11-28t10:00:00z",
      "2026-11-31T10:00:00Z",
      "2026-11-28T10:00:60Z",
    ]) {
      expect({ loose, result: fresh(loose) }).toEqual({ loose, result: "fail" });
    }
  });

  it("never passes what it could not judge: a registry error, and an image nobody read", () => {
    const error = judge(pod([image]), { [image]: facts({ error: "registry.example.com: 401" }) });
    expect(results(error)).toEqual({
      pinned: "pass", // needs no registry
      signed: "error",
      provenance: "error",
      freshScan: "error",
      noFixableCritical: "error",
    });
    expect(error.get("signed")?.message).toContain(
      "could not be verified: registry.example.com: 401",
    );
    const unread = judge(pod([image]), {});
    expect(unread.get("signed")?.result).toBe("error");
    expect(unread.get("signed")?.message).toContain("nobody read its registry");
  });

  it("with verification off, skips what needs a registry and still judges the digest", () => {
    const rows = judge(pod(["registry.example.com/app:1.0"]));
    expect(results(rows)).toEqual({
      pinned: "fail",
      signed: "skip",
      provenance: "skip",
      freshScan: "skip",
      noFixableCritical: "skip",
    });
    expect(rows.get("signed")?.message).toContain("--verify-images");
  });

  it("judges init and ephemeral containers and pod controllers' templates, only matching images", () => {
    for (const list of ["initContainers", "ephemeralContainers"]) {
      expect(judge(pod(["registry.example.com/app:1.0"], list)).get("pinned")?.result).toBe("fail");
    }
    const deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "d", namespace: "team-a" },
      spec: {
        template: { spec: { containers: [{ name: "c", image: "registry.example.com/x:1" }] } },
      },
    } as Json;
    expect(judge(deployment).get("pinned")?.result).toBe("fail");
    // docker.io/nginx matches no reference glob: every requirement passes without facts.
    expect(results(judge(pod(["nginx:1.27"]), {}))).toEqual({
      pinned: "pass",
      signed: "pass",
      provenance: "pass",
      freshScan: "pass",
      noFixableCritical: "pass",
    });
  });

  it("with the registry unread, skips signatures and attestations and judges the scan", () => {
    const tag = "registry.example.com/app:1.0";
    const rows = judge(pod([tag]), {
      [tag]: {
        reference: tag,
        signatures: [],
        attestations: [],
        unverified: "the registry was not read (run with --verify-images)",
        scan: facts().scan,
      },
    });
    expect(results(rows)).toEqual({
      pinned: "fail",
      signed: "skip",
      provenance: "skip",
      freshScan: "skip",
      noFixableCritical: "pass",
    });
    expect(rows.get("signed")?.message).toBe(
      "the registry was not read (run with --verify-images)",
    );
  });

  it("treats a missing scan as a failure: no report is not a clean report", () => {
    const { scan: _none, ...unscanned } = facts();
    const rows = judge(pod([image]), { [image]: unscanned });
    expect(rows.get("noFixableCritical")?.result).toBe("fail");
    expect(rows.get("noFixableCritical")?.message).toContain("has no vulnerability scan");
  });
});

describe("image rules in the DSL", () => {
  const base = {
    title: "t",
    severity: "high" as const,
    category: "Supply chain",
  };

  it("runs a policy's own cases with the facts they state", () => {
    const p = policy("signed-images", {
      ...base,
      match: podMatch,
      images: {
        attestors: { ci: { key: CI_KEY } },
        require: { signed: { signedBy: ["ci"] } },
      },
      cases: {
        pass: [
          {
            name: "signed",
            resource: podWith({ image }),
            images: { [image]: facts({ signatures: [{ attestor: "ci" }] }) },
          },
        ],
        fail: [
          {
            name: "unsigned",
            resource: podWith({ image }),
            images: { [image]: facts({ signatures: [] }) },
            rules: ["signed"],
          },
        ],
      },
    });
    expect(p.images?.requirements).toEqual([
      { kind: "signature", name: "signed", attestors: ["ci"], count: 1 },
    ]);
    expect(p.cases.map((c) => Object.keys(c.images ?? {}))).toEqual([[image], [image]]);
  });

  it.each([
    [
      "an attestor no requirement defines",
      { attestors: { ci: { key: CI_KEY } }, require: { signed: { signedBy: ["cd"] } } },
      "names the attestor `cd`, which images.attestors does not define",
    ],
    [
      "a key that is not PEM",
      { attestors: { ci: { key: "ssh-ed25519 AAAA" } }, require: { signed: { signedBy: ["ci"] } } },
      "must be a PEM public key",
    ],
    [
      "a condition that reads the resource",
      {
        attestors: { ci: { key: CI_KEY } },
        require: {
          p: { attestation: SLSA, by: ["ci"], where: when`object.metadata.name == "x"` },
        },
      },
      "reads `object`; it may read only `predicate`",
    ],
    [
      "a count above the attestors listed",
      { attestors: { ci: { key: CI_KEY } }, require: { signed: { signedBy: ["ci"], count: 2 } } },
      "count must be a whole number from 1 to 1",
    ],
    [
      "keysFrom naming no parameter",
      { attestors: { ci: { keysFrom: "keys" } }, require: { signed: { signedBy: ["ci"] } } },
      "images.attestors.ci.keysFrom must name a list(string()) parameter of the policy",
    ],
    [
      "an unused attestor",
      {
        attestors: { ci: { key: CI_KEY }, spare: { key: OTHER_KEY } },
        require: { signed: { signedBy: ["ci"] } },
      },
      "images.attestors.spare is used by no requirement",
    ],
  ])("refuses %s", (_what, images, message) => {
    expect(() =>
      policy("bad-images", { ...base, match: podMatch, images: images as never }),
    ).toThrow(message);
  });

  it("keysFrom: an attestor whose keys are a list(string()) parameter, and nothing else", () => {
    const images = {
      attestors: { team: { keysFrom: "publicKeys" } },
      require: { signed: { signedBy: ["team"] } },
    };
    const p = policy("team-signed", {
      ...base,
      match: podMatch,
      params: { publicKeys: list(string()).default([]) },
      images,
    });
    expect(p.images?.attestors).toEqual([{ name: "team", kind: "keys", param: "publicKeys" }]);
    expect(() =>
      policy("team-signed", {
        ...base,
        match: podMatch,
        params: { publicKeys: string().default("") },
        images,
      }),
    ).toThrow("images.attestors.team.keysFrom must name a list(string()) parameter of the policy");
  });
});
