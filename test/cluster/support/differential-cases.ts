/**
 * The generated requests the cluster differentials send (vap-admission, webhook-admission):
 * objects the server's own validation accepts, named by index and placed in the differential
 * namespaces round-robin (every 7th object in a namespace is a `node-agent`, which an exception
 * of test/fixtures/exceptions-project names), plus Pods to which ephemeral containers are added
 * through `pods/ephemeralcontainers`, as `kubectl debug` adds them. A fixed seed and a printed
 * random one (replay: CHARTER_CLUSTER_SEED).
 */
import type { JsonObject } from "@charter/ir";
import {
  DIFFERENTIAL_NAMESPACES,
  ephemeralContainer,
  podTemplate,
  serverValidResource,
} from "@charter/test-support/server-valid-resources";
import fc from "fast-check";
import { isNamespaced } from "./api-requests.js";

export const FIXED_SEED = 20261207;

export interface DifferentialCounts {
  /** Objects from the fixed seed. */
  readonly fixed: number;
  /** Objects from the random seed. */
  readonly random: number;
  /** Pods given ephemeral containers. */
  readonly ephemeral: number;
}

export interface Case {
  /** What is judged: the object as created, or the Pod with its ephemeral containers added. */
  readonly judged: JsonObject;
  /** Absent: created with dryRun. Present: a stored Pod, patched with ephemeral containers. */
  readonly ephemeral?: { readonly pod: JsonObject; readonly containers: JsonObject[] };
}

/** The cases: generated objects named by index, placed in the namespaces round-robin. */
export function generateCases(label: string, counts: DifferentialCounts): Case[] {
  const seed = Math.floor(Math.random() * 2 ** 31);
  console.log(
    `${label}: seed ${FIXED_SEED} × ${counts.fixed}, random seed ${seed} × ${counts.random} (replay: CHARTER_CLUSTER_SEED=${seed})`,
  );
  const objects = [
    ...fc.sample(serverValidResource, { seed: FIXED_SEED, numRuns: counts.fixed }),
    ...fc.sample(serverValidResource, {
      seed: Number(process.env.CHARTER_CLUSTER_SEED ?? seed),
      numRuns: counts.random,
    }),
  ];
  const place = (object: JsonObject, index: number, prefix = "r"): JsonObject => {
    const namespace = DIFFERENTIAL_NAMESPACES[index % DIFFERENTIAL_NAMESPACES.length]?.name;
    const metadata = (object.metadata as JsonObject | undefined) ?? {};
    // Every 7th object in `monitoring` is a node agent: an exception of the fixture names them.
    const name = `${index % 7 === 4 ? "node-agent" : prefix}-${index}`;
    return {
      ...object,
      metadata: {
        ...metadata,
        name,
        ...(isNamespaced(String(object.kind)) ? { namespace } : {}),
      },
    };
  };
  const cases: Case[] = objects.map((object, index) => ({ judged: place(object, index) }));
  const ephemeral = fc.sample(
    fc.tuple(podTemplate, fc.array(ephemeralContainer, { minLength: 1, maxLength: 1 })),
    { seed: FIXED_SEED + 1, numRuns: counts.ephemeral },
  );
  ephemeral.forEach(([template, containers], i) => {
    const index = objects.length + i;
    const pod = place({ apiVersion: "v1", kind: "Pod", ...template }, index, "debugged");
    const named = containers.map((c, j) => ({ ...c, name: `debugger-${j}` }));
    const spec = { ...(pod.spec as JsonObject), ephemeralContainers: named };
    cases.push({ judged: { ...pod, spec }, ephemeral: { pod, containers: named } });
  });
  return cases;
}
