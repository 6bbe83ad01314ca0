/**
 * Controls: the tags §0 of reference/controls.md gives a registry policy. `cis:5.5.1` asks for
 * image provenance (ImagePolicyWebhook, signatures); a prefix allow-list only partly meets it,
 * so it is left out.
 */
import { list, pod, policy, string, when } from "@charter/dsl";
import { asDeployment, asJob, asPod, asStatefulSet, container } from "./support/workloads.js";

export default policy("restrict-image-registries", {
  title: "Images come from approved registries",
  description:
    "Images pulled from a public registry can change under the same tag and are not scanned " +
    "or signed by your pipeline. Every container, init container and ephemeral container must " +
    "use an image whose reference starts with one of the approved prefixes (parameter " +
    "`allowed`). End each prefix with `/` so `registry.example.com.evil.io` does not match " +
    "`registry.example.com`.",
  severity: "high",
  category: "Supply chain",
  controls: [
    "nsa:pod-security:secure-images",
    "nsa:threat-model:supply-chain",
    "area:image-signing",
  ],
  match: pod,
  params: { allowed: list(string()).default(["registry.example.com/"]) },
  rules: {
    registry: {
      fail: when`any c in pod.containers: not any r in params.allowed: c.image startsWith r`,
      message:
        "container {{c.name}} uses image {{c.image}}, which is not from an approved registry; " +
        "push it to an approved registry and reference it from there",
      remediation:
        "Mirror or build the image into an approved registry (see the policy's `allowed` " +
        "parameter) and change `image:` to that reference.",
    },
  },
  cases: {
    pass: [
      {
        name: "Pod with an approved image",
        resource: asPod("api", { containers: [container("api")] }),
      },
      {
        name: "Deployment whose init container and containers are all approved",
        resource: asDeployment("api", {
          initContainers: [container("migrate", undefined, "registry.example.com/todo/migrate:7")],
          containers: [
            container("api"),
            container("proxy", undefined, "registry.example.com/envoyproxy/envoy:v1.31.2"),
          ],
        }),
      },
      {
        name: "StatefulSet pinned by digest in the approved registry",
        resource: asStatefulSet("postgres", {
          containers: [
            container(
              "postgres",
              undefined,
              "registry.example.com/library/postgres@sha256:4d5a2e6a1c8c7b6f9e0d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a29",
            ),
          ],
        }),
      },
    ],
    fail: [
      {
        name: "Pod pulling from Docker Hub",
        resource: asPod("web", {
          containers: [container("web", undefined, "docker.io/library/nginx:1.27")],
        }),
        rules: ["registry"],
      },
      {
        name: "Deployment with an init container from Docker Hub (short name)",
        resource: asDeployment("api", {
          initContainers: [container("wait-for-db", undefined, "busybox:1.36")],
          containers: [container("api")],
        }),
        rules: ["registry"],
      },
      {
        name: "Pod with an ephemeral debug container from another registry",
        resource: asPod("api-7d9f", {
          containers: [container("api")],
          ephemeralContainers: [
            container("debugger", undefined, "ghcr.io/nicolaka/netshoot:v0.13"),
          ],
        }),
        rules: ["registry"],
      },
      {
        name: "Job whose image only looks like the approved registry",
        resource: asJob("migrate", {
          containers: [
            container("migrate", undefined, "registry.example.com.evil.io/todo/migrate:7"),
          ],
        }),
        rules: ["registry"],
      },
    ],
  },
});
