/**
 * `expectPolicy(policy).toPass(resource)` / `.toFail(resource, { rules })`: one policy judged
 * on one resource, the way `charter test` judges a case (each resource with its own scanned
 * set), on the IR engine or on several engines at once. A broken expectation, or engines that
 * disagree, rejects with a plain Error naming the policy, the resource, the rule, the engine and
 * the message, so vitest, jest and node:test all show it as it is.
 */
import {
  CharterError,
  type ImageFacts,
  imageRulesOf,
  type Json,
  type JsonObject,
  type Operation,
  type Policy,
  ruleNamesOf,
  type TestCase,
  type UserInfo,
  unconfiguredReason,
} from "@charter/ir";
import {
  caseResource,
  type Engine,
  type Finding,
  identityOf,
  inventoryKindsOf,
  podImages,
  podView,
} from "@charter/runtime";
import { type EngineSelection, engineSelection, judgingEngines } from "./engines.js";

export interface ExpectPolicyOptions {
  /**
   * Where to judge: `"ir"` (the default, in-process and fast), `"all"` (every engine that can
   * be had here; the missing ones are left out), or engine names, each of which must be there.
   * Unset, `$CHARTER_TEST_ENGINES` (`ir`, `all` or `opa,vap-cel,…`) decides.
   */
  readonly engines?: EngineSelection;
}

export interface PassOptions {
  /**
   * The rest of the scanned set the resource is judged with (its Namespace, NetworkPolicies…)
   * for a policy that reads `namespace` or `inventory(…)`; the resource itself is part of it.
   */
  readonly inventory?: readonly Json[];
  /**
   * The admission request the resource is judged in (packages/ir README, item 17): CREATE
   * when absent, as offline; an UPDATE needs `oldObject`; a DELETE judges the resource as the
   * object being deleted.
   */
  readonly operation?: Operation;
  readonly oldObject?: JsonObject;
  readonly userInfo?: UserInfo;
  /**
   * For a policy with `images` (packages/ir README, item 18): what the registry and the
   * scanners say of each image, by the reference as written — stated, as a case's `images` —
   * or `verifyImages` to read them from the registry. Neither: an image rule is an error
   * verdict (nobody read the registry), so no expectation holds by default.
   */
  readonly images?: Readonly<Record<string, ImageFacts>>;
  /**
   * Reads each image's registry and verifies its signatures and attestations, as
   * `charter check --verify-images` does (@charter/images `verifyImage`).
   */
  readonly verifyImages?: true | VerifyImagesOptions;
}

/** How `verifyImages` reads registries (absent: the Docker config, plain HTTP for loopback). */
export interface VerifyImagesOptions {
  /** A Docker config file for credentials (default `$DOCKER_CONFIG/config.json`, ~/.docker). */
  readonly dockerConfig?: string;
  /** Registries (`host[:port]`) read over plain HTTP besides the loopback ones. */
  readonly insecureRegistries?: readonly string[];
  /** The `trusted_root.json` of keyless attestors without their own. */
  readonly trustedRoot?: string;
}

export interface FailOptions extends PassOptions {
  /** Rules that must fail (the others may do as they please); absent, at least one must. */
  readonly rules?: readonly string[];
  /**
   * A message one of those failing rules must give: text it contains, or a pattern it
   * matches.
   */
  readonly message?: string | RegExp;
}

export interface PolicyExpectation {
  /** Resolves when no rule of the policy fails the resource on any engine. */
  toPass(resource: Json, options?: PassOptions): Promise<void>;
  /** Resolves when the rules fail the resource (some rule, without `rules`) on every engine. */
  toFail(resource: Json, options?: FailOptions): Promise<void>;
}

/** Thrown when an expectation does not hold; its message says what each engine said. */
export class PolicyExpectationError extends Error {
  override readonly name = "PolicyExpectationError";
}

/** What one engine said about the resource: the policy's findings, by rule. */
type Verdicts = ReadonlyMap<string, Finding>;

export function expectPolicy(policy: Policy, options: ExpectPolicyOptions = {}): PolicyExpectation {
  checkPolicy(policy);
  const selection = engineSelection(options.engines);
  let engines: Engine[] | undefined;

  async function judge(resource: Json, judgeOptions: PassOptions) {
    engines ??= judgingEngines(policy, selection);
    const { inventory, operation, oldObject, userInfo } = judgeOptions;
    const images =
      judgeOptions.verifyImages !== undefined
        ? {
            ...(await verifiedFacts(policy, resource, judgeOptions.verifyImages)),
            ...judgeOptions.images,
          }
        : judgeOptions.images;
    const testCase: TestCase = {
      name: "expectPolicy",
      expect: "pass",
      resource,
      ...(inventory ? { inventory } : {}),
      ...(operation ? { operation } : {}),
      ...(oldObject ? { oldObject } : {}),
      ...(userInfo ? { userInfo } : {}),
      ...(images ? { images } : {}),
    };
    const input = [caseResource(testCase, inventoryKindsOf([policy]))];
    return Promise.all(
      engines.map(async (engine) => ({
        engine: engine.name,
        verdicts: verdictsOf(policy, await engine.evaluate(input)),
      })),
    );
  }

  function fail(call: string, resource: Json, problems: readonly string[]): never {
    throw new PolicyExpectationError(
      `expectPolicy(${policy.name}).${call}(${describeResource(resource)}) does not hold:\n${problems
        .map((p) => `  ${p}`)
        .join("\n")}`,
    );
  }

  return {
    async toPass(resource, passOptions = {}) {
      const answers = await judge(resource, passOptions);
      const problems = answers.flatMap(
        ({ engine, verdicts }) =>
          notApplied(verdicts, engine) ??
          [...verdicts.values()].flatMap((finding) =>
            finding.result === "fail" || finding.result === "error"
              ? [`[${engine}] rule ${finding.rule} ${said(finding)}`]
              : [],
          ),
      );
      const disagreement = disagreementOf(answers);
      if (problems.length || disagreement) {
        fail("toPass", resource, [...problems, ...(disagreement ? [disagreement] : [])]);
      }
    },

    async toFail(resource, failOptions = {}) {
      const wanted = failOptions.rules ?? [];
      const unknown = wanted.filter((rule) => !ruleNamesOf(policy).includes(rule));
      if (unknown.length) {
        fail("toFail", resource, [
          `the policy has no rule ${unknown.join(", ")}; its rules are ${ruleNamesOf(policy).join(", ")}`,
        ]);
      }
      const answers = await judge(resource, failOptions);
      const problems = answers.flatMap(({ engine, verdicts }) => {
        const notApplying = notApplied(verdicts, engine);
        if (notApplying) return notApplying;
        const errors = [...verdicts.values()].filter((f) => f.result === "error");
        if (errors.length) return errors.map((f) => `[${engine}] rule ${f.rule} ${said(f)}`);
        const failing = [...verdicts.values()].filter((f) => f.result === "fail");
        if (wanted.length === 0 && failing.length === 0) {
          return [`[${engine}] expected a rule to fail, but every rule passed`];
        }
        const missing = wanted.flatMap((rule) => {
          const finding = verdicts.get(rule);
          return finding?.result === "fail"
            ? []
            : [
                `[${engine}] expected rule ${rule} to fail, but it ${finding ? said(finding) : "was not judged"}`,
              ];
        });
        if (missing.length) return missing;
        const { message } = failOptions;
        if (message === undefined) return [];
        const judged = wanted.length ? failing.filter((f) => wanted.includes(f.rule)) : failing;
        const matches = (text: string) =>
          typeof message === "string" ? text.includes(message) : message.test(text);
        if (judged.some((f) => f.messages.some(matches))) return [];
        return [
          `[${engine}] no failing rule's message ${typeof message === "string" ? `contains ${JSON.stringify(message)}` : `matches ${message}`}: ${judged
            .map((f) => `rule ${f.rule} said ${JSON.stringify(f.message)}`)
            .join("; ")}`,
        ];
      });
      const disagreement = disagreementOf(answers);
      if (problems.length || disagreement) {
        fail("toFail", resource, [...problems, ...(disagreement ? [disagreement] : [])]);
      }
    },
  };
}

/**
 * What the registry says of each image of the resource's pod view that the policy's image
 * rules judge. @charter/images (and the Sigstore libraries under it) loads only when asked.
 */
async function verifiedFacts(
  policy: Policy,
  resource: Json,
  options: true | VerifyImagesOptions,
): Promise<Record<string, ImageFacts>> {
  const unconfigured = unconfiguredReason(policy);
  if (unconfigured !== undefined) throw new CharterError(unconfigured, policy.source ?? {});
  const rules = imageRulesOf(policy);
  if (rules === undefined) return {};
  const { verifyImage } = await import("@charter/images");
  const { dockerConfig, insecureRegistries, trustedRoot } = options === true ? {} : options;
  const registry = {
    ...(dockerConfig !== undefined ? { dockerConfig } : {}),
    ...(insecureRegistries !== undefined ? { insecureRegistries } : {}),
  };
  const facts: Record<string, ImageFacts> = {};
  for (const { reference } of podImages(podView(resource) as Json | undefined, rules.references)) {
    facts[reference] ??= await verifyImage(reference, rules, {
      registry,
      ...(trustedRoot !== undefined ? { trustedRoot } : {}),
    });
  }
  return facts;
}

function checkPolicy(policy: Policy): void {
  const looksLikePolicy =
    typeof policy === "object" &&
    policy !== null &&
    typeof policy.name === "string" &&
    Array.isArray(policy.rules);
  if (!looksLikePolicy) {
    throw new TypeError(
      "expectPolicy takes a policy made with policy(…) from @charter/dsl (the module's default export)",
    );
  }
}

function verdictsOf(policy: Policy, findings: readonly Finding[]): Verdicts {
  const verdicts = new Map<string, Finding>();
  for (const finding of findings) {
    if (finding.policy === policy.name) verdicts.set(finding.rule, finding);
  }
  return verdicts;
}

function notApplied(verdicts: Verdicts, engine: string): string[] | undefined {
  return verdicts.size === 0
    ? [
        `[${engine}] the policy does not apply to this resource (check its apiVersion, kind, namespace and labels against the policy's match, and the operation against its operations)`,
      ]
    : undefined;
}

/** A finding's outcome in words: `passed`, `failed: "…"`, `was skipped: …`. */
function said(finding: Finding): string {
  switch (finding.result) {
    case "pass":
      return "passed";
    case "fail":
      return `failed: ${JSON.stringify(finding.message)}`;
    case "skip":
      return `was skipped: ${finding.message}`;
    case "error":
      return `could not be evaluated: ${finding.message}`;
  }
}

/** The first rule on which the engines' answers differ (result or message), described. */
function disagreementOf(
  answers: readonly { readonly engine: string; readonly verdicts: Verdicts }[],
): string | undefined {
  if (answers.length < 2) return undefined;
  const rules = new Set(answers.flatMap(({ verdicts }) => [...verdicts.keys()]));
  for (const rule of [...rules].sort()) {
    const outcomes = answers.map(({ verdicts }) => {
      const f = verdicts.get(rule);
      return f
        ? `${f.result}${f.result === "pass" ? "" : ` ${JSON.stringify(f.message)}`}`
        : "not applied";
    });
    if (new Set(outcomes).size > 1) {
      return `engines disagree on rule ${rule}: ${answers.map(({ engine }, i) => `${engine}=${outcomes[i]}`).join("  ")}`;
    }
  }
  return undefined;
}

function describeResource(resource: Json): string {
  const { kind, namespace, name } = identityOf(resource);
  if (!kind && !name) return "the resource";
  return `${kind || "object"} ${namespace ? `${namespace}/` : ""}${name || "(unnamed)"}`;
}
