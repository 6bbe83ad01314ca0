/**
 * The builder (and template) forms of the AppArmor policy; forms.test.ts proves each equals
 * the policy's own condition. Written from the policy's meaning, independently of its
 * constants. The annotation rule reads a value under a key known only at run time:
 * `lookup(k)` in the builder, `annotations[k]` in a template.
 */
import { any, exists, keys, not, pod, when } from "@charter/dsl";
import type { Forms } from "./types.js";

const APPARMOR_TYPES = ["RuntimeDefault", "Localhost"];

export const FORMS: Record<string, Record<string, Forms>> = {
  "restrict-apparmor-profiles": {
    podProfile: {
      builder: exists(pod.spec.at("securityContext.appArmorProfile")).and(
        not(pod.spec.at("securityContext.appArmorProfile.type").in(APPARMOR_TYPES)),
      ),
    },
    containerProfile: {
      builder: any("c", pod.containers, (c) =>
        exists(c.at("securityContext.appArmorProfile")).and(
          not(c.at("securityContext.appArmorProfile.type").in(APPARMOR_TYPES)),
        ),
      ),
    },
    annotation: {
      template: when`
        any k in keys(pod.metadata.annotations):
          k startsWith "container.apparmor.security.beta.kubernetes.io/"
          and pod.metadata.annotations[k] != ""
          and pod.metadata.annotations[k] != "runtime/default"
          and not (pod.metadata.annotations[k] startsWith "localhost/")`,
      builder: any("k", keys(pod.metadata.at("annotations")), (k) => {
        const profile = pod.metadata.at("annotations").lookup(k);
        return k
          .startsWith("container.apparmor.security.beta.kubernetes.io/")
          .and(
            profile.ne(""),
            profile.ne("runtime/default"),
            not(profile.startsWith("localhost/")),
          );
      }),
    },
  },
};
