/**
 * A small OCI distribution client over `fetch`: just what verifying an image needs — a tag
 * resolved to a digest, manifests and blobs by digest, the referrers of a digest — and nothing
 * that writes.
 *
 * - Every body is read under a limit (manifests 4 MiB, blobs 16 MiB by default), streaming:
 *   larger is refused with `too-large` before it is buffered.
 * - Every manifest and blob is checked against its digest (the sha256 of the bytes received);
 *   a manifest fetched by tag is checked against `Docker-Content-Digest` when the registry sends it.
 * - `https://` always, except for loopback registries (`localhost`, `127.0.0.1`, `::1`) and the
 *   registries listed in `insecureRegistries`, which are spoken to over plain `http://`.
 * - Auth: anonymous first; on a 401 the `WWW-Authenticate` challenge says how — `Basic` with the
 *   Docker config's credentials, or `Bearer` through the challenge's token service (with those
 *   credentials, or anonymously). Tokens are kept per (registry, repository) for this client.
 * - Redirects (blob storage) are followed by hand, at most 5, never from https to http, and the
 *   registry's `Authorization` is not sent to another origin.
 * - Each request (headers and body) has a timeout (15 s by default).
 */
import type { ImageReference } from "../image-reference.js";
import { basicAuthorization, type Challenge, parseChallenge } from "./auth.js";
import { formatSize, readBounded } from "./bounded-body.js";
import { type CredentialLookup, dockerConfigPath, lookupCredentials } from "./docker-config.js";
import {
  type Descriptor,
  isObject,
  isSha256Digest,
  type ManifestDocument,
  parseManifest,
} from "./manifest.js";
import { MANIFEST_ACCEPT, OCI_INDEX } from "./media-types.js";
import { RegistryError } from "./registry-error.js";

export const DEFAULT_MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
export const DEFAULT_MAX_BLOB_BYTES = 16 * 1024 * 1024;
export const DEFAULT_TIMEOUT_MS = 15_000;
/** Referrers read through the API's pages or the tag index, at most. */
export const MAX_REFERRERS = 128;
const MAX_REDIRECTS = 5;
const MAX_TOKEN_BYTES = 1024 * 1024;
const MAX_REFERRER_PAGES = 8;

export interface RegistryClientOptions {
  /** The Docker config file with `auths` (default: `$DOCKER_CONFIG/config.json`, `~/.docker/config.json`). */
  readonly dockerConfig?: string;
  /** Registries (`host[:port]`) spoken to over plain HTTP besides the loopback ones. */
  readonly insecureRegistries?: readonly string[];
  readonly timeoutMs?: number;
  readonly maxManifestBytes?: number;
  readonly maxBlobBytes?: number;
}

/** A repository of a registry: `{registry: "ghcr.io", repository: "org/app"}`. */
export type Repository = Pick<ImageReference, "registry" | "repository">;

export interface FetchedManifest {
  readonly digest: string;
  readonly mediaType: string;
  readonly bytes: Buffer;
  readonly document: ManifestDocument;
}

export interface Referrers {
  /** `api`: `GET /v2/…/referrers/<digest>`; `tag`: the `sha256-<hex>` tag schema; `none`: neither has any. */
  readonly source: "api" | "tag";
  readonly descriptors: readonly Descriptor[];
  /** More referrers than `MAX_REFERRERS` were listed; the rest were not read. */
  readonly truncated: boolean;
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

function hostOf(registry: string): string {
  if (registry.startsWith("[")) return registry.slice(0, registry.indexOf("]") + 1);
  const colon = registry.lastIndexOf(":");
  return colon >= 0 ? registry.slice(0, colon) : registry;
}

export function isLoopbackRegistry(registry: string): boolean {
  return LOOPBACK.has(hostOf(registry).toLowerCase());
}

/** The `sha256-<hex>` tag of a digest (the referrers tag schema and cosign's legacy tags). */
export function digestTag(digest: string): string {
  return digest.replace(":", "-");
}

interface Sent {
  readonly response: Response;
  readonly url: string;
}

export class RegistryClient {
  readonly #dockerConfig: string;
  readonly #insecure: ReadonlySet<string>;
  readonly #timeoutMs: number;
  readonly maxManifestBytes: number;
  readonly maxBlobBytes: number;
  readonly #authorizations = new Map<string, string>();
  readonly #credentials = new Map<string, CredentialLookup>();

  constructor(options: RegistryClientOptions = {}) {
    this.#dockerConfig = options.dockerConfig ?? dockerConfigPath();
    this.#insecure = new Set((options.insecureRegistries ?? []).map((r) => r.toLowerCase()));
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxManifestBytes = options.maxManifestBytes ?? DEFAULT_MAX_MANIFEST_BYTES;
    this.maxBlobBytes = options.maxBlobBytes ?? DEFAULT_MAX_BLOB_BYTES;
  }

  /** The base URL of a registry's API: `https://ghcr.io`, `http://127.0.0.1:5000`. */
  baseUrl(registry: string): string {
    return `${this.#plainHttp(registry) ? "http" : "https"}://${registry === "docker.io" ? "registry-1.docker.io" : registry}`;
  }

  #plainHttp(registry: string): boolean {
    return isLoopbackRegistry(registry) || this.#insecure.has(registry.toLowerCase());
  }

  /**
   * The digest `reference` names: the one it pins, else the sha256 of the manifest its tag
   * names now (checked against `Docker-Content-Digest`). Never cached.
   */
  async resolveDigest(reference: ImageReference): Promise<string> {
    if (reference.digest !== undefined) return reference.digest;
    const manifest = await this.getManifest(reference, reference.tag ?? "latest");
    if (manifest === undefined) {
      throw new RegistryError(
        "not-found",
        `${reference.registry}/${reference.repository}:${reference.tag ?? "latest"}: the registry has no manifest for this tag (404); check the image name and tag`,
        reference.registry,
      );
    }
    return manifest.digest;
  }

  /**
   * The manifest at `target` (a tag or a digest), or undefined when the registry answers 404.
   * By digest, the bytes must hash to it; by tag, to `Docker-Content-Digest` when present.
   */
  async getManifest(repo: Repository, target: string): Promise<FetchedManifest | undefined> {
    const byDigest = target.includes(":");
    if (byDigest && !isSha256Digest(target)) {
      throw new RegistryError(
        "malformed",
        `${repo.registry}/${repo.repository}: the digest ${target} is not sha256:<64 hex>; Charter reads sha256 digests only`,
        repo.registry,
      );
    }
    const name = `${repo.registry}/${repo.repository}${byDigest ? "@" : ":"}${target}`;
    const { response, url } = await this.#request(
      repo,
      `/v2/${repo.repository}/manifests/${target}`,
      {
        accept: MANIFEST_ACCEPT.join(", "),
      },
    );
    if (response.status === 404) {
      await discard(response);
      return undefined;
    }
    await this.#expectOk(repo, response, url, `the manifest of ${name}`);
    const body = await this.#read(
      repo,
      response,
      url,
      this.maxManifestBytes,
      `the manifest of ${name}`,
    );
    const announced = response.headers.get("docker-content-digest");
    if (byDigest && body.sha256 !== target) {
      throw mismatch(repo.registry, `the manifest of ${name}`, target, body.sha256, url);
    }
    if (!byDigest && announced !== null && announced !== "" && announced !== body.sha256) {
      throw mismatch(repo.registry, `the manifest of ${name}`, announced, body.sha256, url);
    }
    const document = parseManifest(body.bytes, `the manifest of ${name}`, repo.registry);
    const contentType = (response.headers.get("content-type") ?? "").split(";")[0]?.trim() ?? "";
    return {
      digest: body.sha256,
      mediaType: document.mediaType ?? contentType,
      bytes: body.bytes,
      document,
    };
  }

  /** The blob `descriptor` names, checked against its digest and size, under `limit` bytes. */
  async getBlob(
    repo: Repository,
    descriptor: Descriptor,
    limit = this.maxBlobBytes,
  ): Promise<Buffer> {
    const name = `the blob ${descriptor.digest} of ${repo.registry}/${repo.repository}`;
    if (!isSha256Digest(descriptor.digest)) {
      throw new RegistryError(
        "malformed",
        `${name}: the digest is not sha256:<64 hex>; Charter reads sha256 digests only`,
        repo.registry,
      );
    }
    if (descriptor.size > limit) {
      throw new RegistryError(
        "too-large",
        `${name} is ${formatSize(descriptor.size)} by its descriptor, over the limit of ${formatSize(limit)}; it was not read`,
        repo.registry,
      );
    }
    const { response, url } = await this.#request(
      repo,
      `/v2/${repo.repository}/blobs/${descriptor.digest}`,
      {},
    );
    if (response.status === 404) {
      await discard(response);
      throw new RegistryError(
        "not-found",
        `${name} is not in the registry (404), though a manifest lists it`,
        repo.registry,
      );
    }
    await this.#expectOk(repo, response, url, name);
    const body = await this.#read(repo, response, url, limit, name);
    if (body.sha256 !== descriptor.digest) {
      throw mismatch(repo.registry, name, descriptor.digest, body.sha256, url);
    }
    if (body.bytes.length !== descriptor.size) {
      throw new RegistryError(
        "malformed",
        `${name} is ${body.bytes.length} bytes, but its descriptor says ${descriptor.size}`,
        repo.registry,
      );
    }
    return body.bytes;
  }

  /**
   * What refers to `digest`: the OCI 1.1 referrers API, or — when the registry has none (404) —
   * the index at the `sha256-<hex>` tag. Nothing either way is an empty list.
   */
  async referrers(repo: Repository, digest: string): Promise<Referrers> {
    const descriptors: Descriptor[] = [];
    let path: string | undefined = `/v2/${repo.repository}/referrers/${digest}`;
    let pages = 0;
    const what = `the referrers of ${repo.registry}/${repo.repository}@${digest}`;
    while (path !== undefined && pages < MAX_REFERRER_PAGES) {
      pages += 1;
      const { response, url } = await this.#request(repo, path, { accept: OCI_INDEX });
      if (response.status === 404 && pages === 1) {
        await discard(response);
        return this.#referrersTag(repo, digest);
      }
      await this.#expectOk(repo, response, url, what);
      const body = await this.#read(repo, response, url, this.maxManifestBytes, what);
      const document = parseManifest(body.bytes, what, repo.registry);
      descriptors.push(...document.manifests);
      path = nextLink(response.headers.get("link"), url);
      if (descriptors.length > MAX_REFERRERS) break;
    }
    return {
      source: "api",
      descriptors: descriptors.slice(0, MAX_REFERRERS),
      truncated: descriptors.length > MAX_REFERRERS || path !== undefined,
    };
  }

  async #referrersTag(repo: Repository, digest: string): Promise<Referrers> {
    const index = await this.getManifest(repo, digestTag(digest));
    const all = index?.document.manifests ?? [];
    return {
      source: "tag",
      descriptors: all.slice(0, MAX_REFERRERS),
      truncated: all.length > MAX_REFERRERS,
    };
  }

  async #expectOk(repo: Repository, response: Response, url: string, what: string): Promise<void> {
    if (response.ok) return;
    await discard(response);
    throw new RegistryError(
      "protocol",
      `${repo.registry} answered ${response.status} ${response.statusText} for ${what} (${url})`,
      repo.registry,
    );
  }

  async #read(repo: Repository, response: Response, url: string, limit: number, what: string) {
    let body: Awaited<ReturnType<typeof readBounded>>;
    try {
      body = await readBounded(response, limit);
    } catch (error) {
      throw this.#transportError(repo.registry, url, error);
    }
    if (!body.ok) {
      const size =
        body.announced !== undefined
          ? `announced as ${formatSize(body.announced)}`
          : `over ${formatSize(body.received - 1)}`;
      throw new RegistryError(
        "too-large",
        `${what} is ${size}, over the limit of ${formatSize(limit)}; it was refused unread (${url})`,
        repo.registry,
      );
    }
    return body;
  }

  /** A GET with this client's auth: anonymous or cached first, then as the 401's challenge says. */
  async #request(repo: Repository, path: string, headers: { accept?: string }): Promise<Sent> {
    const key = `${repo.registry}/${repo.repository}`;
    const url = `${this.baseUrl(repo.registry)}${path}`;
    const cached = this.#authorizations.get(key);
    const first = await this.#send(repo.registry, url, headers, cached);
    if (first.response.status !== 401) return this.#denied(repo, first);
    const challenge = parseChallenge(first.response.headers.get("www-authenticate"));
    await discard(first.response);
    const authorization = await this.#authorize(repo, challenge, url);
    this.#authorizations.set(key, authorization);
    const second = await this.#send(repo.registry, url, headers, authorization);
    if (second.response.status === 401) {
      await discard(second.response);
      throw this.#unauthorized(repo, url, "the registry refused them");
    }
    return this.#denied(repo, second);
  }

  async #denied(repo: Repository, sent: Sent): Promise<Sent> {
    if (sent.response.status !== 403) return sent;
    await discard(sent.response);
    const lookup = this.#lookup(repo.registry);
    const who =
      lookup.credentials !== undefined
        ? `the credentials from ${lookup.credentials.source} (user ${JSON.stringify(lookup.credentials.username)})`
        : "anonymous access";
    throw new RegistryError(
      "denied",
      `${repo.registry} denied ${who} to ${repo.repository} (403 Forbidden, ${sent.url}); use credentials that may pull this repository`,
      repo.registry,
    );
  }

  #lookup(registry: string): CredentialLookup {
    let lookup = this.#credentials.get(registry);
    if (lookup === undefined) {
      lookup = lookupCredentials(registry, this.#dockerConfig);
      this.#credentials.set(registry, lookup);
    }
    return lookup;
  }

  #unauthorized(repo: Repository, url: string, why: string): RegistryError {
    const lookup = this.#lookup(repo.registry);
    const tried =
      lookup.credentials !== undefined
        ? `credentials from ${lookup.credentials.source} (user ${JSON.stringify(lookup.credentials.username)}) were tried and ${why}`
        : `no credentials were tried: there is no "auths" entry for ${repo.registry} in ${lookup.file ?? this.#dockerConfig}${lookup.credsStore !== undefined ? ` (its credsStore ${JSON.stringify(lookup.credsStore)} is a credential helper Charter does not run)` : ""}`;
    return new RegistryError(
      "unauthorized",
      `${repo.registry} answered 401 Unauthorized for ${repo.repository} (${url}): ${tried}; log in (docker login writes "auths") or fix the credentials`,
      repo.registry,
    );
  }

  /** The `Authorization` a challenge asks for. */
  async #authorize(
    repo: Repository,
    challenge: Challenge | undefined,
    url: string,
  ): Promise<string> {
    const lookup = this.#lookup(repo.registry);
    const credentials = lookup.credentials;
    if (challenge?.scheme === "basic") {
      if (credentials === undefined) throw this.#unauthorized(repo, url, "");
      return basicAuthorization(credentials.username, credentials.password);
    }
    if (challenge?.scheme !== "bearer" || challenge.params.realm === undefined) {
      throw new RegistryError(
        "protocol",
        `${repo.registry} answered 401 for ${url} without a Basic or Bearer challenge Charter can answer (WWW-Authenticate: ${challenge === undefined ? "absent" : challenge.scheme})`,
        repo.registry,
      );
    }
    let realm: URL;
    try {
      realm = new URL(challenge.params.realm);
    } catch {
      throw new RegistryError(
        "protocol",
        `${repo.registry}'s token realm ${JSON.stringify(challenge.params.realm)} is not a URL`,
        repo.registry,
      );
    }
    if (
      realm.protocol !== "https:" &&
      !(realm.protocol === "http:" && this.#plainHttp(realm.host))
    ) {
      throw new RegistryError(
        "configuration",
        `${repo.registry}'s token service ${realm.href} is not https; Charter sends credentials over plain HTTP only to loopback or insecureRegistries hosts`,
        repo.registry,
      );
    }
    if (challenge.params.service !== undefined)
      realm.searchParams.set("service", challenge.params.service);
    realm.searchParams.set("scope", challenge.params.scope ?? `repository:${repo.repository}:pull`);
    const { response, url: tokenUrl } = await this.#send(
      realm.host,
      realm.href,
      { accept: "application/json" },
      credentials !== undefined
        ? basicAuthorization(credentials.username, credentials.password)
        : undefined,
    );
    if (response.status === 401 || response.status === 403) {
      await discard(response);
      throw this.#unauthorized(
        repo,
        url,
        `the token service ${realm.origin}${realm.pathname} refused them (${response.status})`,
      );
    }
    await this.#expectOk(repo, response, tokenUrl, `a token from ${realm.origin}${realm.pathname}`);
    const body = await this.#read(
      repo,
      response,
      tokenUrl,
      MAX_TOKEN_BYTES,
      `the token answer of ${realm.origin}${realm.pathname}`,
    );
    let json: unknown;
    try {
      json = JSON.parse(body.bytes.toString("utf8"));
    } catch {
      json = undefined;
    }
    const token = isObject(json) ? (json.token ?? json.access_token) : undefined;
    if (typeof token !== "string" || token === "") {
      throw new RegistryError(
        "malformed",
        `the token service ${realm.origin}${realm.pathname} of ${repo.registry} answered without a token`,
        repo.registry,
      );
    }
    return `Bearer ${token}`;
  }

  /** One GET, redirects followed by hand, with the timeout over headers and body. */
  async #send(
    registry: string,
    url: string,
    headers: { accept?: string },
    authorization: string | undefined,
  ): Promise<Sent> {
    const signal = AbortSignal.timeout(this.#timeoutMs);
    let current = new URL(url);
    const origin = current.origin;
    for (let hop = 0; ; hop += 1) {
      const sent: Record<string, string> = {};
      if (headers.accept !== undefined) sent.accept = headers.accept;
      if (authorization !== undefined && current.origin === origin)
        sent.authorization = authorization;
      let response: Response;
      try {
        response = await fetch(current, { headers: sent, redirect: "manual", signal });
      } catch (error) {
        throw this.#transportError(registry, current.href, error);
      }
      if (![301, 302, 303, 307, 308].includes(response.status))
        return { response, url: current.href };
      await discard(response);
      const location = response.headers.get("location");
      if (location === null || hop >= MAX_REDIRECTS) {
        throw new RegistryError(
          "protocol",
          `${registry} redirected ${current.href} ${location === null ? "without a Location" : `more than ${MAX_REDIRECTS} times`}`,
          registry,
        );
      }
      const next = new URL(location, current);
      if (
        next.protocol !== "https:" &&
        !(next.protocol === "http:" && current.protocol === "http:")
      ) {
        throw new RegistryError(
          "protocol",
          `${registry} redirected ${current.href} to ${next.href}; Charter follows redirects to https only (or http from http)`,
          registry,
        );
      }
      current = next;
    }
  }

  #transportError(registry: string, url: string, error: unknown): RegistryError {
    if (error instanceof RegistryError) return error;
    const name = (error as Error)?.name;
    if (name === "TimeoutError" || name === "AbortError") {
      return new RegistryError(
        "unreachable",
        `${registry} did not answer ${url} within ${this.#timeoutMs} ms; check the address and the network, or raise the timeout`,
        registry,
      );
    }
    const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
    const detail = cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
    return new RegistryError(
      "unreachable",
      `cannot reach ${registry} at ${url} (${detail}); check the registry address, that it is running, and the network`,
      registry,
    );
  }
}

function mismatch(
  registry: string,
  what: string,
  expected: string,
  got: string,
  url: string,
): RegistryError {
  return new RegistryError(
    "digest-mismatch",
    `${what}: the registry sent bytes whose digest is ${got}, not ${expected} (${url}); the content was changed or corrupted, and is not used`,
    registry,
  );
}

async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}

/** The `rel="next"` target of a `Link` header (the referrers API's pagination), as a path. */
function nextLink(link: string | null, base: string): string | undefined {
  if (link === null) return undefined;
  const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(link);
  if (match?.[1] === undefined) return undefined;
  const next = new URL(match[1], base);
  if (next.origin !== new URL(base).origin) return undefined;
  return `${next.pathname}${next.search}`;
}
