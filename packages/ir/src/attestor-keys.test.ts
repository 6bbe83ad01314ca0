import { describe, expect, it } from "vitest";
import {
  attestorKeyProblems,
  attestorKeys,
  imageRulesOf,
  UNCONFIGURED_PREFIX,
  unconfiguredReason,
} from "./attestor-keys.js";
import { CharterError } from "./errors.js";
import type { Attestor, ImageRules } from "./images.js";

const PEM = "-----BEGIN PUBLIC KEY-----\nMFkw…\n-----END PUBLIC KEY-----";
const OTHER = "-----BEGIN PUBLIC KEY-----\nMFkwOTHER…\n-----END PUBLIC KEY-----";
const fromParam: Attestor = { name: "signer", kind: "keys", param: "publicKeys" };
const rules: ImageRules = {
  references: [],
  attestors: [fromParam],
  requirements: [{ kind: "signature", name: "signed", attestors: ["signer"], count: 1 }],
};
const withKeys = (publicKeys: unknown) => ({
  name: "require-signed-images",
  images: rules,
  parameters: { values: { publicKeys } as never },
});

describe("attestors whose keys are a parameter", () => {
  it("verify with the keys imageRulesOf read from the parameter, each trimmed", () => {
    const resolved = imageRulesOf(withKeys([` ${PEM}\n`, OTHER]));
    expect(resolved?.attestors).toEqual([{ ...fromParam, publicKeys: [PEM, OTHER] }]);
    expect(resolved?.requirements).toBe(rules.requirements);
    expect(attestorKeys(resolved?.attestors[0] as Attestor)).toEqual([PEM, OTHER]);
  });

  it("verify with nothing until resolved; a key attestor with its own key; keyless with none", () => {
    expect(attestorKeys(fromParam)).toEqual([]);
    expect(attestorKeys({ name: "k", kind: "key", publicKey: PEM })).toEqual([PEM]);
    expect(
      attestorKeys({
        name: "ci",
        kind: "keyless",
        issuer: { exact: "i" },
        subject: { exact: "s" },
      }),
    ).toEqual([]);
  });

  it("refuse an entry that is not a PEM public key, naming its index", () => {
    expect(() => imageRulesOf(withKeys([PEM, "ssh-ed25519 AAAA…"]))).toThrow(CharterError);
    expect(() => imageRulesOf(withKeys([PEM, "ssh-ed25519 AAAA…"]))).toThrow(
      'policy "require-signed-images": the parameter publicKeys[1] is not a PEM public key',
    );
  });

  it("name each entry that is not a PEM public key; such a list is an error, not unset", () => {
    expect(attestorKeyProblems(rules, { publicKeys: [PEM, "ssh-ed25519 AAAA…", OTHER] })).toEqual([
      {
        path: ["publicKeys", 1],
        message: "is not a PEM public key",
        hint: "give the contents of cosign.pub (-----BEGIN PUBLIC KEY-----…)",
      },
    ]);
    expect(attestorKeyProblems(rules, { publicKeys: [PEM] })).toEqual([]);
    expect(unconfiguredReason(withKeys(["ssh-ed25519 AAAA…"]))).toBeUndefined();
  });

  it("refuse a blank or non-string entry (an unset environment variable): an error, not unset", () => {
    expect(attestorKeyProblems(rules, { publicKeys: [PEM, "", "  ", 42] })).toEqual([
      expect.objectContaining({
        path: ["publicKeys", 1],
        message: "is empty, not a PEM public key",
      }),
      expect.objectContaining({
        path: ["publicKeys", 2],
        message: "is empty, not a PEM public key",
      }),
      expect.objectContaining({ path: ["publicKeys", 3], message: "is not a PEM public key" }),
    ]);
    for (const value of [[""], ["  "], [42]]) {
      expect(unconfiguredReason(withKeys(value))).toBeUndefined();
      expect(() => imageRulesOf(withKeys(value))).toThrow(
        /^policy "require-signed-images": the parameter publicKeys\[0\] is (empty, not|not) a PEM public key$/,
      );
    }
  });

  it("leave the policy unconfigured while the list is empty or missing", () => {
    for (const value of [[], undefined, "not a list"]) {
      const reason = unconfiguredReason(withKeys(value));
      expect(reason?.startsWith(`${UNCONFIGURED_PREFIX}: `)).toBe(true);
      expect(reason).toMatch(
        /^not configured: it verifies signatures with the public keys of the parameter publicKeys, which lists none; set it, e\.g\. params: \{ "require-signed-images": \{ publicKeys: \[readFileSync\("cosign\.pub", "utf8"\)\] \} \} in charter\.config\.ts$/,
      );
    }
    expect(unconfiguredReason(withKeys([PEM]))).toBeUndefined();
    expect(unconfiguredReason({ name: "plain", parameters: { values: {} } })).toBeUndefined();
  });
});
