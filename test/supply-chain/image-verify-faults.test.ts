/**
 * What goes wrong between Charter and a registry (issue 16, requirement 7), each with the reason
 * a user sees. Content comes from the real go-containerregistry registry; small in-process servers
 * only inject the fault (a 401 challenge and token service in front of it, bytes changed on the
 * way, an endless body, an address that never answers).
 *
 * Read failures are `error` with nothing listed (fail closed); a signature that is missing or does
 * not verify is not an error: nothing verified, and a note says why.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pod, podWith, policy } from "@charter/dsl";
import { verifyImage } from "@charter/images";
import type { ImageRules } from "@charter/ir";
import { expectPolicy, PolicyExpectationError } from "@charter/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FaultServer, startFaultServer, streamEndless } from "./support/fault-proxy.js";
import {
  findRegistryBinary,
  pushBlob,
  pushManifest,
  type RunningRegistry,
  sha256,
  startRegistry,
} from "./support/oci-registry.js";

const SUPPLY_CHAIN = join(import.meta.dirname, "../../../shared/conformance/supply-chain");
const RIG = join(SUPPLY_CHAIN, "local-cosign-rig");
const read = (name: string) => readFileSync(join(RIG, name));
const DIGEST = read("image.digest").toString("utf8").trim();
const HEX = DIGEST.slice("sha256:".length);
const COSIGN_PUB = read("cosign.pub").toString("utf8");
const SIG_LAYER = read(
  "sig.layer.ccefa5f337276470c3f96692739fdb5b7b56450fa8cc7cf83709a8741ddaa4bd.blob",
);

const signedBy: ImageRules = {
  references: [],
  attestors: [{ name: "ci", kind: "key", publicKey: COSIGN_PUB }],
  requirements: [{ kind: "signature", name: "signed", attestors: ["ci"], count: 1 }],
};

/** A Docker config folder with `config`; its config.json path. */
function dockerConfig(config: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), "charter-docker-"));
  const file = join(dir, "config.json");
  writeFileSync(file, JSON.stringify(config));
  return file;
}
const NO_CONFIG = join(tmpdir(), "charter-no-docker-config", "config.json");

async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

describe("faults without a registry", () => {
  it("an address where nothing listens is an error naming it", async () => {
    const port = await freePort();
    const facts = await verifyImage(`127.0.0.1:${port}/demo:v1`, signedBy, {
      registry: { dockerConfig: NO_CONFIG },
    });
    expect(facts.error).toBe(
      `cannot reach 127.0.0.1:${port} at http://127.0.0.1:${port}/v2/demo/manifests/v1 (ECONNREFUSED); check the registry address, that it is running, and the network`,
    );
    expect(facts.signatures).toEqual([]);
    expect(facts.digest).toBeUndefined();
  });

  it("a registry that never answers is an error after the timeout", async () => {
    const silent = await startFaultServer(() => undefined);
    try {
      const facts = await verifyImage(`${silent.host}/demo:v1`, signedBy, {
        registry: { dockerConfig: NO_CONFIG, timeoutMs: 300 },
      });
      expect(facts.error).toBe(
        `${silent.host} did not answer http://${silent.host}/v2/demo/manifests/v1 within 300 ms; check the address and the network, or raise the timeout`,
      );
    } finally {
      await silent.close();
    }
  });

  for (const announce of [false, true]) {
    it(`an enormous manifest (${announce ? "announced by Content-Length" : "chunked, no length"}) is refused without being read`, async () => {
      const GiB = 1024 * 1024 * 1024;
      let written: Promise<number> | undefined;
      const server = await startFaultServer((_request, response) => {
        written = streamEndless(response, GiB, announce);
      });
      try {
        const facts = await verifyImage(`${server.host}/demo:v1`, signedBy, {
          registry: { dockerConfig: NO_CONFIG },
        });
        expect(facts.error).toBe(
          `the manifest of ${server.host}/demo:v1 is ${announce ? "announced as 1024 MiB" : "over 4.0 MiB"}, over the limit of 4 MiB; it was refused unread (http://${server.host}/v2/demo/manifests/v1)`,
        );
        await server.close();
        // What the server got out before the client hung up: the limit plus socket buffers, not 1 GiB.
        expect(await written).toBeLessThan(64 * 1024 * 1024);
      } finally {
        await server.close();
      }
    });
  }
});

describe("expectPolicy(…, { verifyImages }) on a hostile registry holds no expectation", () => {
  const signedByCi = policy("signed-by-ci", {
    title: "Images are signed by CI",
    severity: "high",
    category: "Supply chain",
    match: pod,
    images: { attestors: { ci: { key: COSIGN_PUB } }, require: { signed: { signedBy: ["ci"] } } },
  });
  const options = { verifyImages: { dockerConfig: NO_CONFIG } } as const;

  it("a 1 GiB manifest: neither toPass nor toFail holds, and the reason is the limit", async () => {
    const server = await startFaultServer((_request, response) => {
      void streamEndless(response, 1024 * 1024 * 1024, false);
    });
    try {
      const resource = podWith({ image: `${server.host}/demo:v1` });
      await expect(expectPolicy(signedByCi).toPass(resource, options)).rejects.toThrow(
        /rule signed could not be evaluated: .*over the limit of 4 MiB; it was refused unread/,
      );
      await expect(
        expectPolicy(signedByCi).toFail(resource, { ...options, rules: ["signed"] }),
      ).rejects.toThrow(PolicyExpectationError);
    } finally {
      await server.close();
    }
  });

  it("a 401: neither toPass nor toFail holds, and the reason says no credentials were tried", async () => {
    const server = await startFaultServer((_request, response) => {
      response.writeHead(401, { "www-authenticate": 'Basic realm="registry"' }).end();
    });
    try {
      const resource = podWith({ image: `${server.host}/demo:v1` });
      await expect(expectPolicy(signedByCi).toPass(resource, options)).rejects.toThrow(
        /rule signed could not be evaluated: .*401 Unauthorized.*no credentials were tried/,
      );
      await expect(
        expectPolicy(signedByCi).toFail(resource, { ...options, rules: ["signed"] }),
      ).rejects.toThrow(PolicyExpectationError);
    } finally {
      await server.close();
    }
  });
});

const binary = findRegistryBinary("the image-verification fault tests");

describe.skipIf(binary === undefined)("faults in front of a real registry", () => {
  let registry: RunningRegistry;
  let upstream: string;
  const servers: FaultServer[] = [];
  const serve = async (handler: Parameters<typeof startFaultServer>[0]) => {
    const server = await startFaultServer(handler, upstream);
    servers.push(server);
    return server;
  };

  beforeAll(async () => {
    registry = await startRegistry(binary as string);
    upstream = registry.host;
    await pushManifest(upstream, "demo", "v1", read("image.manifest.json"));
    await pushBlob(upstream, "demo", SIG_LAYER);
    await pushManifest(
      upstream,
      "demo",
      `sha256-${HEX}.sig`,
      read(`sha256-${HEX}.sig.manifest.json`),
    );

    // A legacy signature whose payload is not JSON (its digest is right: the registry holds it).
    const junk = Buffer.from("{not json", "utf8");
    await pushManifest(upstream, "broken", "v1", read("image.manifest.json"));
    await pushBlob(upstream, "broken", junk);
    const sig = JSON.parse(read(`sha256-${HEX}.sig.manifest.json`).toString("utf8"));
    sig.layers[0].digest = sha256(junk);
    sig.layers[0].size = junk.length;
    await pushManifest(upstream, "broken", `sha256-${HEX}.sig`, Buffer.from(JSON.stringify(sig)));
  });
  afterAll(async () => {
    for (const server of servers) await server.close();
    await registry?.stop();
  });

  it("the registry itself, with no fault, verifies the signature", async () => {
    const facts = await verifyImage(`${upstream}/demo:v1`, signedBy, {
      registry: { dockerConfig: NO_CONFIG },
    });
    expect(facts.error).toBeUndefined();
    expect(facts.signatures).toEqual([{ attestor: "ci" }]);
  });

  /** A Bearer-token front: `/token` wants Basic alice:secret; /v2 wants its token. */
  async function bearerFront(): Promise<FaultServer> {
    const front: FaultServer = await serve(async (request, response, forward) => {
      if (request.url?.startsWith("/token")) {
        const expected = `Basic ${Buffer.from("alice:secret").toString("base64")}`;
        if (request.headers.authorization !== expected) {
          response.writeHead(401).end();
          return;
        }
        response
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ token: "t0k" }));
        return;
      }
      if (request.headers.authorization !== "Bearer t0k") {
        response
          .writeHead(401, {
            "www-authenticate": `Bearer realm="http://${front.host}/token",service="fault",scope="repository:demo:pull"`,
          })
          .end();
        return;
      }
      await forward();
    });
    return front;
  }

  it("401 with no credentials: an error that says none were tried and where they were looked for", async () => {
    const front = await bearerFront();
    const facts = await verifyImage(`${front.host}/demo:v1`, signedBy, {
      registry: { dockerConfig: NO_CONFIG },
    });
    expect(facts.error).toBe(
      `${front.host} answered 401 Unauthorized for demo (http://${front.host}/v2/demo/manifests/v1): no credentials were tried: there is no "auths" entry for ${front.host} in ${NO_CONFIG}; log in (docker login writes "auths") or fix the credentials`,
    );
  });

  it("401 with wrong credentials: an error that names the credentials tried", async () => {
    const front = await bearerFront();
    const config = dockerConfig({
      auths: { [front.host]: { username: "alice", password: "wrong" } },
    });
    const facts = await verifyImage(`${front.host}/demo:v1`, signedBy, {
      registry: { dockerConfig: config },
    });
    expect(facts.error).toBe(
      `${front.host} answered 401 Unauthorized for demo (http://${front.host}/v2/demo/manifests/v1): credentials from auths["${front.host}"] in ${config} (user "alice") were tried and the token service http://${front.host}/token refused them (401); log in (docker login writes "auths") or fix the credentials`,
    );
  });

  it("Bearer with the right credentials (auth, base64): a token, then the real registry's content verifies", async () => {
    const front = await bearerFront();
    const auth = Buffer.from("alice:secret").toString("base64");
    const config = dockerConfig({ auths: { [`http://${front.host}/v2/`]: { auth } } });
    const facts = await verifyImage(`${front.host}/demo:v1`, signedBy, {
      registry: { dockerConfig: config },
    });
    expect(facts.error).toBeUndefined();
    expect(facts.signatures).toEqual([{ attestor: "ci" }]);
    expect(front.seen.filter((line) => line.startsWith("GET /token"))).toHaveLength(1);
  });

  it("Basic: the right credentials verify, anonymous is refused, a credential helper is named", async () => {
    const expected = `Basic ${Buffer.from("bob:pw").toString("base64")}`;
    const front = await serve(async (request, response, forward) => {
      if (request.headers.authorization !== expected) {
        response.writeHead(401, { "www-authenticate": 'Basic realm="fault"' }).end();
        return;
      }
      await forward();
    });
    const good = dockerConfig({ auths: { [front.host]: { username: "bob", password: "pw" } } });
    const ok = await verifyImage(`${front.host}/demo:v1`, signedBy, {
      registry: { dockerConfig: good },
    });
    expect(ok.signatures).toEqual([{ attestor: "ci" }]);

    const store = dockerConfig({ auths: {}, credsStore: "desktop" });
    const anonymous = await verifyImage(`${front.host}/demo:v1`, signedBy, {
      registry: { dockerConfig: store },
    });
    expect(anonymous.error).toMatch(
      /answered 401 Unauthorized for demo .*no credentials were tried: there is no "auths" entry for .* \(its credsStore "desktop" is a credential helper Charter does not run\)/,
    );

    const helper = dockerConfig({ credHelpers: { [front.host]: "osxkeychain" } });
    const helped = await verifyImage(`${front.host}/demo:v1`, signedBy, {
      registry: { dockerConfig: helper },
    });
    expect(helped.error).toBe(
      `the Docker config ${helper} sends ${front.host} to the credential helper "osxkeychain" (credHelpers); Charter does not run credential helpers — add an "auths" entry for ${front.host} (username and password, or auth) to a config file and point DOCKER_CONFIG at its folder`,
    );
  });

  it("403: an error that says the credentials may not pull", async () => {
    const front = await serve((_request, response) => {
      response.writeHead(403).end();
    });
    const facts = await verifyImage(`${front.host}/demo:v1`, signedBy, {
      registry: { dockerConfig: NO_CONFIG },
    });
    expect(facts.error).toBe(
      `${front.host} denied anonymous access to demo (403 Forbidden, http://${front.host}/v2/demo/manifests/v1); use credentials that may pull this repository`,
    );
  });

  it("a malformed signature payload is an error, not a missing signature", async () => {
    const facts = await verifyImage(`${upstream}/broken:v1`, signedBy, {
      registry: { dockerConfig: NO_CONFIG },
    });
    expect(facts.error).toMatch(
      new RegExp(
        `^the signature sha256-${HEX}\\.sig layer 0 of ${upstream}/broken is malformed: the simple-signing payload is not JSON`,
      ),
    );
    expect(facts.signatures).toEqual([]);
  });

  it("a signature blob whose bytes do not match its digest is an error", async () => {
    const front = await serve(async (request, _response, forward) => {
      const tamper = request.url?.includes("/blobs/") === true;
      await forward(
        tamper ? (body) => Buffer.from(body.toString("utf8").replace("5057", "5058")) : undefined,
      );
    });
    const facts = await verifyImage(`${front.host}/demo:v1`, signedBy, {
      registry: { dockerConfig: NO_CONFIG },
    });
    const layer = "sha256:ccefa5f337276470c3f96692739fdb5b7b56450fa8cc7cf83709a8741ddaa4bd";
    expect(facts.error).toMatch(
      new RegExp(
        `^the blob ${layer} of ${front.host}/demo: the registry sent bytes whose digest is sha256:[0-9a-f]{64}, not ${layer} \\(http://${front.host}/v2/demo/blobs/${layer}\\); the content was changed or corrupted, and is not used$`,
      ),
    );
    expect(facts.signatures).toEqual([]);
  });

  it("a manifest whose bytes do not match Docker-Content-Digest is an error", async () => {
    const front = await serve(async (request, _response, forward) => {
      const tamper = request.url === "/v2/demo/manifests/v1";
      await forward(tamper ? (body) => Buffer.concat([body, Buffer.from(" ")]) : undefined);
    });
    const facts = await verifyImage(`${front.host}/demo:v1`, signedBy, {
      registry: { dockerConfig: NO_CONFIG },
    });
    expect(facts.error).toMatch(
      new RegExp(
        `^the manifest of ${front.host}/demo:v1: the registry sent bytes whose digest is sha256:[0-9a-f]{64}, not ${DIGEST} `,
      ),
    );
    expect(facts.digest).toBeUndefined();
  });

  describe("keyless: cosign's public-good bundle as a referrer (cosign testdata oci-attestation.sigstore.json)", () => {
    const TESTDATA = join(SUPPLY_CHAIN, "cosign/pkg/cosign/testdata");
    const SUBJECT = "sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4";
    const TYPE = "https://cosign.sigstore.dev/attestation/v1";
    const attested = (
      subject: { exact: string } | { regex: string },
      trustedRoot: string,
    ): ImageRules => ({
      references: [],
      attestors: [
        {
          name: "dev",
          kind: "keyless",
          issuer: { exact: "https://github.com/login/oauth" },
          subject,
          trustedRoot,
        },
      ],
      requirements: [
        { kind: "attestation", name: "attested", predicateType: TYPE, attestors: ["dev"] },
      ],
    });
    const PGI_ROOT = join(TESTDATA, "trusted_root_pgi.json");
    let referrerDigest = "";

    beforeAll(async () => {
      const bundle = readFileSync(join(TESTDATA, "oci-attestation.sigstore.json"));
      const empty = Buffer.from("{}");
      await pushBlob(upstream, "keyless", empty);
      const layer = await pushBlob(upstream, "keyless", bundle);
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          artifactType: "application/vnd.dev.sigstore.bundle.v0.3+json",
          config: {
            mediaType: "application/vnd.oci.empty.v1+json",
            size: 2,
            digest: sha256(empty),
          },
          layers: [
            {
              mediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
              size: bundle.length,
              digest: layer,
            },
          ],
          subject: {
            mediaType: "application/vnd.docker.distribution.manifest.v2+json",
            size: 300,
            digest: SUBJECT,
          },
        }),
      );
      const referrer = await pushManifest(upstream, "keyless", sha256(manifest), manifest);
      referrerDigest = referrer;
      const index = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: "application/vnd.oci.image.index.v1+json",
          manifests: [
            {
              mediaType: "application/vnd.oci.image.manifest.v1+json",
              size: manifest.length,
              digest: referrer,
              artifactType: "application/vnd.dev.sigstore.bundle.v0.3+json",
            },
          ],
        }),
      );
      await pushManifest(upstream, "keyless", `sha256-${SUBJECT.slice(7)}`, index);
    });

    it("verifies for cody@soyland.com under the public-good root it was made with", async () => {
      const facts = await verifyImage(
        `${upstream}/keyless@${SUBJECT}`,
        attested({ exact: "cody@soyland.com" }, PGI_ROOT),
      );
      expect(facts.error).toBeUndefined();
      expect(facts.attestations).toEqual([
        {
          attestor: "dev",
          predicateType: TYPE,
          predicate: { Data: '{"foo": "bar"}\n', Timestamp: "2025-02-28T19:18:11Z" },
        },
      ]);
      const regex = await verifyImage(
        `${upstream}/keyless@${SUBJECT}`,
        attested({ regex: "cody@soyland\\.com" }, PGI_ROOT),
      );
      expect(regex.attestations).toHaveLength(1);
    });

    it("another SAN (exact, or a regex that matches only part of it) is a note, not an error", async () => {
      for (const subject of [{ exact: "someone@example.com" }, { regex: "cody" }]) {
        const facts = await verifyImage(
          `${upstream}/keyless@${SUBJECT}`,
          attested(subject, PGI_ROOT),
        );
        expect(facts.error).toBeUndefined();
        expect(facts.attestations).toEqual([]);
        expect(facts.notes).toEqual([
          `no attestation of ${TYPE} by keyless dev verified: referrer ${referrerDigest}: the certificate's subject "cody@soyland.com" is not ${"exact" in subject ? '"someone@example.com"' : "/cody/"}`,
        ]);
      }
    });

    it("a chain that does not lead to the attestor's trusted root is a note, not an error", async () => {
      const otherRoot = join(
        SUPPLY_CHAIN,
        "sigstore-conformance/test/assets/bundle-verify/intoto-with-custom-trust-root/trusted_root.json",
      );
      const facts = await verifyImage(
        `${upstream}/keyless@${SUBJECT}`,
        attested({ exact: "cody@soyland.com" }, otherRoot),
      );
      expect(facts.error).toBeUndefined();
      expect(facts.attestations).toEqual([]);
      expect(facts.notes).toEqual([
        `no attestation of ${TYPE} by keyless dev verified: referrer ${referrerDigest}: Failed to verify certificate chain`,
      ]);
    });

    it("a keyless attestor with no trusted root and no default is an error that says to give the file", async () => {
      const rules = attested({ exact: "cody@soyland.com" }, PGI_ROOT);
      const noRoot: ImageRules = {
        ...rules,
        attestors: [
          {
            name: "dev",
            kind: "keyless",
            issuer: { exact: "https://github.com/login/oauth" },
            subject: { exact: "cody@soyland.com" },
          },
        ],
      };
      const facts = await verifyImage(`${upstream}/keyless@${SUBJECT}`, noRoot);
      expect(facts.error).toMatch(
        /^the keyless attestor "dev" has no trustedRoot and no default trusted root was given; Charter does not fetch/,
      );
      const withDefault = await verifyImage(`${upstream}/keyless@${SUBJECT}`, noRoot, {
        trustedRoot: PGI_ROOT,
      });
      expect(withDefault.attestations).toHaveLength(1);
    });
  });
});
