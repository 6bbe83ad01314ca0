/**
 * Every rule of every policy written both ways — the `when` template and the fluent builder —
 * gives identical IR, and both equal what the policy itself carries. A rule missing here fails
 * the test, so new policies must show both forms too.
 */
import type { Cond } from "@charter/dsl";
import { any, exists, none, not, params, pod, when } from "@charter/dsl";
import { describe, expect, it } from "vitest";
import policies from "./index.js";

const FORMS: Record<string, Record<string, readonly [template: Cond, builder: Cond]>> = {
  "disallow-privileged-containers": {
    privileged: [
      when`any c in pod.containers: c.securityContext.privileged == true`,
      any("c", pod.containers, (c) => c.at("securityContext.privileged").eq(true)),
    ],
  },
  "disallow-host-namespaces": {
    hostNetwork: [when`pod.spec.hostNetwork == true`, pod.spec.at("hostNetwork").eq(true)],
    hostPID: [when`pod.spec.hostPID == true`, pod.spec.at("hostPID").eq(true)],
    hostIPC: [when`pod.spec.hostIPC == true`, pod.spec.at("hostIPC").eq(true)],
  },
  "disallow-host-path": {
    hostPath: [
      when`any v in pod.spec.volumes: exists(v.hostPath)`,
      any("v", pod.spec.at("volumes"), (v) => exists(v.at("hostPath"))),
    ],
  },
  "require-run-as-non-root": {
    podSetsFalse: [
      when`not (pod.spec.hostUsers == false) and pod.spec.securityContext.runAsNonRoot == false`,
      not(pod.spec.at("hostUsers").eq(false)).and(
        pod.spec.at("securityContext.runAsNonRoot").eq(false),
      ),
    ],
    containerSetsFalse: [
      when`not (pod.spec.hostUsers == false) and any c in pod.containers: c.securityContext.runAsNonRoot == false`,
      not(pod.spec.at("hostUsers").eq(false)).and(
        any("c", pod.containers, (c) => c.at("securityContext.runAsNonRoot").eq(false)),
      ),
    ],
    containerNotSet: [
      when`not (pod.spec.hostUsers == false)
        and not (pod.spec.securityContext.runAsNonRoot == true)
        and any c in pod.containers: not exists(c.securityContext.runAsNonRoot)`,
      not(pod.spec.at("hostUsers").eq(false))
        .and(not(pod.spec.at("securityContext.runAsNonRoot").eq(true)))
        .and(any("c", pod.containers, (c) => not(exists(c.at("securityContext.runAsNonRoot"))))),
    ],
  },
  "restrict-image-registries": {
    registry: [
      when`any c in pod.containers: not any r in params.allowed: c.image startsWith r`,
      any("c", pod.containers, (c) =>
        none("r", params.at("allowed"), (r) => c.at("image").startsWith(r)),
      ),
    ],
  },
};

describe("template and builder forms give identical IR", () => {
  it("every rule of every policy has both forms here", () => {
    const rules = policies.flatMap((p) => p.rules.map((r) => `${p.name}/${r.name}`)).sort();
    const covered = Object.entries(FORMS)
      .flatMap(([policy, forms]) => Object.keys(forms).map((rule) => `${policy}/${rule}`))
      .sort();
    expect(covered).toEqual(rules);
  });

  for (const policy of policies) {
    for (const rule of policy.rules) {
      it(`${policy.name}/${rule.name}`, () => {
        const [template, builder] = FORMS[policy.name]?.[rule.name] ?? [];
        if (!template || !builder) throw new Error("both forms are needed");
        expect(template.toIR()).toEqual(builder.toIR());
        expect(builder.toIR()).toEqual(rule.condition);
      });
    }
  }
});
