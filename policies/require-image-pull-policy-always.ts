/**
 * A container whose image is not pinned by digest pulls it every time it starts
 * (`imagePullPolicy: Always`): the registry then checks the node's credentials for each pod,
 * and a node does not run a stale or planted local copy of a mutable tag. Decisions:
 * - an image with a digest (`@…`) is immutable and may use any policy;
 * - an unset `imagePullPolicy` counts as what the API server defaults it to before admission:
 *   `Always` when the tag is `latest` or missing, `IfNotPresent` otherwise. So the same
 *   manifest gets the same verdict offline and at admission (`disallow-latest-tag` refuses
 *   those tags anyway);
 * - all three container lists are checked, ephemeral debug containers included.
 */
import { fromYaml, pod, policy, when } from "@charter/dsl";
import { asJob, asPod, asStatefulSet, container } from "./support/workloads.js";

const DIGEST = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

function pulling(name: string, imagePullPolicy: string, image?: string) {
  return { ...container(name, undefined, image), imagePullPolicy };
}

export default policy("require-image-pull-policy-always", {
  title: "Images referenced by a mutable tag are pulled every time",
  description:
    "With `IfNotPresent` or `Never`, a node starts whatever copy of a tag it already has: an " +
    "old build, or one planted on the node, and without asking the registry whether the pod " +
    "may pull it at all. Every container, init container and ephemeral container whose image " +
    "is not pinned by digest must use `imagePullPolicy: Always`. When the field is unset it " +
    "counts as Kubernetes' default (`Always` only for `latest` or no tag).",
  severity: "low",
  category: "Runtime hardening",
  controls: ["area:runtime-hardening"],
  match: pod,
  rules: {
    pullAlways: {
      fail: when`
        any c in pod.containers:
          not (c.image contains "@")
          and not (c.imagePullPolicy == "Always")
          and not (
            not exists(c.imagePullPolicy)
            and (c.image endsWith ":latest" or not (c.image matches ":[^/]+$")))`,
      message:
        "container {{c.name}} uses image {{c.image}} by a mutable tag without " +
        "imagePullPolicy: Always; set imagePullPolicy: Always or pin the image by digest",
      remediation:
        "Set `imagePullPolicy: Always` on the container, or reference the image by digest " +
        "(`name@sha256:…`), which cannot change under the node.",
    },
  },
  cases: {
    pass: [
      fromYaml("cases/require-image-pull-policy-always/pass-deployment-always.yaml"),
      {
        name: "Pod pinned by digest with IfNotPresent",
        resource: asPod("api-7d9f", {
          containers: [pulling("api", "IfNotPresent", `registry.example.com/todo/api@${DIGEST}`)],
          ephemeralContainers: [pulling("debugger", "Always")],
        }),
      },
      {
        name: "Job by the latest tag with the field unset (defaults to Always)",
        resource: asJob("migrate", {
          containers: [container("migrate", undefined, "registry.example.com/todo/api:latest")],
        }),
      },
      {
        name: "StatefulSet with no tag and the field unset (defaults to Always)",
        resource: asStatefulSet("db", {
          containers: [container("db", undefined, "registry.example.com:5000/library/postgres")],
        }),
      },
    ],
    fail: [
      fromYaml("cases/require-image-pull-policy-always/fail-cronjob-if-not-present.yaml", {
        rules: ["pullAlways"],
      }),
      {
        name: "Pod with a version tag and the field unset (defaults to IfNotPresent)",
        resource: asPod("api", { containers: [container("api")] }),
        rules: ["pullAlways"],
      },
      {
        name: "Pod whose ephemeral container never pulls",
        resource: asPod("api-7d9f", {
          containers: [pulling("api", "Always")],
          ephemeralContainers: [pulling("debugger", "Never")],
        }),
        rules: ["pullAlways"],
      },
      {
        name: "StatefulSet by the latest tag with IfNotPresent written out",
        resource: asStatefulSet("cache", {
          containers: [
            pulling("cache", "IfNotPresent", "registry.example.com/library/redis:latest"),
          ],
        }),
        rules: ["pullAlways"],
      },
    ],
  },
});
