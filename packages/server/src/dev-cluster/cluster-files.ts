/**
 * The files a dev cluster starts from, written into its temporary folder: the token users, the
 * service-account signing key, the audit policy, and one kubeconfig per user.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";

export interface ClusterUser {
  readonly name: string;
  readonly token: string;
  readonly groups: readonly string[];
}

/** An admin (system:masters) and a user with no role until a test grants one. */
export function clusterUsers(): { readonly admin: ClusterUser; readonly developer: ClusterUser } {
  const token = () => randomBytes(24).toString("hex");
  return {
    admin: { name: "charter-admin", token: token(), groups: ["system:masters"] },
    developer: { name: "charter-developer", token: token(), groups: ["charter:developers"] },
  };
}

/** `--token-auth-file`: token,user,uid,"group1,group2". */
export function writeTokenFile(path: string, users: readonly ClusterUser[]): void {
  const lines = users.map(
    (user) => `${user.token},${user.name},${user.name}-uid,"${user.groups.join(",")}"`,
  );
  writeFileSync(path, `${lines.join("\n")}\n`, { mode: 0o600 });
}

/** The key pair the API server signs and checks service-account tokens with. */
export function writeServiceAccountKeys(privatePath: string, publicPath: string): void {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  writeFileSync(privatePath, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  writeFileSync(publicPath, publicKey.export({ type: "spki", format: "pem" }));
}

/**
 * Every request at Metadata level, which carries the admission audit annotations: a
 * ValidatingAdmissionPolicy's `Audit` action reaches only the audit log, never the client.
 */
export const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages:
  - RequestReceived
rules:
  - level: Metadata
`;

export function writeKubeconfig(
  path: string,
  options: { server: string; caFile: string; user: ClusterUser; context: string },
): void {
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: options.context,
        cluster: { server: options.server, "certificate-authority": options.caFile },
      },
    ],
    users: [{ name: options.user.name, user: { token: options.user.token } }],
    contexts: [
      {
        name: options.context,
        context: { cluster: options.context, user: options.user.name },
      },
    ],
    "current-context": options.context,
  };
  // JSON is YAML: kubectl and client libraries read it as a kubeconfig.
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
}
