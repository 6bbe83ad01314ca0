/**
 * No image by the `latest` tag or by no tag (which means `latest`). Reading the reference
 * `[host[:port]/]path[:tag][@digest]`:
 * - a reference with a digest (`@…`) is pinned, whatever its tag says, and passes;
 * - the tag is what follows the last `:` after the last `/`; a `:` before a `/` is a registry
 *   port, so `registry.example.com:5000/api` has no tag and fails `missingTag`;
 * - tags are case-sensitive, so only `latest` in lower case is the moving default.
 * All three container lists are checked, ephemeral debug containers included.
 */
import { fromYaml, pod, policy, when } from "@charter/dsl";
import { asDaemonSet, asDeployment, asPod, asReplicaSet, container } from "./support/workloads.js";

export default policy("disallow-latest-tag", {
  title: "Images name a tag other than latest",
  description:
    "`latest` (and a reference with no tag, which means `latest`) names whatever was pushed " +
    "last: a restart can run different code, and nobody can tell which version runs. Every " +
    "container, init container and ephemeral container must name an explicit tag other than " +
    "`latest`, or pin the image by digest. A registry port (`host:5000/app`) is not a tag.",
  severity: "medium",
  category: "Supply chain",
  controls: ["nsa:pod-security:secure-images", "area:image-signing"],
  match: pod,
  rules: {
    latestTag: {
      fail: when`
        any c in pod.containers: not (c.image contains "@") and c.image endsWith ":latest"`,
      message:
        "container {{c.name}} uses image {{c.image}} by the latest tag; use a version tag or " +
        "a digest",
      remediation:
        "Replace `:latest` with the release's own tag (`:1.4.2`) or, better, its digest " +
        "(`@sha256:…`).",
    },
    missingTag: {
      fail: when`
        any c in pod.containers: not (c.image contains "@") and not (c.image matches ":[^/]+$")`,
      message:
        "container {{c.name}} uses image {{c.image}} with no tag, which means latest; use a " +
        "version tag or a digest",
      remediation:
        "Add the release's tag after the image name (`name:1.4.2`) or pin its digest " +
        "(`name@sha256:…`). A `:port` after the registry host is not a tag.",
    },
  },
  cases: {
    pass: [
      fromYaml("cases/disallow-latest-tag/pass-deployment-port-and-tag.yaml"),
      {
        name: "Pod whose every kind of container has a version tag",
        resource: asPod("api-7d9f", {
          initContainers: [container("migrate")],
          containers: [container("api")],
          ephemeralContainers: [
            container("debugger", undefined, "registry.example.com/nicolaka/netshoot:v0.13"),
          ],
        }),
      },
      {
        name: "DaemonSet pinned by digest, with and without a latest tag",
        resource: asDaemonSet("agent", {
          containers: [
            container(
              "agent",
              undefined,
              "registry.example.com/ops/agent@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            ),
            container(
              "shipper",
              undefined,
              "registry.example.com/ops/shipper:latest@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            ),
          ],
        }),
      },
      {
        name: "Pod with a tag that merely contains latest",
        resource: asPod("web", {
          containers: [container("web", undefined, "registry.example.com/todo/web:latest-2024")],
        }),
      },
    ],
    fail: [
      fromYaml("cases/disallow-latest-tag/fail-deployment-port-no-tag.yaml", {
        rules: ["missingTag"],
      }),
      {
        name: "Pod by the latest tag",
        resource: asPod("web", {
          containers: [container("web", undefined, "registry.example.com/todo/web:latest")],
        }),
        rules: ["latestTag"],
      },
      {
        name: "ReplicaSet whose init container has no tag",
        resource: asReplicaSet("api", {
          initContainers: [container("wait", undefined, "busybox")],
          containers: [container("api")],
        }),
        rules: ["missingTag"],
      },
      {
        name: "Deployment with one latest and one untagged image",
        resource: asDeployment("api", {
          containers: [
            container("api", undefined, "registry.example.com:5000/todo/api:latest"),
            container("proxy", undefined, "registry.example.com/envoyproxy/envoy"),
          ],
        }),
        rules: ["latestTag", "missingTag"],
      },
    ],
  },
});
