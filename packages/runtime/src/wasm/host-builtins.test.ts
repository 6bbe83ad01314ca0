import { describe, expect, it } from "vitest";
import { HOST_BUILTINS, unsupportedBuiltins } from "./host-builtins.js";

describe("the builtins the WASM host supplies", () => {
  it("hex.encode is Go's: the hex of the UTF-8 bytes, so count() of it is twice the byte length", () => {
    const encode = HOST_BUILTINS["hex.encode"] as (text: string) => string;
    expect(encode("")).toBe("");
    expect(encode("a\n")).toBe("610a");
    expect(encode("é😀")).toBe("c3a9f09f9880");
  });

  it("names what nobody implements, and not what opa-wasm or we do", () => {
    expect(unsupportedBuiltins(["hex.encode", "sprintf", "yaml.marshal"])).toEqual([]);
    expect(unsupportedBuiltins(["hex.encode", "crypto.x509.parse_certificates"])).toEqual([
      "crypto.x509.parse_certificates",
    ]);
  });
});
