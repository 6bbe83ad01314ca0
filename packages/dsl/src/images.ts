/**
 * A policy's `images`: requirements on the images a pod runs (packages/ir README, item 18).
 *
 * ```ts
 * images: {
 *   references: ["registry.example.com/*"],
 *   attestors: { ci: { key: readFileSync("keys/ci.pub", "utf8") } }, // or { keysFrom: "publicKeys" }
 *   require: {
 *     pinned: { digest: true },
 *     signed: { signedBy: ["ci"] },
 *     provenance: {
 *       attestation: "https://slsa.dev/provenance/v1", by: ["ci"],
 *       where: when`predicate.runDetails.builder.id in params.builders`,
 *     },
 *     noFixableCritical: {
 *       vulnerabilities: when`not any v in scan.vulnerabilities: v.severity == "CRITICAL" and exists(v.fixedVersion)`,
 *       maxAgeDays: 7,
 *     },
 *   },
 * }
 * ```
 */
import {
  type Attestor,
  CharterError,
  type ErrorLocation,
  type Expr,
  type IdentityMatch,
  type ImageRequirement,
  type ImageRules,
  type Json,
  type JsonObject,
  type Match,
  type MaxAge,
  PREDICATE_VARIABLE,
  patternProblem,
  SCAN_VARIABLE,
  walkExpr,
} from "@charter/ir";
import { isValue, type Value } from "./builder.js";
import type { LowerContext } from "./lower-context.js";

/** A keyless identity: the exact value, or `{ regex }` (RE2, matched against the whole value). */
export type IdentitySpec = string | { readonly regex: string };

export type AttestorSpec =
  /** A cosign public key, PEM. */
  | { readonly key: string }
  /**
   * Any of the PEM public keys the policy's `list(string())` parameter of this name holds (key
   * rotation; a shared policy each team gives its own keys). While it lists none the policy is
   * not configured: `charter build` leaves it out and `charter check` says why.
   */
  | { readonly keysFrom: string }
  | {
      readonly keyless: {
        readonly issuer: IdentitySpec;
        readonly subject: IdentitySpec;
        /** A Sigstore `trusted_root.json`; absent: Sigstore's public-good root. */
        readonly trustedRoot?: string;
      };
    };

export type RequirementSpec =
  /** The reference as written pins a digest. */
  | { readonly digest: true }
  /** Signed by `count` (default 1) of these attestors. */
  | { readonly signedBy: readonly string[]; readonly count?: number }
  /** An attestation of this predicate type by one of `by`, whose `predicate` makes `where` hold. */
  | {
      readonly attestation: string;
      readonly by: readonly string[];
      readonly where?: Value;
      /** The predicate's timestamp at `field` (a dotted path) is at most `days` old. */
      readonly maxAge?: { readonly field: string; readonly days: number };
    }
  /** The image's newest scanner report, as `scan`, makes the condition hold (`true`: any scan). */
  | { readonly vulnerabilities: Value | true; readonly maxAgeDays?: number };

export interface ImagesSpec {
  /** Globs over the reference as written (`*` any run, `?` one character); absent: every image. */
  readonly references?: readonly string[];
  readonly attestors?: Readonly<Record<string, AttestorSpec>>;
  readonly require: Readonly<Record<string, RequirementSpec>>;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PEM_PUBLIC_KEY = /^\s*-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----\s*$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function onlyKeys(
  value: Record<string, unknown>,
  keys: readonly string[],
  what: string,
  at: ErrorLocation,
) {
  const unknown = Object.keys(value).filter((key) => !keys.includes(key));
  if (unknown.length > 0) {
    throw new CharterError(
      `${what} has unknown keys: ${unknown.join(", ")}`,
      at,
      `its keys are ${keys.join(", ")}`,
    );
  }
}

function identityOf(value: unknown, what: string, at: ErrorLocation): IdentityMatch {
  if (typeof value === "string" && value.length > 0) return { exact: value };
  if (isRecord(value) && typeof value.regex === "string" && value.regex.length > 0) {
    onlyKeys(value, ["regex"], what, at);
    const problem = patternProblem(value.regex);
    if (problem) throw new CharterError(`${what}: ${problem.message}`, at, problem.hint);
    return { regex: value.regex };
  }
  throw new CharterError(`${what} must be a string or { regex: "…" }`, at);
}

/** Whether the parameter schema is a list of strings (`list(string())`). */
function isStringList(schema: Json | undefined): boolean {
  if (!isRecord(schema) || schema.type !== "array") return false;
  const items = schema.items;
  return isRecord(items) && items.type === "string";
}

function attestorOf(
  name: string,
  value: unknown,
  paramSchema: JsonObject,
  at: ErrorLocation,
): Attestor {
  const what = `images.attestors.${name}`;
  if (!IDENTIFIER.test(name)) {
    throw new CharterError(
      `attestor name \`${name}\` is not valid`,
      at,
      "use letters, digits and _",
    );
  }
  if (isRecord(value) && "key" in value) {
    onlyKeys(value, ["key"], what, at);
    if (typeof value.key !== "string" || !PEM_PUBLIC_KEY.test(value.key)) {
      throw new CharterError(
        `${what}.key must be a PEM public key (-----BEGIN PUBLIC KEY-----…)`,
        at,
        'read cosign.pub, e.g. readFileSync(new URL("./keys/cosign.pub", import.meta.url), "utf8")',
      );
    }
    return { name, kind: "key", publicKey: value.key.trim() };
  }
  if (isRecord(value) && "keysFrom" in value) {
    onlyKeys(value, ["keysFrom"], what, at);
    const param = value.keysFrom;
    const properties = isRecord(paramSchema.properties) ? paramSchema.properties : {};
    if (typeof param !== "string" || !isStringList(properties[param] as Json | undefined)) {
      throw new CharterError(
        `${what}.keysFrom must name a list(string()) parameter of the policy`,
        at,
        `declare it, e.g. params: { ${typeof param === "string" && IDENTIFIER.test(param) ? param : "publicKeys"}: list(string()).default([]) }`,
      );
    }
    return { name, kind: "keys", param };
  }
  if (isRecord(value) && isRecord(value.keyless)) {
    onlyKeys(value, ["keyless"], what, at);
    const keyless = value.keyless;
    onlyKeys(keyless, ["issuer", "subject", "trustedRoot"], `${what}.keyless`, at);
    const trustedRoot = keyless.trustedRoot;
    if (trustedRoot !== undefined && (typeof trustedRoot !== "string" || trustedRoot === "")) {
      throw new CharterError(
        `${what}.keyless.trustedRoot must be the path of a trusted_root.json`,
        at,
      );
    }
    return {
      name,
      kind: "keyless",
      issuer: identityOf(keyless.issuer, `${what}.keyless.issuer`, at),
      subject: identityOf(keyless.subject, `${what}.keyless.subject`, at),
      ...(trustedRoot !== undefined ? { trustedRoot } : {}),
    };
  }
  throw new CharterError(
    `${what} must be { key: "<PEM>" }, { keysFrom: "<parameter>" } or { keyless: { issuer, subject, trustedRoot? } }`,
    at,
  );
}

function attestorList(
  value: unknown,
  known: readonly string[],
  what: string,
  at: ErrorLocation,
): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === "string")) {
    throw new CharterError(`${what} must be a non-empty list of attestor names`, at);
  }
  for (const name of value) {
    if (!known.includes(name)) {
      throw new CharterError(
        `${what} names the attestor \`${name}\`, which images.attestors does not define`,
        at,
        known.length > 0
          ? `the attestors are ${known.join(", ")}`
          : "define it under images.attestors",
      );
    }
  }
  if (new Set(value).size !== value.length)
    throw new CharterError(`${what} lists an attestor twice`, at);
  return [...value];
}

/** Lowers a condition that may read only its variable and `params`. */
function conditionOf(
  value: unknown,
  variable: string,
  ctx: LowerContext,
  what: string,
  at: ErrorLocation,
): Expr {
  if (!isValue(value)) throw new CharterError(`${what} must be a condition: when\`…\``, at);
  const condition = value.lower({ ...ctx, scope: [variable] });
  walkExpr(condition, (node) => {
    if (node.kind !== "ref") return;
    if (node.root.kind === "params" || node.root.kind === "var") return;
    throw new CharterError(
      `${what} reads \`${node.root.kind}\`; it may read only \`${variable}\`, its own variables and \`params\``,
      ctx.positions.get(node) ?? at,
    );
  });
  return condition;
}

function positiveDays(value: unknown, what: string, at: ErrorLocation): number {
  if (typeof value === "number" && Number.isFinite(value) && value > 0) return value;
  throw new CharterError(`${what} must be a positive number of days`, at);
}

function requirementOf(
  name: string,
  value: unknown,
  attestors: readonly string[],
  ctx: LowerContext,
  at: ErrorLocation,
): ImageRequirement {
  const what = `images.require.${name}`;
  if (!IDENTIFIER.test(name)) {
    throw new CharterError(
      `requirement name \`${name}\` is not valid`,
      at,
      "use letters, digits and _",
    );
  }
  if (!isRecord(value)) throw new CharterError(`${what} must be an object`, at);
  if ("digest" in value) {
    onlyKeys(value, ["digest"], what, at);
    if (value.digest !== true) throw new CharterError(`${what}.digest must be true`, at);
    return { kind: "digest", name };
  }
  if ("signedBy" in value) {
    onlyKeys(value, ["signedBy", "count"], what, at);
    const list = attestorList(value.signedBy, attestors, `${what}.signedBy`, at);
    const count = value.count ?? 1;
    if (typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > list.length) {
      throw new CharterError(`${what}.count must be a whole number from 1 to ${list.length}`, at);
    }
    return { kind: "signature", name, attestors: list, count };
  }
  if ("attestation" in value) {
    onlyKeys(value, ["attestation", "by", "where", "maxAge"], what, at);
    if (typeof value.attestation !== "string" || value.attestation === "") {
      throw new CharterError(`${what}.attestation must be a predicate type (a URI)`, at);
    }
    let maxAge: MaxAge | undefined;
    if (value.maxAge !== undefined) {
      const age = value.maxAge;
      if (!isRecord(age) || typeof age.field !== "string" || age.field === "") {
        throw new CharterError(
          `${what}.maxAge must be { field: "metadata.scanFinishedOn", days: 7 }`,
          at,
        );
      }
      onlyKeys(age, ["field", "days"], `${what}.maxAge`, at);
      maxAge = {
        path: age.field.split("."),
        days: positiveDays(age.days, `${what}.maxAge.days`, at),
      };
    }
    return {
      kind: "attestation",
      name,
      predicateType: value.attestation,
      attestors: attestorList(value.by, attestors, `${what}.by`, at),
      ...(value.where !== undefined
        ? { condition: conditionOf(value.where, PREDICATE_VARIABLE, ctx, `${what}.where`, at) }
        : {}),
      ...(maxAge ? { maxAge } : {}),
    };
  }
  if ("vulnerabilities" in value) {
    onlyKeys(value, ["vulnerabilities", "maxAgeDays"], what, at);
    return {
      kind: "vulnerabilities",
      name,
      ...(value.vulnerabilities === true
        ? {}
        : {
            condition: conditionOf(
              value.vulnerabilities,
              SCAN_VARIABLE,
              ctx,
              `${what}.vulnerabilities`,
              at,
            ),
          }),
      ...(value.maxAgeDays !== undefined
        ? {
            maxAge: {
              path: ["finishedAt"],
              days: positiveDays(value.maxAgeDays, `${what}.maxAgeDays`, at),
            },
          }
        : {}),
    };
  }
  throw new CharterError(
    `${what} must be { digest: true }, { signedBy: [...] }, { attestation: "<predicate type>", by: [...] } or { vulnerabilities: when\`…\` }`,
    at,
  );
}

/** Lowers `images`; `ruleNames` are the policy's rules, which requirement names must not repeat. */
export function imagesOf(
  value: unknown,
  match: Match,
  ruleNames: readonly string[],
  ctx: LowerContext,
  paramSchema: JsonObject,
  at: ErrorLocation,
): ImageRules {
  if (match.subject !== "pod") {
    throw new CharterError(
      "images needs `match: pod`: image rules judge the images a pod runs",
      at,
    );
  }
  if (!isRecord(value))
    throw new CharterError("images must be { references?, attestors?, require }", at);
  onlyKeys(value, ["references", "attestors", "require"], "images", at);
  const references = value.references ?? [];
  if (!Array.isArray(references) || !references.every((r) => typeof r === "string" && r !== "")) {
    throw new CharterError("images.references must be a list of globs over image references", at);
  }
  const attestorSpecs = value.attestors ?? {};
  if (!isRecord(attestorSpecs))
    throw new CharterError("images.attestors must map names to attestors", at);
  const attestors = Object.entries(attestorSpecs).map(([name, spec]) =>
    attestorOf(name, spec, paramSchema, at),
  );
  const attestorNames = attestors.map((attestor) => attestor.name);
  const require = value.require;
  if (!isRecord(require) || Object.keys(require).length === 0) {
    throw new CharterError("images.require must name at least one requirement", at);
  }
  const requirements = Object.entries(require).map(([name, spec]) => {
    if (ruleNames.includes(name)) {
      throw new CharterError(
        `images.require.${name} has the name of a rule`,
        at,
        "rows are named by rule: give it another name",
      );
    }
    return requirementOf(name, spec, attestorNames, ctx, at);
  });
  const used = new Set(
    requirements.flatMap((r) =>
      r.kind === "signature" || r.kind === "attestation" ? r.attestors : [],
    ),
  );
  for (const name of attestorNames) {
    if (!used.has(name)) {
      throw new CharterError(
        `images.attestors.${name} is used by no requirement`,
        at,
        "remove it, or name it in signedBy or by",
      );
    }
  }
  return { references: [...references], attestors, requirements };
}
