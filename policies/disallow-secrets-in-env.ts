/**
 * No secret written as a literal environment value. An env entry fails when its name contains
 * PASSWORD, TOKEN, SECRET or KEY in any case (RE2 `(?i)`, a partial match: `DB_PASSWORD`,
 * `apiKey`, `GITHUB_TOKEN`) and it has a non-empty literal `value`; entries read through
 * `valueFrom` (a Secret or anything else) pass, and so does `value: ""`, which holds nothing.
 * The name test is wide on purpose (`MONKEY_MODE` matches): a false alarm costs an exception,
 * a leaked credential costs a rotation. Messages name the variable, never its value.
 * All three container lists are checked.
 */
import { fromYaml, pod, policy, when } from "@charter/dsl";
import type { JsonObject } from "@charter/ir";
import { asDeployment, asJob, asPod, asStatefulSet, container } from "./support/workloads.js";

function withEnv(name: string, env: JsonObject[]): JsonObject {
  return { ...container(name), env };
}

const FROM_SECRET = {
  name: "DATABASE_PASSWORD",
  valueFrom: { secretKeyRef: { name: "todo-db", key: "password" } },
};

export default policy("disallow-secrets-in-env", {
  title: "Secrets are not written as literal environment values",
  description:
    "A password or token written into a manifest's `env` is readable by anyone who can read " +
    "the workload (and lands in Git, in `kubectl describe` and in audit logs); it is also " +
    "not encrypted at rest as Secrets can be. An env entry whose name contains PASSWORD, " +
    "TOKEN, SECRET or KEY (any case) must not have a literal `value`: read it from a Secret " +
    "with `valueFrom.secretKeyRef`, or better mount the Secret as a file.",
  severity: "high",
  category: "Secrets",
  controls: ["cis:5.4.1", "nsa:network:secrets", "area:secrets-encryption"],
  match: pod,
  rules: {
    literalSecret: {
      fail: when`
        any c in pod.containers:
          any e in c.env: e.value != "" and e.name matches "(?i)(PASSWORD|TOKEN|SECRET|KEY)"`,
      message:
        "container {{c.name}} sets environment variable {{e.name}} to a literal value; " +
        "remove the value and use valueFrom.secretKeyRef to read it from a Secret",
      remediation:
        "Put the value in a Secret (created outside the manifests, or by a secrets operator), " +
        "rotate it since it was exposed, and replace `value:` with `valueFrom.secretKeyRef` " +
        "— or mount the Secret as a file and point the program at it.",
    },
  },
  cases: {
    pass: [
      fromYaml("cases/disallow-secrets-in-env/pass-deployment-secret-refs.yaml"),
      {
        name: "Pod with harmless literals and a Secret reference",
        resource: asPod("api-7d9f", {
          containers: [
            withEnv("api", [
              { name: "LOG_LEVEL", value: "info" },
              { name: "PASSWORD_MIN_LENGTH_HINT_URL" },
              FROM_SECRET,
            ]),
          ],
        }),
      },
      {
        name: "Job with an empty token value",
        resource: asJob("migrate", {
          containers: [withEnv("migrate", [{ name: "GITHUB_TOKEN", value: "" }])],
        }),
      },
    ],
    fail: [
      fromYaml("cases/disallow-secrets-in-env/fail-statefulset-postgres-password.yaml", {
        rules: ["literalSecret"],
      }),
      {
        name: "Pod with a lower-case api key",
        resource: asPod("web", {
          containers: [withEnv("web", [{ name: "stripe_apiKey", value: "sk_test_123" }])],
        }),
        rules: ["literalSecret"],
      },
      {
        name: "Deployment whose init container has a literal token",
        resource: asDeployment("api", {
          initContainers: [withEnv("fetch", [{ name: "VAULT_TOKEN", value: "s.abcdef" }])],
          containers: [withEnv("api", [FROM_SECRET])],
        }),
        rules: ["literalSecret"],
      },
      {
        name: "StatefulSet with a client secret among plain settings",
        resource: asStatefulSet("auth", {
          containers: [
            withEnv("auth", [
              { name: "OIDC_ISSUER", value: "https://id.example.com" },
              { name: "OIDC_CLIENT_SECRET", value: "hunter2" },
            ]),
          ],
        }),
        rules: ["literalSecret"],
      },
    ],
  },
});
