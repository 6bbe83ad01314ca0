/**
 * Image references as the container runtime reads them (github.com/distribution/reference):
 * `[registry/]path[:tag][@digest]`. The first path component is a registry when it contains a
 * `.` or a `:` or is `localhost`; otherwise the image is on Docker Hub (`docker.io`), where a
 * one-component path is an official image (`library/…`). A reference with neither tag nor
 * digest means `:latest`.
 */

export interface ImageReference {
  /** As written in the pod spec. */
  readonly written: string;
  /** `docker.io`, `ghcr.io`, `127.0.0.1:5000`… (`index.docker.io` is `docker.io`). */
  readonly registry: string;
  /** The repository path within the registry: `library/nginx`, `org/app`. */
  readonly repository: string;
  /** Absent when the reference pins only a digest. */
  readonly tag?: string;
  /** `sha256:<hex>`, when the reference pins one. */
  readonly digest?: string;
}

export type ParsedImageReference =
  | { readonly ok: true; readonly reference: ImageReference }
  | { readonly ok: false; readonly reason: string };

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
/** distribution/reference: a name is at most 255 characters, registry included. */
const MAX_NAME_LENGTH = 255;

export const DOCKER_HUB = "docker.io";

/** Parses `written`; the reason says what a user should fix. */
export function parseImageReference(written: string): ParsedImageReference {
  const fail = (why: string): ParsedImageReference => ({
    ok: false,
    reason: `image reference ${JSON.stringify(written)} is not valid: ${why}`,
  });
  if (written === "") return fail("it is empty");
  let rest = written;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return fail("the digest is not sha256:<64 lower-case hex digits>");
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf("/");
  const colon = rest.indexOf(":", lastSlash + 1);
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return fail(`the tag ${JSON.stringify(tag)} is not a valid tag`);
  }
  if (rest.length > MAX_NAME_LENGTH) return fail(`the name is over ${MAX_NAME_LENGTH} characters`);
  const components = rest.split("/");
  let registry = DOCKER_HUB;
  const first = components[0] ?? "";
  if (
    components.length > 1 &&
    (first.includes(".") || first.includes(":") || first === "localhost")
  ) {
    const [host = "", port, ...extra] = first.split(":");
    if (extra.length > 0 || (port !== undefined && !/^\d+$/.test(port))) {
      return fail(`the registry ${JSON.stringify(first)} is not host[:port]`);
    }
    if (!host.split(".").every((label) => DOMAIN_COMPONENT.test(label))) {
      return fail(`the registry ${JSON.stringify(first)} is not a valid host name`);
    }
    registry = first === "index.docker.io" ? DOCKER_HUB : first;
    components.shift();
  }
  for (const component of components) {
    if (!COMPONENT.test(component)) {
      return fail(
        `the path component ${JSON.stringify(component)} must be lower-case letters and digits, separated by ".", "_", "__" or "-"`,
      );
    }
  }
  if (registry === DOCKER_HUB && components.length === 1) components.unshift("library");
  const repository = components.join("/");
  return {
    ok: true,
    reference: {
      written,
      registry,
      repository,
      ...(tag !== undefined || digest === undefined ? { tag: tag ?? "latest" } : {}),
      ...(digest !== undefined ? { digest } : {}),
    },
  };
}

/** The host to call for `registry`: Docker Hub's API lives at `registry-1.docker.io`. */
export function registryHost(registry: string): string {
  return registry === DOCKER_HUB ? "registry-1.docker.io" : registry;
}

/** The canonical form: `docker.io/library/nginx:1.27`, `ghcr.io/org/app@sha256:…`. */
export function canonicalReference(reference: ImageReference): string {
  const name = `${reference.registry}/${reference.repository}`;
  const tag = reference.tag !== undefined ? `:${reference.tag}` : "";
  const digest = reference.digest !== undefined ? `@${reference.digest}` : "";
  return `${name}${tag}${digest}`;
}

/** Whether two references name the same repository (registry and path, canonically). */
export function sameRepository(a: ImageReference, b: ImageReference): boolean {
  return a.registry === b.registry && a.repository === b.repository;
}
