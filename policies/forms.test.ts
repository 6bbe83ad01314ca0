/**
 * Every rule of every policy in the library has a fluent-builder form (policies/forms/*.ts)
 * whose IR equals the policy's own rule condition; where a template form is shown too, it gives
 * the same IR. A rule of the index missing there fails the test, so new policies must show
 * their builder form too: add a module to policies/forms/ and list it below.
 */
import { describe, expect, it } from "vitest";
import { FORMS as APPARMOR } from "./forms/apparmor.js";
import { FORMS as BEYOND_PSS_CLUSTER } from "./forms/beyond-pss-cluster.js";
import { FORMS as BEYOND_PSS_PODS } from "./forms/beyond-pss-pods.js";
import { FORMS as CROSS_RESOURCE } from "./forms/cross-resource.js";
import { FORMS as POD_SECURITY } from "./forms/pod-security.js";
import type { Forms } from "./forms/types.js";
import policies from "./index.js";

const FORMS: Record<string, Record<string, Forms>> = {
  ...POD_SECURITY,
  ...BEYOND_PSS_PODS,
  ...BEYOND_PSS_CLUSTER,
  ...APPARMOR,
  ...CROSS_RESOURCE,
};

describe("every rule has a builder form giving the policy's IR", () => {
  it("every rule of every policy in the index has a form here, and no other", () => {
    const rules = policies.flatMap((p) => p.rules.map((r) => `${p.name}/${r.name}`)).sort();
    const covered = Object.entries(FORMS)
      .flatMap(([policy, forms]) => Object.keys(forms).map((rule) => `${policy}/${rule}`))
      .sort();
    expect(covered).toEqual(rules);
  });

  for (const policy of policies) {
    for (const rule of policy.rules) {
      it(`${policy.name}/${rule.name}`, () => {
        const forms = FORMS[policy.name]?.[rule.name];
        if (!forms) throw new Error("a builder form is needed");
        expect(forms.builder.toIR()).toEqual(rule.condition);
        if (forms.template) expect(forms.template.toIR()).toEqual(forms.builder.toIR());
      });
    }
  }
});
