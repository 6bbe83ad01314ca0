/**
 * Issue 6 end to end, as a team runs it: `charter serve --watch` (the built CLI) builds and
 * signs the project's bundle; a real `opa run --server` pulls it over long polling, verifies the
 * signature with the public key, and sends its decision logs and status back to charter serve.
 * OPA's REST API must give the IR engine's verdicts (`charter check` on the same objects); a
 * changed policy must reach OPA as a new revision; the decision logs must arrive and
 * `charter audit` must count them.
 *
 * Run `pnpm build` first (CI does): charter serve runs from packages/cli/bin/charter.js.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findOpa } from "@charter/runtime";
import { afterAll, describe, expect, it } from "vitest";
import { requireEngine } from "./support/engines.js";
import { repoRoot, runCli } from "./support/run-cli.js";

const opa = requireEngine("opa", findOpa());
const CHARTER_BIN = join(repoRoot, "packages/cli/bin/charter.js");

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
});

/** A project's policy, as an author writes it; `verb` changes the message between revisions. */
function privilegedPolicy(verb: string): string {
  return `import { pod, policy, when } from "@charter/dsl";

export default policy("no-privileged", {
  title: "No privileged containers",
  severity: "critical",
  category: "Pod security",
  controls: ["pss:baseline:privileged"],
  match: pod,
  rules: {
    privileged: {
      fail: when\`any c in pod.containers: c.securityContext.privileged == true\`,
      message: "container {{c.name}} ${verb} privileged",
    },
  },
});
`;
}

const REGISTRIES = `import { list, pod, policy, string, when } from "@charter/dsl";

export default policy("approved-registries", {
  title: "Images from approved registries",
  severity: "high",
  category: "Supply chain",
  controls: ["nsa:pod-security:secure-images"],
  enforcement: "warn",
  match: pod,
  params: { allowed: list(string()).default(["registry.example.com/"]) },
  rules: {
    registry: {
      fail: when\`any c in pod.containers: not any r in params.allowed: c.image startsWith r\`,
      message: "image {{c.image}} is not from an approved registry",
    },
  },
});
`;

function pod(name: string, namespace: string, image: string, privileged: boolean) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace },
    spec: { containers: [{ name: "app", image, securityContext: { privileged } }] },
  };
}

const RESOURCES = [
  pod("compliant", "team-a", "registry.example.com/app:1.0", false),
  pod("privileged", "team-a", "registry.example.com/app:1.0", true),
  pod("foreign", "team-b", "docker.io/library/nginx:1.27", false),
  pod("both", "team-b", "docker.io/library/nginx:1.27", true),
  {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "team-a" },
    spec: {
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: { containers: [{ name: "web", image: "ghcr.io/x/web:2", securityContext: {} }] },
      },
    },
  },
];

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts the built `charter serve` and resolves with its URL once it logs `listening`. */
function startServe(cwd: string, args: string[]): Promise<{ url: string; logs: string[] }> {
  const child = spawn(process.execPath, [CHARTER_BIN, "serve", "--port", "0", ...args], {
    cwd,
    stdio: ["ignore", "ignore", "pipe"],
  });
  children.push(child);
  const logs: string[] = [];
  return new Promise((resolve, reject) => {
    let buffered = "";
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        logs.push(line);
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === "listening" && entry.url) resolve({ url: entry.url, logs });
      }
    });
    child.on("exit", (code) => reject(new Error(`charter serve exited ${code}: ${buffered}`)));
  });
}

/** `policy/rule: message` of every violation, sorted (OPA gives one per witness: a set). */
function triples(rows: readonly { policy: string; rule: string; message: string }[]): string[] {
  return [...new Set(rows.map((r) => `${r.policy}/${r.rule}: ${r.message}`))].sort();
}

describe.skipIf(opa === undefined)("OPA pulls, verifies and enforces what charter serves", () => {
  it("gives the IR engine's verdicts, activates a changed policy, and logs to charter audit", async () => {
    const project = mkdtempSync(join(tmpdir(), "charter-e2e-"));
    mkdirSync(join(project, "policies"));
    symlinkSync(join(repoRoot, "node_modules"), join(project, "node_modules"));
    writeFileSync(join(project, "policies/no-privileged.ts"), privilegedPolicy("is"));
    writeFileSync(join(project, "policies/approved-registries.ts"), REGISTRIES);
    writeFileSync(
      join(project, "resources.json"),
      JSON.stringify({ kind: "List", apiVersion: "v1", items: RESOURCES }),
    );
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    writeFileSync(
      join(project, "signing.pem"),
      privateKey.export({ type: "pkcs8", format: "pem" }),
    );
    const publicPem = publicKey.export({ type: "spki", format: "pem" }).toString();

    const serve = await startServe(project, [
      "--watch",
      "--bundles",
      "bundles",
      "--logs",
      "logs",
      "--signing-key",
      "signing.pem",
      "--signing-alg",
      "ES256",
      "--signing-key-id",
      "ci",
    ]);

    // OPA as its docs configure it: a signed bundle over long polling, logs and status back.
    writeFileSync(
      join(project, "opa.yaml"),
      [
        "services:",
        `  charter: { url: ${JSON.stringify(serve.url)} }`,
        "keys:",
        `  ci: { algorithm: ES256, key: ${JSON.stringify(publicPem)} }`,
        "bundles:",
        "  charter:",
        "    service: charter",
        "    resource: bundles/charter.tar.gz",
        "    signing: { keyid: ci }",
        "    polling: { min_delay_seconds: 30, max_delay_seconds: 40, long_polling_timeout_seconds: 30 }",
        "decision_logs:",
        "  service: charter",
        "  reporting: { min_delay_seconds: 1, max_delay_seconds: 2 }",
        "status: { service: charter }",
        "",
      ].join("\n"),
    );
    const port = await freePort();
    const opaServer = spawn(
      opa as string,
      ["run", "--server", "--addr", `127.0.0.1:${port}`, "-c", join(project, "opa.yaml")],
      { stdio: "ignore" },
    );
    children.push(opaServer);
    const opaUrl = `http://127.0.0.1:${port}`;
    const violations = async (input: unknown) => {
      const response = await fetch(`${opaUrl}/v1/data/charter/violations`, {
        method: "POST",
        body: JSON.stringify({ input }),
      });
      const body = (await response.json()) as {
        result?: { policy: string; rule: string; message: string }[];
      };
      return body.result;
    };
    const revision = async () => {
      try {
        const response = await fetch(`${opaUrl}/v1/data/system/bundles/charter/manifest/revision`);
        return ((await response.json()) as { result?: string }).result;
      } catch {
        return undefined; // OPA not listening yet
      }
    };
    await expect.poll(revision, { timeout: 60_000, interval: 250 }).toMatch(/^sha256:/);
    const first = await revision();

    // The verdicts of OPA on the signed bundle are the IR engine's.
    const check = await runCli(["check", "resources.json", "--format", "json"], { cwd: project });
    expect(check.code).toBe(1);
    const rows = JSON.parse(check.stdout).results as {
      result: string;
      policy: string;
      rule: string;
      message: string;
      resource: { name: string };
    }[];
    for (const resource of RESOURCES) {
      const ir = rows.filter(
        (r) => r.result === "fail" && r.resource.name === resource.metadata.name,
      );
      expect(triples((await violations(resource)) ?? []), resource.metadata.name).toEqual(
        triples(ir),
      );
    }
    expect(triples((await violations(RESOURCES[0])) ?? [])).toEqual([]);
    expect(triples((await violations(RESOURCES[3])) ?? [])).toEqual([
      "approved-registries/registry: image docker.io/library/nginx:1.27 is not from an approved registry",
      "no-privileged/privileged: container app is privileged",
    ]);

    // A changed policy: --watch rebuilds and signs it, the held long poll hands it to OPA,
    // which verifies and activates the new revision long before its 30 s polling delay.
    const edited = join(project, "policies/.no-privileged.ts.new");
    writeFileSync(edited, privilegedPolicy("must not be"));
    renameSync(edited, join(project, "policies/no-privileged.ts"));
    await expect.poll(revision, { timeout: 25_000, interval: 200 }).not.toBe(first);
    expect(triples((await violations(RESOURCES[1])) ?? [])).toEqual([
      "no-privileged/privileged: container app must not be privileged",
    ]);

    // Decision logs arrive (reporting every 1–2 s) and charter audit counts them: the queries
    // of data.charter.violations (the revision polls are logged too, as other queries).
    const queried = RESOURCES.length + 3;
    const logged = () =>
      readdirSync(join(project, "logs"))
        .filter((file) => file.startsWith("decisions-"))
        .flatMap((file) => readFileSync(join(project, "logs", file), "utf8").split("\n"))
        .filter((line) => line && JSON.parse(line).path === "charter/violations").length;
    await expect.poll(logged, { timeout: 20_000, interval: 250 }).toBeGreaterThanOrEqual(queried);
    const audit = await runCli(["audit", "--logs", "logs", "--format", "json"], { cwd: project });
    expect(audit.code).toBe(0);
    const report = JSON.parse(audit.stdout);
    expect(report.totals.decisions).toBe(queried);
    // privileged (twice: before and after the change), foreign, both (twice), web.
    expect(report.totals.violatingDecisions).toBe(6);
    const byPolicy = Object.fromEntries(
      report.policies.map(
        (p: { policy: string; violations: number; controls: string[] | null }) => [p.policy, p],
      ),
    );
    expect(byPolicy["no-privileged"]).toMatchObject({
      violations: 4,
      controls: ["pss:baseline:privileged"],
    });
    expect(byPolicy["approved-registries"].violations).toBe(4);
    expect(report.bundles.map((b: { revision: string }) => b.revision)).toContain(first);
    const namespaces = report.namespaces.map((n: { namespace: string }) => n.namespace);
    expect(namespaces.sort()).toEqual(["team-a", "team-b"]);
    // Status reports arrive too, naming the active revision.
    const statuses = readFileSync(join(project, "logs/status-000001.jsonl"), "utf8");
    expect(statuses).toContain(String(await revision()));
  }, 180_000);
});
