/**
 * The `charter` command. Every command maps errors a user can cause to one clear line and exit
 * code 2; nothing reaches the terminal as a stack trace unless CHARTER_DEBUG is set.
 */

import {
  DEFAULT_WEBHOOK_NAMESPACE,
  DEFAULT_WEBHOOK_TIMEOUT_SECONDS,
  MAX_WEBHOOK_TIMEOUT_SECONDS,
  MINIMUM_VERSIONS,
  WEBHOOK_FAILURE_POLICIES,
  WEBHOOK_TARGET,
} from "@charter/compiler/constants";
import { CharterError, isCharterError, TARGET_NAMES } from "@charter/ir";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import type { AuditOptions } from "./commands/audit.js";
import type { BuildOptions } from "./commands/build.js";
import type { BundleOptions, BundleVerifyOptions } from "./commands/bundle.js";
import type { CheckOptions } from "./commands/check.js";
import type { DevClusterCommandOptions } from "./commands/dev-cluster.js";
import type { DocsOptions } from "./commands/docs.js";
import type { ExplainOptions } from "./commands/explain.js";
import type { InitOptions } from "./commands/init.js";
import type { ServeOptions } from "./commands/serve.js";
import type { TestOptions } from "./commands/test.js";
import type { WebhookOptions } from "./commands/webhook.js";
import type { Context } from "./context.js";
import { ENGINE_NAMES } from "./engine-names.js";
import { EXIT_USAGE } from "./exit.js";
import { parseCount, parseDuration, parseImageDeadline, parsePort } from "./option-values.js";
import { terminalOutput } from "./output.js";
import { FORMATS } from "./report/format-names.js";
import { terminalLines } from "./terminal-text.js";
import { mark, timingsLine } from "./timings.js";
import { VERSION } from "./version.js";
import { DEFAULT_WEBHOOK_IMAGE } from "./webhook-image.js";

// Each command's module is imported when the command runs: `charter check` on the IR engine
// never loads the compiler, the servers or the registry client (start-up is measured in
// docs/benchmarks.md).

export async function main(
  argv: readonly string[],
  ctx: Context = defaultContext(),
): Promise<number> {
  mark("modules loaded");
  let exitCode = 0;
  const program = createProgram(ctx, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv as string[]);
    return exitCode;
  } catch (error) {
    return reportError(ctx, error);
  } finally {
    const timings = timingsLine();
    if (timings !== undefined) ctx.output.err(timings);
  }
}

function defaultContext(): Context {
  return { cwd: process.cwd(), output: terminalOutput(), stdin: process.stdin };
}

function reportError(ctx: Context, error: unknown): number {
  if (error instanceof CommanderError) {
    // commander has printed its own message (or the help); map its codes onto ours.
    return error.exitCode === 0 ? 0 : EXIT_USAGE;
  }
  if (isCharterError(error)) {
    // Messages may quote manifests, exceptions and logs: no raw control reaches the terminal.
    ctx.output.err(terminalLines(error.format()));
    return EXIT_USAGE;
  }
  if (process.env.CHARTER_DEBUG) throw error;
  const message = error instanceof Error ? error.message : String(error);
  ctx.output.err(
    terminalLines(
      `error: ${message}\n  (this is a bug in Charter; run with CHARTER_DEBUG=1 for the stack trace)`,
    ),
  );
  return EXIT_USAGE;
}

function parseSize(value: string): number {
  const match = /^(\d+)\s*(k|ki|kib|m|mi|mib|g|gi|gib|b)?$/i.exec(value.trim());
  if (!match) throw new InvalidArgumentError("a size such as 16MiB, 512KiB or 1048576");
  const unit = (match[2] ?? "b").toLowerCase()[0];
  const factor = unit === "k" ? 1024 : unit === "m" ? 1024 ** 2 : unit === "g" ? 1024 ** 3 : 1;
  return Number(match[1]) * factor;
}

function gatekeeperEngineOption(): Option {
  return new Option(
    "--gatekeeper-engine <engine>",
    `the ConstraintTemplate's code: rego (Gatekeeper ≥ ${MINIMUM_VERSIONS.gatekeeper.version}) or cel (K8sNativeValidation)`,
  )
    .choices(["rego", "cel"])
    .default("rego");
}

function kyvernoApiOption(): Option {
  const validatingPolicy = MINIMUM_VERSIONS.kyvernoValidatingPolicy;
  const clusterPolicy = MINIMUM_VERSIONS.kyvernoClusterPolicy;
  return new Option(
    "--kyverno-api <api>",
    `validatingpolicy (policies.kyverno.io/v1, Kyverno ≥ ${validatingPolicy.version}) or clusterpolicy (kyverno.io/v1, ${clusterPolicy.version}–${clusterPolicy.until})`,
  )
    .choices(["validatingpolicy", "clusterpolicy"])
    .default("validatingpolicy");
}

function kyvernoExceptionNamespaceOption(): Option {
  return new Option(
    "--kyverno-exception-namespace <namespace>",
    "the namespace of the Kyverno PolicyExceptions: the one Kyverno's exceptionNamespace flag allows",
  ).default("kyverno");
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(",").filter(Boolean)];
}

function createProgram(ctx: Context, setExit: (code: number) => void): Command {
  const program = new Command("charter")
    .description(
      "Write Kubernetes security policies once in TypeScript; compile them to every engine; check manifests offline.",
    )
    .version(VERSION)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.output.out(s.trimEnd()),
      writeErr: (s) => ctx.output.err(s.trimEnd()),
    })
    .showHelpAfterError("(run with --help for usage)")
    // Options belong to the command they follow: `bundle verify --signing-alg` must reach
    // `verify`, not be taken by `bundle`'s own --signing-alg (commander needs this at every level).
    .enablePositionalOptions()
    .addHelpText(
      "after",
      `
Exit codes: 0 nothing enforced with deny failed · 1 a deny policy failed, a case failed,
engines disagreed, or build --check found drift · 2 usage error or unreadable input.

Examples:
  $ charter build                       compile the policies for every target: dist/{rego,gatekeeper,kyverno,vap}/
  $ charter test                        run every policy's cases on every engine
  $ charter check k8s/ --format json    scan manifests
  $ charter explain disallow-privileged-containers
  $ charter docs                        policy catalog and compliance matrix in docs/policies/`,
    );

  const withPolicies = (command: Command) =>
    command
      .option(
        "-p, --policies <paths>",
        "policy files or folders, comma-separated (default: from charter.config.ts, else policies/)",
        collect,
      )
      .option(
        "-c, --config <file>",
        "the config file (default: charter.config.ts in this folder or above)",
      )
      .option(
        "-s, --select <tags>",
        "only policies citing these controls, e.g. pss:baseline,cis:5.2",
      );

  withPolicies(program.command("build"))
    .description("compile the policies into one folder per target")
    .option("-o, --out <dir>", "output folder; each target goes to <dir>/<target>/", "dist")
    .option(
      "-t, --target <targets>",
      `targets, comma-separated, or all (${TARGET_NAMES.join(", ")}); ${WEBHOOK_TARGET} (Charter's own webhook's manifests) only when named`,
      "all",
    )
    .addOption(gatekeeperEngineOption())
    .addOption(kyvernoApiOption())
    .addOption(kyvernoExceptionNamespaceOption())
    .option(
      "--webhook-namespace <namespace>",
      `${WEBHOOK_TARGET}: the namespace it runs in, which it never judges (default ${DEFAULT_WEBHOOK_NAMESPACE})`,
    )
    .option(
      "--webhook-image <image>",
      `${WEBHOOK_TARGET}: the image with charter and the policies (default ${DEFAULT_WEBHOOK_IMAGE})`,
    )
    .addOption(
      new Option(
        "--webhook-failure-policy <policy>",
        `${WEBHOOK_TARGET}: Fail refuses requests while it cannot answer, Ignore admits them (default Fail)`,
      ).choices([...WEBHOOK_FAILURE_POLICIES]),
    )
    .option(
      "--webhook-timeout <seconds>",
      `${WEBHOOK_TARGET}: how long the API server waits, 1–${MAX_WEBHOOK_TIMEOUT_SECONDS} (default ${DEFAULT_WEBHOOK_TIMEOUT_SECONDS})`,
    )
    .option(
      "--webhook-ca-bundle <file>",
      `${WEBHOOK_TARGET}: PEM of the CA of its serving certificate (default: cert-manager injects it)`,
    )
    .option(
      "--now <time>",
      "the clock exceptions expire by: YYYY-MM-DD or an RFC 3339 date-time (default: now)",
    )
    .option(
      "--wasm",
      "also compile the Rego with the real `opa build -t wasm` into <dir>/wasm/ (needs opa)",
    )
    .option(
      "--check",
      "write nothing; exit 1 listing the files that differ from what the sources compile to",
    )
    .addHelpText(
      "after",
      `\nExamples:\n  $ charter build --out dist\n  $ charter build --wasm         # also dist/wasm/policy.wasm (needs opa)\n  $ charter build --target gatekeeper,vap\n  $ charter build --target kyverno --kyverno-api clusterpolicy   # Kyverno 1.13–1.19\n  $ charter build --check        # in CI: are the committed artifacts current?\n  $ charter build --target webhook --webhook-image registry.example.com/charter-webhook:${VERSION}   # dist/webhook/ (docs/webhook.md)`,
    )
    .action(async (opts: BuildOptions) =>
      setExit(await (await import("./commands/build.js")).build(ctx, opts)),
    );

  withPolicies(program.command("test"))
    .description("run each policy's pass/fail cases on every engine and compare the engines")
    .option(
      "-e, --engine <engines>",
      "engines, comma-separated, or all (default: every engine found; a missing one is an error under CI=true)",
    )
    .option("--strict", "a policy without cases fails the run (default: a warning)")
    .addHelpText(
      "after",
      "\nExamples:\n  $ charter test\n  $ charter test --engine all     # fail if an engine is missing\n  $ charter test --strict         # in CI: every policy has cases",
    )
    .action(async (opts: TestOptions) =>
      setExit(await (await import("./commands/test.js")).test(ctx, opts)),
    );

  withPolicies(program.command("check"))
    .description(
      "check Kubernetes manifests (files, folders, or - for stdin), or a live cluster (--cluster), against the policies",
    )
    .argument(
      "[paths...]",
      "YAML or JSON files, folders, or - for stdin (no path: stdin when it is piped)",
      [],
    )
    .addOption(
      new Option("-f, --format <format>", "report format (docs/cli.md describes each)")
        .choices([...FORMATS])
        .default("table"),
    )
    .option(
      "-o, --output <file>",
      "write the report to this file (atomically; folders created) instead of stdout",
    )
    .option(
      "-q, --quiet",
      "table: only the failures that fail the run, and the summary; no progress line",
    )
    .addOption(
      new Option("-e, --engine <engine>", "the engine that evaluates")
        .choices([...ENGINE_NAMES])
        .default("ir"),
    )
    .addOption(
      new Option("--fail-on <level>", "also exit 1 for warn (or warn and audit) failures")
        .choices(["deny", "warn", "audit"])
        .default("deny"),
    )
    .option(
      "--no-defaults",
      "judge manifests as written, without the defaults the API server applies before admission (hostPort under hostNetwork, AppArmor annotations into fields, imagePullPolicy, NetworkPolicy policyTypes; see docs/cli.md)",
    )
    .option("--max-document-size <size>", "largest YAML document read (default 16MiB)", parseSize)
    .option(
      "--include <glob...>",
      "in folders, read only files matching these globs (default **/*.{yaml,yml,json})",
    )
    .option("--exclude <glob...>", "leave out files or folders matching these globs")
    .option(
      "--now <time>",
      "the clock exceptions expire by: YYYY-MM-DD or an RFC 3339 date-time (default: now)",
    )
    .option("-v, --verbose", "also list the rules that passed")
    .option(
      "--verify-images",
      "image rules: read signatures and attestations from the images' registries (credentials from the Docker config file); without it they are skip rows",
    )
    .option(
      "--vuln-reports <file...>",
      "image rules: scanner reports to judge vulnerabilities on — Trivy JSON (trivy image --format json) or Trivy Operator VulnerabilityReports",
    )
    .option(
      "--cluster",
      "scan the objects of a live cluster (the kubeconfig's current context) instead of manifests",
    )
    .option(
      "--kubeconfig <file>",
      "--cluster: the kubeconfig (default: $KUBECONFIG, ~/.kube/config, else the pod's service account)",
    )
    .option("--context <name>", "--cluster: the kubeconfig context (default: its current one)")
    .option(
      "-n, --namespace <namespace>",
      "--cluster: scan this namespace (default: the context's, else default)",
    )
    .option(
      "-A, --all-namespaces",
      "--cluster: scan every namespace and the cluster-scoped objects",
    )
    .option(
      "--apply-reports",
      "--cluster with --format policyreport|openreports: write the reports into the cluster (server-side apply), replacing the last scan's",
    )
    .addHelpText(
      "after",
      `
Image rules (a policy's \`images\`: signatures, attestations, digests, vulnerability scans) read
the registry only with --verify-images: each tag is resolved to a digest once, signatures and
attestations are verified with the policy's keys, and a registry that cannot be read is an
error row, never a pass. --vuln-reports gives the scans; an image with no scan fails.

A live cluster (--cluster): every kind the selected policies match is listed through the API
(discovery, preferred versions, 500 objects a page) and judged as the server stores it; the
Namespaces and the kinds cross-resource policies read are read from the cluster too. Rows name
the object and its namespace; their source is "cluster <context>". A kind you may not list
(RBAC) is one error line, the scan goes on, and the run exits 2 after the report: an
incomplete scan never looks clean. An unreachable server, a certificate that does not verify
or a refused token is one error line and exit 2.

Examples:
  $ charter check k8s/
  $ kustomize build overlays/prod | charter check - --format json
  $ charter check k8s/ --format junit --output reports/charter.xml
  $ charter check k8s/ --format github          # annotations on the pull request
  $ charter check k8s/ --format policyreport | kubectl apply -f -
  $ charter check app.yaml --engine opa          # the real OPA on the emitted Rego
  $ charter check app.yaml --engine vap-cel      # the emitted CEL, in-process
  $ charter check --cluster --all-namespaces     # the kubeconfig's current context
  $ charter check --cluster -n team-a --context prod --format json
  $ charter check --cluster -A --format policyreport --apply-reports   # reports into the cluster
  $ charter check k8s/ --verify-images --vuln-reports trivy/*.json     # image rules, for real`.slice(
        1,
      ),
    )
    .action(async (paths: string[], opts: CheckOptions) =>
      setExit(await (await import("./commands/check.js")).check(ctx, paths, opts)),
    );

  withPolicies(program.command("explain"))
    .description("show a policy's IR next to the code each target receives")
    .argument("<policy>", "the policy's name")
    .option("-t, --target <targets>", "targets, comma-separated, or all", "all")
    .addOption(gatekeeperEngineOption())
    .addOption(kyvernoApiOption())
    .addOption(
      new Option("-f, --format <format>", "output format")
        .choices(["text", "json"])
        .default("text"),
    )
    .addHelpText("after", "\nExample:\n  $ charter explain restrict-image-registries")
    .action(async (name: string, opts: ExplainOptions) =>
      setExit(await (await import("./commands/explain.js")).explain(ctx, name, opts)),
    );

  withPolicies(program.command("docs"))
    .description("write the policy catalog and the compliance matrix (Markdown)")
    .option("-o, --out <dir>", "output folder for catalog.md and matrix.md", "docs/policies")
    .option("--check", "write nothing; exit 1 listing the files that differ from what is generated")
    .addHelpText(
      "after",
      "\nExamples:\n  $ charter docs                          write docs/policies/catalog.md and matrix.md\n  $ charter docs --select pss:restricted  only the policies of the PSA restricted profile\n  $ charter docs --check                  in CI: are the committed docs current?",
    )
    .action(async (opts: DocsOptions) =>
      setExit(await (await import("./commands/docs.js")).docs(ctx, opts)),
    );

  program
    .command("init")
    .description(
      "scaffold a policy project (a policy with cases and tests, CI, README) in an empty folder",
    )
    .argument("[dir]", "the folder; created when missing, else it must be empty", ".")
    .option("--force", "write into a folder that is not empty, replacing files of the same name")
    .option("--name <name>", "the package name (default: the folder's name)")
    .option(
      "--from <path>",
      "depend on Charter from a built checkout (packed into vendor/charter/) or a folder of its tarballs, not a registry",
    )
    .addHelpText(
      "after",
      "\nExamples:\n  $ charter init my-policies\n  $ charter init my-policies --from ~/src/charter   # no registry has @charter/*\n  $ cd my-policies && npm install && npx charter test && npx charter build",
    )
    .action(async (dir: string, opts: InitOptions) =>
      setExit(await (await import("./commands/init.js")).init(ctx, dir, opts)),
    );

  withPolicies(program.command("audit"))
    .description(
      "a compliance report from the decision logs charter serve stored: per policy, namespace, control and time window",
    )
    .option("-l, --logs <dir>", "the decision-log folder (charter serve --logs)", ".charter/logs")
    .option("--since <time>", "from this instant: YYYY-MM-DD (its start, UTC) or RFC 3339")
    .option("--until <time>", "before this instant: YYYY-MM-DD (through its end, UTC) or RFC 3339")
    .option("-w, --window <width>", "the time buckets: 15m, 1h, 1d, 7d…", "1d")
    .addOption(
      new Option("-f, --format <format>", "report format")
        .choices(["markdown", "json"])
        .default("markdown"),
    )
    .option("-o, --output <file>", "write the report to this file (atomically) instead of stdout")
    .addHelpText(
      "after",
      "\nExamples:\n  $ charter audit --logs .charter/logs\n  $ charter audit --logs logs --since 2026-01-01 --until 2026-01-31 --window 1h\n  $ charter audit --logs logs --format json --output audit.json",
    )
    .action(async (opts: AuditOptions) =>
      setExit(await (await import("./commands/audit.js")).audit(ctx, opts)),
    );

  withPolicies(program.command("serve"))
    .description(
      "serve OPA bundles (ETag, long polling) and receive OPA decision logs and status reports",
    )
    .option("--host <host>", "the address to listen on", "127.0.0.1")
    .option("--port <port>", "the port; 0 picks a free one (logged)", parsePort, 8282)
    .option("--bundles <dir>", "serve each <name>.tar.gz in this folder", "dist/bundles")
    .option("--logs <dir>", "write decisions-*.jsonl and status-*.jsonl here", ".charter/logs")
    .option("--log-max-bytes <size>", "new log file past this size (default 64MiB)", parseSize)
    .option("--max-body-bytes <size>", "largest upload unpacked (default 32MiB)", parseSize)
    .option("--watch", "rebuild <bundles>/<name>.tar.gz (charter bundle) on a policy change")
    .option("--name <name>", "the bundle --watch builds", "charter")
    .option("--wasm", "--watch: pass --wasm to `charter bundle`")
    .option("--signing-key <file>", "--watch: sign the bundle with this key")
    .option("--signing-alg <alg>", "--watch: RS256, ES256 or HS256")
    .option("--signing-key-id <id>", "--watch: the key id in the signature")
    .option("--signing-scope <scope>", "--watch: the scope in the signature")
    .option("--token-file <file>", "require Authorization: Bearer <token> (not on /health)")
    .option("--tls-cert <file>", "serve HTTPS with this PEM certificate (with --tls-key)")
    .option("--tls-key <file>", "the PEM private key of --tls-cert")
    .option(
      "--max-connections <n>",
      "open connections at most; a tenth kept for token holders and /health (default 1024)",
      parseCount,
    )
    .option(
      "--max-connections-per-client <n>",
      "connections without a valid token from one address (default 128)",
      parseCount,
    )
    .option(
      "--header-timeout <duration>",
      "close a connection that has not sent its request headers (default 10s)",
      parseDuration,
    )
    .option(
      "--idle-timeout <duration>",
      "close an idle connection, or an upload that stalls (default 30s)",
      parseDuration,
    )
    .option(
      "--max-log-decoders <n>",
      "uploads (POST /logs, /status) decoded at once; more wait, then 503 (default 4)",
      parseCount,
    )
    .option(
      "--log-memory-budget <size>",
      "what the uploads being decoded may hold together; past it 503 (default 64MiB)",
      parseSize,
    )
    .option("--max-bundle-size <size>", "largest bundle file served (default 128MiB)", parseSize)
    .option("--log-requests", "log every request at info (default: debug)")
    .addOption(
      new Option("--log-level <level>", "the least level logged")
        .choices(["debug", "info", "warn", "error"])
        .default("info"),
    )
    .addHelpText(
      "after",
      "\nExamples:\n  $ charter serve --bundles dist/bundles     # GET /bundles/<name>.tar.gz, POST /logs\n  $ charter serve --watch --port 0           # rebuild dist/bundles/charter.tar.gz on change\n  $ charter serve --token-file token.txt --tls-cert tls.crt --tls-key tls.key\n  $ charter serve --max-connections 4096 --idle-timeout 60s --log-memory-budget 128MiB",
    )
    .action(async (opts: ServeOptions) =>
      setExit(await (await import("./commands/serve.js")).serve(ctx, opts)),
    );

  withPolicies(program.command("webhook"))
    .description(
      "run Charter's validating admission webhook: judge each AdmissionReview with the policies (the verdicts of charter check)",
    )
    .option("--host <host>", "the address to listen on (0.0.0.0 in a Pod)", "127.0.0.1")
    .option("--port <port>", "the port; 0 picks a free one (logged)", parsePort, 8443)
    .option(
      "--tls-cert <file>",
      "the PEM serving certificate (with --tls-key); reloaded when it changes",
    )
    .option("--tls-key <file>", "the PEM private key of --tls-cert")
    .option(
      "--self-signed",
      "for local use: make a CA and a serving certificate for 127.0.0.1, localhost and --dns-name; print the CA",
    )
    .option(
      "--dns-name <names>",
      "--self-signed: more host names the certificate is valid for, comma-separated",
      collect,
    )
    .option("--ca-out <file>", "--self-signed: also write the CA bundle (PEM) to this file")
    .option(
      "--kubeconfig <file>",
      "the cluster whose Namespaces and inventory kinds are watched, for policies that read them (default: $KUBECONFIG, ~/.kube/config, else the pod's service account)",
    )
    .option("--context <name>", "the kubeconfig context (default: its current one)")
    .addOption(
      new Option(
        "--unsynced <mode>",
        "a deny policy whose watch cache is not synced yet: deny the review (retry later) or allow it with a warning",
      )
        .choices(["deny", "allow"])
        .default("deny"),
    )
    .option(
      "--now <time>",
      "the clock exceptions expire by: YYYY-MM-DD or an RFC 3339 date-time (default: each review's time)",
    )
    .option(
      "--docker-config <file>",
      "image rules: the Docker config.json with the registries' credentials (default: $DOCKER_CONFIG/config.json, ~/.docker/config.json)",
    )
    .option(
      "--insecure-registry <host...>",
      "image rules: registries (host[:port]) read over plain HTTP besides loopback ones",
    )
    .option(
      "--trusted-root <file>",
      "image rules: the Sigstore trusted_root.json of keyless attestors that name none",
    )
    .option(
      "--image-deadline <seconds>",
      "image rules: every registry read of a review finishes within this, else the images are errors (denied); keep it below the webhook's timeout",
      parseImageDeadline,
      7,
    )
    .option(
      "--decision-log-dir <dir>",
      "append each decision to <dir>/decisions-NNNNNN.jsonl (what charter audit --logs reads)",
    )
    .option(
      "--decision-log-url <url>",
      "also POST decisions in gzipped batches to charter serve's /logs, e.g. http://charter-serve:8282/logs",
    )
    .option(
      "--decision-log-token-file <file>",
      "--decision-log-url: the bearer token (charter serve --token-file)",
    )
    .option(
      "--decision-log-ca <file>",
      "--decision-log-url: the PEM CA that verifies an https endpoint",
    )
    .addOption(
      new Option("--log-level <level>", "the least level logged (debug logs every review)")
        .choices(["debug", "info", "warn", "error"])
        .default("info"),
    )
    .addHelpText(
      "after",
      `
Routes: POST /validate (admission.k8s.io/v1 AdmissionReview), GET /healthz, GET /readyz (503
until the watch caches are synced), GET /metrics (Prometheus).

Each review is judged as charter check judges the object (policies, params, exceptions and
systemNamespaces from charter.config.ts), with the object as the API server sent it:
  deny failures    allowed: false, status 403 naming every failing policy, rule and message
  warn failures    warnings, one per failing rule (kubectl prints "Warning: ...")
  audit failures   auditAnnotations, one per policy (in the API server's audit log)
  a rule that cannot be judged: denied, with the reason (fail closed)
Policies that read the namespace root or inventory(...) are judged with watch caches of those
kinds (list and watch, from --kubeconfig or in the cluster); until a cache has its first list, a
deny policy that reads it denies ("not synced yet; retry"; --unsynced allow: a warning), a warn
or audit policy warns or annotates.
Image rules read the images' registries (signatures, attestations; one client, what verified
cached for 5 minutes per digest and attestor) within --image-deadline, and the namespace's
Trivy Operator VulnerabilityReports from a watch cache; a registry that is slow, down or
refusing is an error: the request is denied for a deny policy, never admitted unverified.
CREATE and UPDATE judge the new object; DELETE the deleted one, only for policies that list
DELETE in their operations; CONNECT is allowed. Dry runs are judged and logged as dry runs.
Bad input (not JSON, not an admission.k8s.io/v1 AdmissionReview, no uid, over 3 MiB, nested too
deep) is answered 400/413; register the webhook with failurePolicy: Fail so it is refused.

Examples:
  $ charter webhook --self-signed --port 8443 --ca-out ca.pem     # local: prints the caBundle
  $ charter webhook --host 0.0.0.0 --tls-cert /tls/tls.crt --tls-key /tls/tls.key
  $ charter webhook --tls-cert tls.crt --tls-key tls.key --decision-log-dir /var/log/charter
  $ charter webhook --tls-cert tls.crt --tls-key tls.key --decision-log-url http://charter-serve:8282/logs
  $ charter audit --logs /var/log/charter                          # report on what it decided

See docs/cli.md (charter webhook) for the response format and the limits.`,
    )
    .action(async (opts: WebhookOptions) =>
      setExit(await (await import("./commands/webhook.js")).webhook(ctx, opts)),
    );

  program
    .command("dev-cluster")
    .description(
      "run a real Kubernetes control plane on 127.0.0.1 (etcd, kube-apiserver, kube-controller-manager at the pinned release, built by scripts/install-engines.sh) until Ctrl-C",
    )
    .option(
      "--dir <dir>",
      "keep data, keys, logs and kubeconfigs in this folder (default: a temporary one, removed on exit)",
    )
    .option("--json", "print the server, kubeconfigs and audit log as one JSON line")
    .addHelpText(
      "after",
      "\nTwo users authenticate with tokens: an admin (system:masters) and a developer with no role.\nRBAC authorizes; every request is audited at Metadata level (ValidatingAdmissionPolicy Audit\nresults reach only the audit log).\n\nExamples:\n  $ charter dev-cluster\n  $ KUBECONFIG=<admin kubeconfig> .tools/bin/kubectl apply --server-side -f dist/vap/\n  $ charter check --cluster --kubeconfig <admin kubeconfig> --all-namespaces",
    )
    .action(async (opts: DevClusterCommandOptions) =>
      setExit(await (await import("./commands/dev-cluster.js")).devCluster(ctx, opts)),
    );

  const bundleCommand = withPolicies(program.command("bundle"))
    .description(
      "write the Rego target as an OPA bundle (.tar.gz), optionally signed and with policy.wasm",
    )
    .option(
      "-o, --out <file>",
      "the bundle file (written atomically; folders created)",
      "dist/bundle.tar.gz",
    )
    .option(
      "--name <name>",
      "the policy set's name, recorded in the .manifest's metadata",
      "charter",
    )
    .option(
      "--revision <rev>",
      "the .manifest's revision (default: a content hash of the bundle's files)",
    )
    .option(
      "--wasm",
      "also compile the Rego with the real `opa build -t wasm` into policy.wasm (needs opa)",
    )
    .option(
      "--signing-key <file>",
      "sign the bundle: a PEM private key (RS256, ES256) or a file holding the HS256 secret",
    )
    .addOption(
      new Option(
        "--signing-alg <alg>",
        "the signature's algorithm (default RS256, as opa build)",
      ).choices(["RS256", "ES256", "HS256"]),
    )
    .option(
      "--signing-key-id <id>",
      "the key id (JWT kid) OPA's keys: config names the verification key by",
    )
    .option(
      "--signing-scope <scope>",
      "a scope claim; OPA must then be configured with the same signing.scope",
    )
    .enablePositionalOptions()
    .addHelpText(
      "after",
      '\nThe bundle holds charter/**/*.rego, charter/data.json (data.charter.exceptions and\ndata.charter.params: change them without recompiling) and a .manifest with roots ["charter"].\nQuery data.charter.violations with the Kubernetes object as input.\n\nExamples:\n  $ charter bundle                                   write dist/bundle.tar.gz\n  $ charter bundle --out bundles/prod.tar.gz --name prod --select pss:restricted\n  $ charter bundle --wasm                            also policy.wasm (needs opa)\n  $ charter bundle --signing-key key.pem --signing-alg ES256 --signing-key-id ci\n  $ charter bundle verify dist/bundle.tar.gz --verification-key pub.pem --verification-key-id ci\n  $ opa run --server --bundle dist/bundle.tar.gz --verification-key pub.pem --verification-key-id ci --signing-alg ES256',
    )
    .action(async (opts: BundleOptions) =>
      setExit(await (await import("./commands/bundle.js")).bundle(ctx, opts)),
    );
  bundleCommand
    .command("verify")
    .description(
      "check a bundle's signature and every file's digest, as OPA does before activating it",
    )
    .argument("<file>", "the bundle (.tar.gz)")
    .requiredOption(
      "--verification-key <file>",
      "a PEM public key or certificate (RS256, ES256), or a file holding the HS256 secret",
    )
    .option("--verification-key-id <id>", "the key id the signature must name (JWT kid)")
    .addOption(
      new Option(
        "--signing-alg <alg>",
        "the algorithm (default: RS256 for an RSA PEM key, ES256 for EC; HS256 must be named)",
      ).choices(["RS256", "ES256", "HS256"]),
    )
    .option("--scope <scope>", "the scope the signature must carry (default: none)")
    .addHelpText(
      "after",
      "\nExit codes: 0 verified · 1 the bundle fails verification (each problem listed) · 2 unreadable\nbundle or key, or a usage error.\n\nExamples:\n  $ charter bundle verify dist/bundle.tar.gz --verification-key pub.pem\n  $ charter bundle verify dist/bundle.tar.gz --verification-key secret.txt --signing-alg HS256 --verification-key-id ci",
    )
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.output.out(s.trimEnd()),
      writeErr: (s) => ctx.output.err(s.trimEnd()),
    })
    .action(async (file: string, opts: BundleVerifyOptions) => {
      // `charter bundle --signing-alg ES256 verify …` gives the option to `bundle`: refuse it
      // rather than verify with an algorithm the user did not mean.
      const parent = bundleCommand.opts<BundleOptions>();
      const misplaced = [
        parent.signingAlg !== undefined && "--signing-alg",
        parent.signingKey !== undefined && "--signing-key",
        parent.signingKeyId !== undefined && "--signing-key-id",
        parent.signingScope !== undefined && "--signing-scope",
      ].filter(Boolean);
      if (misplaced.length > 0) {
        throw new CharterError(
          `${misplaced.join(", ")} before \`verify\` belongs to \`charter bundle\`, not to \`charter bundle verify\``,
          {},
          "put the options after `verify`: charter bundle verify FILE --verification-key KEY --signing-alg ALG",
        );
      }
      setExit(await (await import("./commands/bundle.js")).bundleVerify(ctx, file, opts));
    });

  for (const command of program.commands) {
    command.exitOverride().configureOutput({
      writeOut: (s) => ctx.output.out(s.trimEnd()),
      writeErr: (s) => ctx.output.err(s.trimEnd()),
    });
  }
  return program;
}
