/**
 * Every image is pinned by a SHA-256 digest (`name@sha256:<64 hex digits>`, with or without a
 * tag before it): a tag can be moved to other content, a digest cannot. All three container
 * lists are checked, ephemeral debug containers included. The pattern also demands the digest's
 * full length, so a truncated or upper-case digest (which a registry would refuse) fails here
 * rather than at pull time.
 */
import { fromYaml, pod, policy, when } from "@charter/dsl";
import { asDeployment, asJob, asPod, asStatefulSet, container } from "./support/workloads.js";

const DIGEST = "sha256:4d5a2e6a1c8c7b6f9e0d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a29";
const PINNED = `registry.example.com/todo/api@${DIGEST}`;

export default policy("require-image-digest", {
  title: "Images are pinned by digest",
  description:
    "A tag is a movable name: whoever can push to the repository can change what " +
    "`api:1.4.2` means, and two nodes may run different code under it. A digest names the " +
    "exact content that was scanned and signed. Every container, init container and " +
    "ephemeral container must reference its image as `name@sha256:<digest>` (a tag before " +
    "the digest is allowed and ignored by the runtime).",
  severity: "medium",
  category: "Supply chain",
  controls: [
    "cis:5.5.1",
    "nsa:pod-security:secure-images",
    "nsa:threat-model:supply-chain",
    "area:image-signing",
  ],
  match: pod,
  rules: {
    digest: {
      fail: when`any c in pod.containers: not (c.image matches "@sha256:[0-9a-f]{64}$")`,
      message:
        "container {{c.name}} uses image {{c.image}}, which is not pinned by digest; use " +
        "the image's name@sha256:<digest> reference",
      remediation:
        "Resolve the tag to its digest (`crane digest IMAGE` or `docker buildx imagetools " +
        "inspect IMAGE`) and write `image: name@sha256:<digest>`; let your update bot bump " +
        "digests the way it bumps tags.",
    },
  },
  cases: {
    pass: [
      fromYaml("cases/require-image-digest/pass-cronjob-tag-and-digest.yaml"),
      {
        name: "Pod whose every kind of container is pinned",
        resource: asPod("api-7d9f", {
          initContainers: [container("migrate", undefined, PINNED)],
          containers: [container("api", undefined, PINNED)],
          ephemeralContainers: [container("debugger", undefined, PINNED)],
        }),
      },
      {
        name: "Deployment pinned through a registry with a port",
        resource: asDeployment("web", {
          containers: [container("web", undefined, `registry.example.com:5000/web@${DIGEST}`)],
        }),
      },
    ],
    fail: [
      fromYaml("cases/require-image-digest/fail-statefulset-truncated-digest.yaml", {
        rules: ["digest"],
      }),
      {
        name: "Pod with a tag only",
        resource: asPod("api", { containers: [container("api")] }),
        rules: ["digest"],
      },
      {
        name: "Job whose init container is pinned but whose container is not",
        resource: asJob("migrate", {
          initContainers: [container("wait", undefined, PINNED)],
          containers: [container("migrate", undefined, "registry.example.com/todo/api")],
        }),
        rules: ["digest"],
      },
      {
        name: "StatefulSet whose image only mentions sha256 in its tag",
        resource: asStatefulSet("db", {
          containers: [container("db", undefined, "registry.example.com/library/postgres:sha256")],
        }),
        rules: ["digest"],
      },
    ],
  },
});
