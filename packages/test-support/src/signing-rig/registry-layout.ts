/**
 * What a registry holds for one image, read over the OCI distribution API: the tags of its
 * repository, its referrers (the referrers API where the registry has one, else the referrers tag
 * `sha256-<hex>`), and what the legacy `.sig`/`.att` tags carry. Digests that change from run to
 * run (signatures are randomised) are left out; the image's own digest is written `<image>`, so the
 * layout of one run reads the same as another's.
 */
import type { RunningRegistry } from "./registry-process.js";

const MANIFEST_TYPES = [
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly artifactType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

interface Manifest {
  readonly mediaType?: string;
  readonly artifactType?: string;
  readonly config?: Descriptor;
  readonly layers?: readonly Descriptor[];
  readonly manifests?: readonly Descriptor[];
  readonly subject?: Descriptor;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** One artifact that refers to the image, as a reader of the registry finds it. */
export interface ReferrerSummary {
  /** The artifact type as the listing (referrers API or tag index) states it. */
  readonly listedArtifactType?: string;
  /** The artifact manifest's own `artifactType`. */
  readonly artifactType?: string;
  readonly layerMediaTypes: readonly string[];
  /** cosign's `dev.sigstore.bundle.predicateType` annotation. */
  readonly predicateType?: string;
  /** Whether the artifact's `subject` is the image. */
  readonly subjectIsImage: boolean;
}

/** One legacy tag (`.sig` or `.att`): its layers' media types and annotation names. */
export interface LegacyTagSummary {
  readonly layers: readonly {
    readonly mediaType: string;
    readonly annotations: readonly string[];
    readonly predicateType?: string;
  }[];
}

export interface RegistryLayout {
  /** The repository's tags, the image's digest hex written `<image>`, sorted. */
  readonly tags: readonly string[];
  /** GET /v2/<repo>/referrers/<digest>: the referrers, or "no referrers API" (404). */
  readonly referrersApi: readonly ReferrerSummary[] | "no referrers API";
  /** The referrers tag `sha256-<hex>` (an OCI index), when there is one. */
  readonly referrersTag?: readonly ReferrerSummary[];
  /** The legacy signature tag `sha256-<hex>.sig`, when there is one. */
  readonly sigTag?: LegacyTagSummary;
  /** The legacy attestation tag `sha256-<hex>.att`, when there is one. */
  readonly attTag?: LegacyTagSummary;
}

async function getJson<T>(url: string, accept?: string): Promise<{ status: number; body?: T }> {
  const response = await fetch(url, accept ? { headers: { accept } } : {});
  const text = await response.text();
  return response.status === 200
    ? { status: 200, body: JSON.parse(text) as T }
    : { status: response.status };
}

/** The layout of `repository` (`<host>/<path>`) around the image `digest` on `registry`. */
export async function registryLayout(
  registry: RunningRegistry,
  repository: string,
  digest: string,
): Promise<RegistryLayout> {
  const path = repository.slice(repository.indexOf("/") + 1);
  const base = `${registry.url}/v2/${path}`;
  const hex = digest.replace(/^sha256:/, "");
  const manifest = async (reference: string): Promise<Manifest | undefined> =>
    (await getJson<Manifest>(`${base}/manifests/${reference}`, MANIFEST_TYPES)).body;
  const summarise = async (listed: Descriptor): Promise<ReferrerSummary> => {
    const artifact = await manifest(listed.digest);
    if (artifact === undefined)
      throw new Error(`${repository}: referrer ${listed.digest} is not there`);
    const predicateType = artifact.annotations?.["dev.sigstore.bundle.predicateType"];
    return {
      ...(listed.artifactType === undefined ? {} : { listedArtifactType: listed.artifactType }),
      ...(artifact.artifactType === undefined ? {} : { artifactType: artifact.artifactType }),
      layerMediaTypes: (artifact.layers ?? []).map((l) => l.mediaType),
      ...(predicateType === undefined ? {} : { predicateType }),
      subjectIsImage: artifact.subject?.digest === digest,
    };
  };
  const byPredicate = (a: ReferrerSummary, b: ReferrerSummary): number =>
    (a.predicateType ?? "").localeCompare(b.predicateType ?? "");
  const legacy = async (tag: string): Promise<LegacyTagSummary | undefined> => {
    const found = await manifest(tag);
    if (found === undefined) return undefined;
    return {
      layers: (found.layers ?? []).map((layer) => ({
        mediaType: layer.mediaType,
        annotations: Object.keys(layer.annotations ?? {}).sort(),
        ...(layer.annotations?.predicateType === undefined
          ? {}
          : { predicateType: layer.annotations.predicateType }),
      })),
    };
  };

  const tags = (await getJson<{ tags?: string[] }>(`${base}/tags/list`)).body?.tags ?? [];
  const referrers = await getJson<Manifest>(`${base}/referrers/${digest}`, MANIFEST_TYPES[1]);
  const referrersApi =
    referrers.status === 404
      ? ("no referrers API" as const)
      : (await Promise.all((referrers.body?.manifests ?? []).map(summarise))).sort(byPredicate);
  const tagIndex = await manifest(`sha256-${hex}`);
  const sigTag = await legacy(`sha256-${hex}.sig`);
  const attTag = await legacy(`sha256-${hex}.att`);
  return {
    tags: tags.map((t) => t.replace(hex, "<image>")).sort(),
    referrersApi,
    ...(tagIndex === undefined
      ? {}
      : {
          referrersTag: (await Promise.all((tagIndex.manifests ?? []).map(summarise))).sort(
            byPredicate,
          ),
        }),
    ...(sigTag === undefined ? {} : { sigTag }),
    ...(attTag === undefined ? {} : { attTag }),
  };
}
