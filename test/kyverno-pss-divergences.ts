/**
 * Where Kyverno's pod-security CLI tests (../shared/conformance/kyverno-pss) knowingly differ
 * from Charter's library, which follows Pod Security Admission v1.37. Each entry is one
 * expectation, keyed as the suite keys it: (Kyverno policy, Kyverno rule, kind, resource name).
 * test/kyverno-pss.test.ts asserts that every entry still diverges on every engine, so an entry
 * that stops diverging must be removed; a disagreement not listed here fails that test.
 */
export interface Divergence {
  readonly policy: string;
  readonly rule: string;
  readonly kind: "Pod" | "Deployment" | "CronJob";
  readonly resource: string;
  readonly reason: string;
}

const PORT_RANGE =
  "Kyverno-only port range: disallow-host-ports-range allows hostPort 5000-6000, which is not " +
  "a PSS control; PSA v1.37 hostPorts (Charter's disallow-host-ports) denies any non-zero hostPort";

const GOOD_IN_RANGE = ["02", "03", "05", "06", "08", "09", "10"];
const KINDS = [
  ["Pod", "goodpod"],
  ["Deployment", "gooddeployment"],
  ["CronJob", "goodcronjob"],
] as const;

export const KYVERNO_PSS_DIVERGENCES: readonly Divergence[] = [
  ...KINDS.flatMap(([kind, prefix]) =>
    GOOD_IN_RANGE.map((n) => ({
      policy: "disallow-host-ports-range",
      rule: "host-port-range",
      kind,
      resource: `${prefix}${n}`,
      reason: PORT_RANGE,
    })),
  ),
];
