/**
 * The builder (and some template) forms of the container-security policies beyond the Pod
 * Security Standards that judge pods; forms.test.ts proves each equals the policy's own
 * condition. Written from the policies' meaning, independently of their files.
 */
import type { Cond, Value } from "@charter/dsl";
import { and, any, exists, not, or, params, pod, resource, when } from "@charter/dsl";
import type { Forms } from "./types.js";

const notWindows = not(pod.spec.at("os.name").eq("windows"));

/** An image reference with a digest (`@…`) is pinned, whatever its tag. */
function pinned(image: Value): Cond {
  return image.contains("@");
}

/** No tag: nothing after a `:` that follows the last `/` (a registry port is not a tag). */
function untagged(image: Value): Cond {
  return not(image.matches(":[^/]+$"));
}

/** Some container or init container (ephemeral ones cannot set resources) fails `test`. */
function someResourcedContainer(test: (c: Value) => Cond): Cond {
  return any("list", [pod.spec.at("containers"), pod.spec.at("initContainers")], (list) =>
    any("c", list, test),
  );
}

export const FORMS: Record<string, Record<string, Forms>> = {
  "require-read-only-root-filesystem": {
    readOnlyRootFilesystem: {
      template: when`not (pod.spec.os.name == "windows") and any c in pod.containers: not (c.securityContext.readOnlyRootFilesystem == true)`,
      builder: notWindows.and(
        any("c", pod.containers, (c) =>
          not(c.at("securityContext.readOnlyRootFilesystem").eq(true)),
        ),
      ),
    },
  },
  "require-requests-limits": {
    cpuRequest: {
      builder: someResourcedContainer((c) =>
        and(not(exists(c.at("resources.requests.cpu"))), not(exists(c.at("resources.limits.cpu")))),
      ),
    },
    memoryRequest: {
      builder: someResourcedContainer((c) =>
        not(exists(c.at("resources.requests.memory"))).and(
          not(exists(c.at("resources.limits.memory"))),
        ),
      ),
    },
    cpuLimit: {
      template: when`any list in [pod.spec.containers, pod.spec.initContainers]: any c in list: not exists(c.resources.limits.cpu)`,
      builder: someResourcedContainer((c) => not(exists(c.at("resources.limits.cpu")))),
    },
    memoryLimit: {
      builder: someResourcedContainer((c) => not(c.at("resources.limits.memory").exists())),
    },
  },
  "restrict-service-account-token": {
    automountToken: {
      template: when`not (pod.spec.automountServiceAccountToken == false) and not (params.label in pod.metadata.labels)`,
      builder: not(pod.spec.at("automountServiceAccountToken").eq(false)).and(
        not(params.at("label").in(pod.metadata.at("labels"))),
      ),
    },
  },
  "disallow-default-namespace": {
    defaultNamespace: {
      template: when`(object.metadata.namespace ?? "default") == "default"`,
      builder: resource.at("metadata.namespace").orElse("default").eq("default"),
    },
  },
  "require-image-digest": {
    digest: {
      builder: any("c", pod.containers, (c) => not(c.at("image").matches("@sha256:[0-9a-f]{64}$"))),
    },
  },
  "disallow-latest-tag": {
    latestTag: {
      builder: any("c", pod.containers, (c) =>
        not(pinned(c.at("image"))).and(c.at("image").endsWith(":latest")),
      ),
    },
    missingTag: {
      template: when`any c in pod.containers: not (c.image contains "@") and not (c.image matches ":[^/]+$")`,
      builder: any("c", pod.containers, (c) =>
        not(pinned(c.at("image"))).and(untagged(c.at("image"))),
      ),
    },
  },
  "require-image-pull-policy-always": {
    pullAlways: {
      builder: any("c", pod.containers, (c) =>
        and(
          not(pinned(c.at("image"))),
          not(c.at("imagePullPolicy").eq("Always")),
          // Unset, the API server defaults it to Always for `latest` or no tag.
          not(
            not(exists(c.at("imagePullPolicy"))).and(
              or(c.at("image").endsWith(":latest"), untagged(c.at("image"))),
            ),
          ),
        ),
      ),
    },
  },
  "disallow-secrets-in-env": {
    literalSecret: {
      builder: any("c", pod.containers, (c) =>
        any("e", c.at("env"), (e) =>
          e.at("value").ne("").and(e.at("name").matches("(?i)(PASSWORD|TOKEN|SECRET|KEY)")),
        ),
      ),
    },
  },
};
