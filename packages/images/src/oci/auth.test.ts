import { describe, expect, it } from "vitest";
import { basicAuthorization, parseChallenge } from "./auth.js";
import { digestTag, isLoopbackRegistry, RegistryClient } from "./registry-client.js";

describe("WWW-Authenticate challenges", () => {
  it("reads Docker Hub's Bearer challenge", () => {
    expect(
      parseChallenge(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
      ),
    ).toEqual({
      scheme: "bearer",
      params: {
        realm: "https://auth.docker.io/token",
        service: "registry.docker.io",
        scope: "repository:library/nginx:pull",
      },
    });
  });

  it("reads Basic, unquoted values, escapes; nothing for no header", () => {
    expect(parseChallenge('Basic realm="Registry Realm"')).toEqual({
      scheme: "basic",
      params: { realm: "Registry Realm" },
    });
    expect(
      parseChallenge('Bearer realm=https://x/token, error="insufficient_scope", x="a\\"b"')?.params,
    ).toEqual({
      realm: "https://x/token",
      error: "insufficient_scope",
      x: 'a"b',
    });
    expect(parseChallenge(null)).toBeUndefined();
  });

  it("Basic authorization is base64 of user:password", () => {
    expect(basicAuthorization("a", "b:c")).toBe(`Basic ${Buffer.from("a:b:c").toString("base64")}`);
  });
});

describe("addresses", () => {
  it("plain http only for loopback registries and the insecure list", () => {
    const client = new RegistryClient({ insecureRegistries: ["registry.lan:5000"] });
    expect(client.baseUrl("127.0.0.1:5000")).toBe("http://127.0.0.1:5000");
    expect(client.baseUrl("localhost:5000")).toBe("http://localhost:5000");
    expect(client.baseUrl("registry.lan:5000")).toBe("http://registry.lan:5000");
    expect(client.baseUrl("registry.lan:5001")).toBe("https://registry.lan:5001");
    expect(client.baseUrl("127.0.0.2.example.com")).toBe("https://127.0.0.2.example.com");
    expect(client.baseUrl("ghcr.io")).toBe("https://ghcr.io");
    expect(client.baseUrl("docker.io")).toBe("https://registry-1.docker.io");
    expect(isLoopbackRegistry("[::1]:5000")).toBe(true);
    expect(isLoopbackRegistry("localhost.example.com")).toBe(false);
  });

  it("digest tags", () => {
    expect(digestTag(`sha256:${"a".repeat(64)}`)).toBe(`sha256-${"a".repeat(64)}`);
  });
});
