/**
 * Attestors whose keys are a parameter (`keys`, README item 18): reading the keys from the
 * policy's values (`imageRulesOf`), the entries that are not keys, and why a policy whose list
 * holds none waits for its configuration (`unconfiguredReason`).
 */
import { CharterError, type ErrorLocation } from "./errors.js";
import type { Attestor, ImageRules } from "./images.js";
import type { Json } from "./json.js";
import type { ParamProblem } from "./param-values.js";

const PEM_PUBLIC_KEY = /^\s*-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----\s*$/;

/** Whether a string is a PEM public key, as cosign writes `cosign.pub`. */
export function isPemPublicKey(text: string): boolean {
  return PEM_PUBLIC_KEY.test(text);
}

/**
 * The public keys a key attestor verifies with: its own, or those `imageRulesOf` read from its
 * parameter (none before that: an unresolved attestor verifies nothing).
 */
export function attestorKeys(attestor: Attestor): readonly string[] {
  if (attestor.kind === "key") return [attestor.publicKey];
  if (attestor.kind === "keys") return attestor.publicKeys ?? [];
  return [];
}

type WithImageRules = {
  readonly name: string;
  readonly source?: ErrorLocation;
  readonly images?: ImageRules;
  readonly parameters: { readonly values: Readonly<Record<string, Json>> };
};

/**
 * The keys listed under `param`, each trimmed, and the entries that are not a PEM public key —
 * a blank one included: `[process.env.COSIGN_PUB ?? ""]` with the variable unset must be an
 * error, not a list that leaves the policy unconfigured and so unbuilt.
 */
function listedKeys(values: Readonly<Record<string, Json>>, param: string) {
  const listed = values[param];
  const keys: string[] = [];
  const bad: { index: number; message: string }[] = [];
  if (!Array.isArray(listed)) return { keys, bad };
  listed.forEach((value, index) => {
    if (typeof value === "string" && isPemPublicKey(value)) keys.push(value.trim());
    else
      bad.push({
        index,
        message:
          typeof value === "string" && value.trim() === ""
            ? "is empty, not a PEM public key"
            : "is not a PEM public key",
      });
  });
  return { keys, bad };
}

/**
 * The policy's image rules as every consumer verifies them (`charter check`, the webhook, the
 * Kyverno emitter): each `keys` attestor with the keys its parameter holds now. Throws when an
 * entry of that list is not a PEM public key — a typo must not become a key that verifies
 * nothing, silently.
 */
export function imageRulesOf(policy: WithImageRules): ImageRules | undefined {
  const images = policy.images;
  if (images === undefined) return undefined;
  return {
    ...images,
    attestors: images.attestors.map((attestor) => {
      if (attestor.kind !== "keys") return attestor;
      const { keys, bad } = listedKeys(policy.parameters.values, attestor.param);
      const [first] = bad;
      if (first !== undefined) {
        throw new CharterError(
          `policy "${policy.name}": the parameter ${attestor.param}[${first.index}] ${first.message}`,
          policy.source ?? {},
          "give the contents of cosign.pub (-----BEGIN PUBLIC KEY-----…)",
        );
      }
      return { ...attestor, publicKeys: keys };
    }),
  };
}

/**
 * The entries of `keys` attestors' parameters that are not PEM public keys, as parameter
 * problems (`charter.config.ts` reports them at their line, as a value of the wrong type).
 */
export function attestorKeyProblems(
  images: ImageRules | undefined,
  values: Readonly<Record<string, Json>>,
): ParamProblem[] {
  return (images?.attestors ?? []).flatMap((attestor) =>
    attestor.kind === "keys"
      ? listedKeys(values, attestor.param).bad.map(({ index, message }) => ({
          path: [attestor.param, index],
          message,
          hint: "give the contents of cosign.pub (-----BEGIN PUBLIC KEY-----…)",
        }))
      : [],
  );
}

/**
 * Why a policy cannot be built or judged until its parameters are set — a `keys` attestor whose
 * parameter lists no key — or undefined when nothing is missing. No key is not a pass and not a
 * policy that denies everything: the policy waits for its configuration, and says so.
 */
export function unconfiguredReason(policy: WithImageRules): string | undefined {
  // A list holding an entry that is not a key is not "unset": it is an error (imageRulesOf).
  const params = (policy.images?.attestors ?? []).flatMap((attestor) => {
    if (attestor.kind !== "keys") return [];
    const { keys, bad } = listedKeys(policy.parameters.values, attestor.param);
    return keys.length === 0 && bad.length === 0 ? [attestor.param] : [];
  });
  const [first] = params;
  if (first === undefined) return undefined;
  const which = params.length > 1 ? `parameters ${params.join(", ")}` : `parameter ${first}`;
  return `${UNCONFIGURED_PREFIX}: it verifies signatures with the public keys of the ${which}, which list${params.length > 1 ? "" : "s"} none; set ${params.length > 1 ? "them" : "it"}, e.g. params: { "${policy.name}": { ${first}: [readFileSync("cosign.pub", "utf8")] } } in charter.config.ts`;
}

/** How every `unconfiguredReason` begins (reports fold the rows that give one). */
export const UNCONFIGURED_PREFIX = "not configured";
