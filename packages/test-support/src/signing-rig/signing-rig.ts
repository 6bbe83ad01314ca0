/**
 * The signing rig: real registries on 127.0.0.1, tiny images pushed with crane, signed and
 * attested with the real cosign v3.1.3 and throwaway keys — the standard set of test images
 * (standard-images.ts) for each (signature format × registry kind) asked for.
 *
 * One rig per test file, made in `beforeAll` and disposed in `afterAll`:
 *
 *   const rig = await signingRigForTests("the Kyverno image tests");   // undefined: skipped
 *   const image = rig.image("bundle", "referrers", "vuln-critical");
 *   image.digestRef, image.tagRef, rig.keys.trusted.publicKeyPem, image.expected.trusted.verify
 *   await rig.dispose();
 *
 * Each image is built by one chain of commands (push, sign, attest, re-tag) and never touched by
 * two at once: cosign updates the `.sig`/`.att` tags and the referrers tag index by reading and
 * rewriting them, so two cosign runs on one image at the same time could lose one signature.
 * Different images are built a few at a time.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  attestArgs,
  SIGNATURE_FORMATS,
  type SignatureFormat,
  signArgs,
} from "./cosign-commands.js";
import { rigToolEnv } from "./cosign-env.js";
import { type CosignKeyPair, generateKeyPair, KEY_NAMES, type KeyName } from "./cosign-keys.js";
import { type GateName, writeGatePolicies } from "./cosign-policies.js";
import {
  type AttestationType,
  PREDICATE_TYPES,
  slsaPredicate,
  vulnPredicate,
} from "./predicates.js";
import {
  REGISTRY_KINDS,
  type RegistryKind,
  type RunningRegistry,
  startRegistry,
} from "./registry-process.js";
import { inBatches, mustRun, runTool, type ToolRun } from "./run-tool.js";
import { type SigningTools, signingToolsForTests } from "./signing-tools.js";
import {
  type CosignOutcomes,
  expectedOutcomes,
  type ImageCase,
  type ImagePlan,
  type PlannedAttestation,
  STANDARD_IMAGES,
} from "./standard-images.js";
import { pushTinyImage } from "./tiny-images.js";

export interface RigAttestation {
  readonly type: AttestationType;
  /** The statement's predicateType, as cosign writes it for `--type`. */
  readonly predicateType: string;
  /** Which predicate (predicates.ts): clean, critical, expired; trusted-builder, other-builder. */
  readonly predicate: PlannedAttestation["predicate"];
  /** The file that was attested (the predicate's JSON). */
  readonly predicateFile: string;
  readonly signedBy: KeyName;
}

export interface RigImage {
  readonly case: ImageCase;
  readonly description: string;
  readonly format: SignatureFormat;
  readonly registry: RegistryKind;
  /** `127.0.0.1:<port>/rig/<format>/<case>` */
  readonly repository: string;
  /** `<repository>:v1` */
  readonly tagRef: string;
  /** `<repository>@<digest>`: what tagRef resolves to. */
  readonly digestRef: string;
  /** `sha256:<hex>` of the image tagRef resolves to. */
  readonly digest: string;
  /** Who signed this digest with `cosign sign` (undefined: nobody). */
  readonly signedBy?: KeyName;
  /** The attestations on this digest. */
  readonly attestations: readonly RigAttestation[];
  /**
   * `retagged` only: the digest that was signed before the tag moved (still signed by the trusted
   * key, and no longer what tagRef resolves to), and its reference.
   */
  readonly signedBeforeRetag?: {
    readonly digest: string;
    readonly digestRef: string;
    readonly signedBy: KeyName;
  };
  /** What cosign itself says about `digestRef` (and so `tagRef`) with each key. */
  readonly expected: Readonly<Record<KeyName, CosignOutcomes>>;
}

export interface SigningRigOptions {
  readonly formats?: readonly SignatureFormat[];
  readonly registries?: readonly RegistryKind[];
  /** Which of the standard images (default: all). */
  readonly cases?: readonly ImageCase[];
  /** How many images are built at once (default 3). */
  readonly concurrency?: number;
  /** The rig's clock: the scan time of the clean and critical vuln predicates (default: now). */
  readonly now?: Date;
}

export interface SigningRig {
  /** The rig's folder (keys, predicates, logs, the tools' home); removed by dispose. */
  readonly dir: string;
  readonly tools: SigningTools;
  /** The environment every cosign and crane run of the rig gets (cosign-env.ts). */
  readonly env: NodeJS.ProcessEnv;
  readonly registries: Readonly<Partial<Record<RegistryKind, RunningRegistry>>>;
  readonly keys: Readonly<Record<KeyName, CosignKeyPair>>;
  readonly images: readonly RigImage[];
  /** The `.rego` file of each gate (cosign-policies.ts), for `cosign verify-attestation --policy`. */
  readonly gatePolicies: Readonly<Record<GateName, string>>;
  /** How long making the rig took, in milliseconds (for a summary line; never asserted). */
  readonly setupMs: number;
  /** One image; throws when the rig did not build it. */
  image(format: SignatureFormat, registry: RegistryKind, imageCase: ImageCase): RigImage;
  /** Runs the rig's cosign with the rig's environment. */
  cosign(args: readonly string[]): Promise<ToolRun>;
  /** Runs the rig's crane with the rig's environment. */
  crane(args: readonly string[]): Promise<ToolRun>;
  /** Stops the registries and removes the folder. */
  dispose(): Promise<void>;
}

export async function createSigningRig(
  tools: SigningTools,
  options: SigningRigOptions = {},
): Promise<SigningRig> {
  const startedAt = performance.now();
  const formats = options.formats ?? SIGNATURE_FORMATS;
  const registryKinds = options.registries ?? REGISTRY_KINDS;
  const plans = STANDARD_IMAGES.filter((p) => options.cases?.includes(p.case) ?? true);
  const now = options.now ?? new Date();
  const dir = mkdtempSync(join(tmpdir(), "charter-signing-rig-"));
  const env = rigToolEnv(dir);
  const registries: Partial<Record<RegistryKind, RunningRegistry>> = {};
  const dispose = async (): Promise<void> => {
    await Promise.all(Object.values(registries).map((r) => r?.stop()));
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    // Settled, not raced: a registry that started while a key failed is still stopped by dispose.
    const keyPairs = KEY_NAMES.map((name) => generateKeyPair(tools.cosign, dir, name, env));
    const started = registryKinds.map(async (kind) => {
      registries[kind] = await startRegistry({
        kind,
        binary: kind === "plain" ? tools.registry : tools["referrers-registry"],
        logFile: join(dir, `registry-${kind}.log`),
      });
    });
    const settled = await Promise.allSettled([...keyPairs, ...started]);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed) throw failed.reason;
    const keys = Object.fromEntries(
      (await Promise.all(keyPairs)).map((k) => [k.name, k]),
    ) as Record<KeyName, CosignKeyPair>;
    const predicateFiles = writePredicates(dir, now);
    const gatePolicies = writeGatePolicies(dir);

    const builds = registryKinds.flatMap((kind) =>
      formats.flatMap((format) =>
        plans.map((plan) => () => {
          const registry = registries[kind];
          if (registry === undefined) throw new Error(`no ${kind} registry`);
          return buildImage({ tools, env, dir, keys, predicateFiles, registry, format, plan });
        }),
      ),
    );
    const images = await inBatches(options.concurrency ?? 3, builds);
    const setupMs = performance.now() - startedAt;

    return {
      dir,
      tools,
      env,
      registries,
      keys,
      images,
      gatePolicies,
      setupMs,
      image(format, registry, imageCase) {
        const found = images.find(
          (i) => i.format === format && i.registry === registry && i.case === imageCase,
        );
        if (!found)
          throw new Error(
            `the rig has no ${format} ${imageCase} image on the ${registry} registry`,
          );
        return found;
      },
      cosign: (args) => runTool(tools.cosign, args, { env, cwd: dir }),
      crane: (args) => runTool(tools.crane, args, { env, cwd: dir }),
      dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/**
 * For test files: a rig on the installed tools, or undefined after a loud warning when they are
 * missing (an error under CI=true, so a CI run never passes by skipping).
 */
export async function signingRigForTests(
  what: string,
  options: SigningRigOptions = {},
): Promise<SigningRig | undefined> {
  const tools = signingToolsForTests(what);
  return tools === undefined ? undefined : createSigningRig(tools, options);
}

type PredicateFiles = Readonly<Record<PlannedAttestation["predicate"], string>>;

function writePredicates(dir: string, now: Date): PredicateFiles {
  const write = (name: string, value: unknown): string => {
    const file = join(dir, `predicate-${name}.json`);
    writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
    return file;
  };
  return {
    clean: write("vuln-clean", vulnPredicate("clean", now)),
    critical: write("vuln-critical", vulnPredicate("critical", now)),
    expired: write("vuln-expired", vulnPredicate("expired", now)),
    "trusted-builder": write("slsa-trusted-builder", slsaPredicate("trusted-builder")),
    "other-builder": write("slsa-other-builder", slsaPredicate("other-builder")),
  };
}

interface BuildImageInput {
  readonly tools: SigningTools;
  readonly env: NodeJS.ProcessEnv;
  readonly dir: string;
  readonly keys: Readonly<Record<KeyName, CosignKeyPair>>;
  readonly predicateFiles: PredicateFiles;
  readonly registry: RunningRegistry;
  readonly format: SignatureFormat;
  readonly plan: ImagePlan;
}

/** Push, sign, attest, and for `retagged` push an unsigned image over the tag: one chain. */
async function buildImage(input: BuildImageInput): Promise<RigImage> {
  const { tools, env, dir, keys, predicateFiles, registry, format, plan } = input;
  const repository = `${registry.host}/rig/${format}/${plan.case}`;
  const tagRef = `${repository}:v1`;
  const cosign = (args: string[]) => mustRun(tools.cosign, args, { env, cwd: dir });
  const pushed = await pushTinyImage(
    tools.crane,
    tagRef,
    `charter signing rig: ${format} ${plan.case} on ${registry.kind}`,
    dir,
    env,
  );
  if (plan.signedBy !== undefined) {
    await cosign(signArgs(format, keys[plan.signedBy].privateKeyPath, pushed.digestRef));
  }
  const attestations: RigAttestation[] = [];
  for (const planned of plan.attestations) {
    const predicateFile = predicateFiles[planned.predicate];
    await cosign(
      attestArgs(
        format,
        keys[planned.signedBy].privateKeyPath,
        planned.type,
        predicateFile,
        pushed.digestRef,
      ),
    );
    attestations.push({
      type: planned.type,
      predicateType: PREDICATE_TYPES[planned.type],
      predicate: planned.predicate,
      predicateFile,
      signedBy: planned.signedBy,
    });
  }
  const expected = {
    trusted: expectedOutcomes(plan, format, "trusted"),
    other: expectedOutcomes(plan, format, "other"),
  };
  const common = {
    case: plan.case,
    description: plan.description,
    format,
    registry: registry.kind,
    repository,
    tagRef,
    expected,
  };
  if (plan.retagged) {
    const moved = await pushTinyImage(
      tools.crane,
      tagRef,
      `charter signing rig: ${format} ${plan.case} on ${registry.kind}, pushed over the tag after signing`,
      dir,
      env,
    );
    return {
      ...common,
      digestRef: moved.digestRef,
      digest: moved.digest,
      attestations: [],
      signedBeforeRetag: {
        digest: pushed.digest,
        digestRef: pushed.digestRef,
        signedBy: plan.signedBy ?? "trusted",
      },
    };
  }
  return {
    ...common,
    digestRef: pushed.digestRef,
    digest: pushed.digest,
    ...(plan.signedBy === undefined ? {} : { signedBy: plan.signedBy }),
    attestations,
  };
}
