import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dockerConfigPath, lookupCredentials } from "./docker-config.js";

function config(content: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), "charter-docker-config-")), "config.json");
  writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
  return file;
}

describe("Docker config credentials", () => {
  it("DOCKER_CONFIG names the folder; otherwise ~/.docker", () => {
    expect(dockerConfigPath({ DOCKER_CONFIG: "/etc/docker-ci" })).toBe(
      "/etc/docker-ci/config.json",
    );
    expect(dockerConfigPath({})).toMatch(/\.docker\/config\.json$/);
  });

  it("reads auth (base64 user:password, the password may hold colons) and username/password", () => {
    const file = config({
      auths: {
        "ghcr.io": { auth: Buffer.from("me:pa:ss").toString("base64") },
        "https://registry.example.com/v1/": { username: "u", password: "p" },
      },
    });
    expect(lookupCredentials("ghcr.io", file).credentials).toEqual({
      username: "me",
      password: "pa:ss",
      source: `auths["ghcr.io"] in ${file}`,
    });
    expect(lookupCredentials("registry.example.com", file).credentials?.username).toBe("u");
    expect(lookupCredentials("quay.io", file).credentials).toBeUndefined();
  });

  it("docker.io is found under Docker Hub's other names", () => {
    const file = config({
      auths: { "https://index.docker.io/v1/": { username: "hub", password: "x" } },
    });
    expect(lookupCredentials("docker.io", file).credentials?.username).toBe("hub");
  });

  it("no file is anonymous; a file that is not JSON is an error", () => {
    expect(lookupCredentials("ghcr.io", join(tmpdir(), "charter-none", "config.json"))).toEqual({});
    const broken = config("{nope");
    expect(() => lookupCredentials("ghcr.io", broken)).toThrow(
      `the Docker config ${broken} is not JSON`,
    );
  });

  it("a credential helper for the registry is an error that says to use auths; credsStore is remembered", () => {
    const helpers = config({ credHelpers: { "123.dkr.ecr.us-east-1.amazonaws.com": "ecr-login" } });
    expect(() => lookupCredentials("123.dkr.ecr.us-east-1.amazonaws.com", helpers)).toThrow(
      /credential helper "ecr-login" \(credHelpers\); Charter does not run credential helpers — add an "auths" entry/,
    );
    expect(lookupCredentials("ghcr.io", helpers).credentials).toBeUndefined();
    const store = config({ auths: { "ghcr.io": {} }, credsStore: "desktop" });
    expect(lookupCredentials("ghcr.io", store)).toEqual({ file: store, credsStore: "desktop" });
  });

  it("an identity token alone, or an auth without a colon, is an error with the entry", () => {
    const token = config({ auths: { "acr.example.io": { identitytoken: "t" } } });
    expect(() => lookupCredentials("acr.example.io", token)).toThrow(
      /holds only an identity token/,
    );
    const bad = config({
      auths: { "ghcr.io": { auth: Buffer.from("nocolon").toString("base64") } },
    });
    expect(() => lookupCredentials("ghcr.io", bad)).toThrow(
      /"auth" is not base64 of user:password/,
    );
  });
});
