/**
 * The parts of OCI / Docker manifests and indexes Charter reads, checked as they are read: a
 * document that is not the shape it must be is `malformed`, never half-read.
 */
import { RegistryError } from "./registry-error.js";

const SHA256_DIGEST = /^sha256:[0-9a-f]{64}$/;

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly artifactType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** An image manifest (layers) or an index (manifests); `artifactType`, `subject` from OCI 1.1. */
export interface ManifestDocument {
  readonly mediaType?: string;
  readonly artifactType?: string;
  readonly config?: Descriptor;
  readonly layers: readonly Descriptor[];
  readonly manifests: readonly Descriptor[];
  readonly subject?: Descriptor;
  readonly annotations?: Readonly<Record<string, string>>;
}

export function isSha256Digest(digest: string): boolean {
  return SHA256_DIGEST.test(digest);
}

/** Parses `bytes` as a manifest or index; `what` and `registry` are for the error. */
export function parseManifest(bytes: Buffer, what: string, registry: string): ManifestDocument {
  const malformed = (why: string) =>
    new RegistryError("malformed", `${what} is not a valid manifest: ${why}`, registry);
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    throw malformed(`not JSON (${(error as Error).message})`);
  }
  if (!isObject(json)) throw malformed("not a JSON object");
  if (json.schemaVersion !== 2)
    throw malformed(`schemaVersion is ${JSON.stringify(json.schemaVersion)}, not 2`);
  const field = (name: string): readonly Descriptor[] => {
    const value = json[name];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw malformed(`"${name}" is not a list`);
    return value.map((item, index) => descriptor(item, `${name}[${index}]`, malformed));
  };
  const optionalString = (name: string): string | undefined => {
    const value = json[name];
    if (value === undefined) return undefined;
    if (typeof value !== "string") throw malformed(`"${name}" is not a string`);
    return value;
  };
  const mediaType = optionalString("mediaType");
  const artifactType = optionalString("artifactType");
  const annotations = stringMap(json.annotations, "annotations", malformed);
  return {
    ...(mediaType !== undefined ? { mediaType } : {}),
    ...(artifactType !== undefined ? { artifactType } : {}),
    ...(json.config !== undefined ? { config: descriptor(json.config, "config", malformed) } : {}),
    layers: field("layers"),
    manifests: field("manifests"),
    ...(json.subject !== undefined
      ? { subject: descriptor(json.subject, "subject", malformed) }
      : {}),
    ...(annotations !== undefined ? { annotations } : {}),
  };
}

function descriptor(value: unknown, where: string, malformed: (why: string) => Error): Descriptor {
  if (!isObject(value)) throw malformed(`${where} is not an object`);
  const { mediaType, digest, size, artifactType } = value;
  if (typeof mediaType !== "string") throw malformed(`${where}.mediaType is not a string`);
  if (
    typeof digest !== "string" ||
    !/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(digest)
  ) {
    throw malformed(`${where}.digest is not a digest`);
  }
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) {
    throw malformed(`${where}.size is not a non-negative integer`);
  }
  if (artifactType !== undefined && typeof artifactType !== "string") {
    throw malformed(`${where}.artifactType is not a string`);
  }
  const annotations = stringMap(value.annotations, `${where}.annotations`, malformed);
  return {
    mediaType,
    digest,
    size,
    ...(artifactType !== undefined ? { artifactType } : {}),
    ...(annotations !== undefined ? { annotations } : {}),
  };
}

function stringMap(
  value: unknown,
  where: string,
  malformed: (why: string) => Error,
): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw malformed(`${where} is not an object`);
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== "string")
      throw malformed(`${where}[${JSON.stringify(key)}] is not a string`);
    out[key] = item;
  }
  return out;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
