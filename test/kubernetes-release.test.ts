/**
 * One Kubernetes release for every Go tool of the repo that links Kubernetes code: the module
 * tools/kubernetes pins it (k8s.io/kubernetes vX.Y.Z, every staging module replaced by its
 * published v0.Y.Z), and the CEL judge, the manifest decoder and the control plane
 * (kube-apiserver, kube-controller-manager, kubectl, etcd) are built from it. And the control
 * plane scripts/install-kubernetes.sh installs is found only in .tools, reports that release,
 * and is required under CI=true.
 */
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  findKubernetesBinaries,
  findKubernetesBinary,
  KUBERNETES_BINARIES,
  type KubernetesBinary,
  kubernetesBinariesForTests,
  pinnedKubernetes,
} from "@charter/test-support/kubernetes-binaries";
import { afterAll, describe, expect, it, vi } from "vitest";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const moduleDir = path.join(repoRoot, "tools", "kubernetes");
const goMod = readFileSync(path.join(moduleDir, "go.mod"), "utf8");
const pinned = pinnedKubernetes();
const staging = `0.${pinned.kubernetes.split(".").slice(1).join(".")}`;

/** `module => replacement version` of every replace line of tools/kubernetes/go.mod. */
function replaces(): Map<string, { to: string; version: string }> {
  const lines = [...goMod.matchAll(/^\s*(\S+) => (\S+) (v\S+)\s*$/gm)];
  return new Map(
    lines.map(([, from, to, version]) => [
      from as string,
      { to: to as string, version: version as string },
    ]),
  );
}

/** `module version` of every require line of a go.mod. */
function requires(text: string): Map<string, string> {
  const block = [...text.matchAll(/^require \(\n([\s\S]*?)^\)/gm)]
    .map((m) => m[1] ?? "")
    .join("\n");
  const single = [...text.matchAll(/^require (\S+ \S+)/gm)].map((m) => m[1] ?? "").join("\n");
  const entries = `${block}\n${single}`
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length >= 2 && fields[1]?.startsWith("v"));
  return new Map(entries.map(([module, version]) => [module as string, version as string]));
}

function goModules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return goModules(full);
    return entry.name === "go.mod" ? [full] : [];
  });
}

describe("one Kubernetes release in tools/kubernetes", () => {
  it("pins k8s.io/kubernetes and etcd", () => {
    expect(pinned.kubernetes).toMatch(/^1\.\d+\.\d+$/);
    expect(pinned.etcd).toMatch(/^3\.\d+\.\d+$/);
  });

  it("replaces every staging module with its published release of the same Kubernetes release", () => {
    const replaced = replaces();
    expect(replaced.size).toBeGreaterThan(20);
    for (const [from, { to, version }] of replaced) {
      expect(`${from} => ${to} ${version}`).toBe(`${from} => ${from} v${staging}`);
    }
    // Every Kubernetes-versioned module the build requires is one of them, so none can drift
    // (k8s.io/kubernetes requires its staging modules at v0.0.0: unreplaced, they do not resolve).
    for (const [module, version] of requires(goMod)) {
      if (replaced.has(module)) {
        expect([`v${staging}`, "v0.0.0"], `${module} ${version}`).toContain(version);
      } else {
        expect(version, `${module} is required at v0.0.0 but not replaced`).not.toBe("v0.0.0");
      }
    }
    for (const module of [
      "k8s.io/api",
      "k8s.io/apimachinery",
      "k8s.io/apiserver",
      "k8s.io/client-go",
      "k8s.io/cli-runtime",
      "k8s.io/component-base",
    ]) {
      expect(replaced.has(module), module).toBe(true);
    }
  });

  it("holds the CEL judge and the manifest decoder as its own packages, not modules of their own", () => {
    for (const tool of ["cel-judge", "k8s-decode"]) {
      expect(existsSync(path.join(moduleDir, tool, "main.go")), tool).toBe(true);
      expect(existsSync(path.join(moduleDir, tool, "go.mod")), tool).toBe(false);
    }
    // tools.go only keeps the control plane's programs in the requirements: its build tag keeps
    // it (and kube-apiserver's packages) out of `go test ./...` of the module.
    expect(readFileSync(path.join(moduleDir, "tools.go"), "utf8")).toMatch(/^\/\/go:build tools$/m);
  });

  it("is the only Go module of the repo that requires Kubernetes modules, but the generator of the kinds table", () => {
    const others = goModules(path.join(repoRoot, "tools"))
      .filter((file) => path.dirname(file) !== moduleDir)
      .filter((file) =>
        // k8s.io/klog, utils and kube-openapi have releases of their own, not Kubernetes'.
        [...requires(readFileSync(file, "utf8")).keys()].some(
          (m) => m.startsWith("k8s.io/") && !/^k8s\.io\/(klog|utils|kube-openapi)\b/.test(m),
        ),
      )
      .map((file) => path.relative(repoRoot, path.dirname(file)));
    // tools/k8s-kinds generates packages/runtime/src/input/api-versions/known-kinds.gen.json, the
    // kinds of the newest release Charter knows (a 1.35 table would call 1.36's
    // admissionregistration.k8s.io/v1 MutatingAdmissionPolicy a custom resource); it is never
    // installed or run by a test, so it does not judge anything at another release.
    expect(others).toEqual(["tools/k8s-kinds"]);
    const kinds = requires(
      readFileSync(path.join(repoRoot, "tools", "k8s-kinds", "go.mod"), "utf8"),
    );
    const kindsMinor = Number((kinds.get("k8s.io/client-go") ?? "v0.0.0").split(".")[1]);
    expect(kindsMinor).toBeGreaterThanOrEqual(Number(pinned.kubernetes.split(".")[1]));
  });
});

describe("the control plane's binaries", () => {
  const scratch = mkdtempSync(path.join(tmpdir(), "charter-kubernetes-find-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  function fakeCheckout(names: readonly KubernetesBinary[]): string {
    const checkout = mkdtempSync(path.join(scratch, "checkout-"));
    mkdirSync(path.join(checkout, ".tools", "bin"), { recursive: true });
    for (const name of names) {
      const file = path.join(checkout, ".tools", "bin", name);
      writeFileSync(file, "#!/bin/sh\n");
      chmodSync(file, 0o755);
    }
    return checkout;
  }

  it("are found in .tools/bin, or where an environment variable says", () => {
    const checkout = fakeCheckout(KUBERNETES_BINARIES);
    const found = findKubernetesBinaries({ repo: checkout, env: {} });
    expect(found?.["kube-apiserver"]).toBe(path.join(checkout, ".tools", "bin", "kube-apiserver"));
    const other = path.join(fakeCheckout(["kubectl"]), ".tools", "bin", "kubectl");
    expect(
      findKubernetesBinary("kubectl", { repo: checkout, env: { CHARTER_KUBECTL: other } }),
    ).toBe(other);
  });

  it("are never taken from PATH, and an explicit path that does not exist is not replaced", () => {
    const onPath = path.join(fakeCheckout(KUBERNETES_BINARIES), ".tools", "bin");
    const empty = fakeCheckout([]);
    expect(findKubernetesBinary("kubectl", { repo: empty, env: { PATH: onPath } })).toBeUndefined();
    const installed = fakeCheckout(KUBERNETES_BINARIES);
    const env = { CHARTER_ETCD: path.join(scratch, "no-such-etcd") };
    expect(findKubernetesBinary("etcd", { repo: installed, env })).toBeUndefined();
  });

  it("are required under CI=true, and missing otherwise skip loudly", () => {
    const partial = fakeCheckout(["kube-apiserver", "etcd"]);
    expect(() =>
      kubernetesBinariesForTests("the cluster tests", { repo: partial, env: { CI: "true" } }),
    ).toThrow(/missing kube-controller-manager .*kubectl .*install-kubernetes\.sh.*CI=true/);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      expect(
        kubernetesBinariesForTests("the cluster tests", { repo: partial, env: {} }),
      ).toBeUndefined();
      expect(warn).toHaveBeenCalledWith(expect.stringContaining("SKIPPING the cluster tests"));
    } finally {
      warn.mockRestore();
    }
  });

  it("installed, each reports the pinned release", () => {
    const binaries = kubernetesBinariesForTests("the version check of the installed control plane");
    if (binaries === undefined) return;
    const ask = (name: KubernetesBinary): string => {
      const args = name === "kubectl" ? ["version", "--client"] : ["--version"];
      const run = spawnSync(binaries[name], args, {
        encoding: "utf8",
        env: { ...process.env, KUBECONFIG: "/dev/null" },
      });
      return `${run.stdout}${run.stderr}`;
    };
    expect(ask("kube-apiserver").split("\n")).toContain(`Kubernetes v${pinned.kubernetes}`);
    expect(ask("kube-controller-manager").split("\n")).toContain(
      `Kubernetes v${pinned.kubernetes}`,
    );
    expect(ask("kubectl").split("\n")).toContain(`Client Version: v${pinned.kubernetes}`);
    expect(ask("etcd").split("\n")).toContain(`etcd Version: ${pinned.etcd}`);
  });
});
