/**
 * The Kubernetes type table: it is what the generator makes of the pinned kubernetes-models
 * today, and it knows every field the upstream Pod Security Admission fixtures use.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { POD_CONTROLLERS, POD_KIND, type Segment } from "@charter/ir";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type CompactType, K8S_TYPES, kindType } from "../packages/dsl/src/typecheck/k8s-table.js";
import { pathText, resolvePath } from "../packages/dsl/src/typecheck/resolve-path.js";
import { jsonKinds, type Ty } from "../packages/dsl/src/typecheck/types.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const psaRoot = path.resolve(repoRoot, "../shared/conformance/psa");

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return yamlFiles(full);
      return entry.name.endsWith(".yaml") ? [full] : [];
    })
    .sort();
}

/** Every leaf of a JSON value with its path: scalars, nulls, empty lists and objects. */
function leaves(value: unknown, at: Segment[] = []): { path: Segment[]; value: unknown }[] {
  if (Array.isArray(value) && value.length > 0) {
    return value.flatMap((item, index) => leaves(item, [...at, index]));
  }
  if (value !== null && typeof value === "object" && Object.keys(value).length > 0) {
    return Object.entries(value).flatMap(([key, item]) => leaves(item, [...at, key]));
  }
  return [{ path: at, value }];
}

/** Whether a leaf value is one the type allows (null is missing, so always allowed). */
function fits(type: Ty, value: unknown): boolean {
  const kinds = jsonKinds(type);
  if (value === null || !kinds) return true;
  if (Array.isArray(value)) return kinds.has("list");
  if (typeof value === "object") return kinds.has("object");
  if (typeof value === "number") {
    const integerOnly = type.kind === "scalar" && type.scalar === "integer";
    return kinds.has("number") && (!integerOnly || Number.isInteger(value));
  }
  if (typeof value === "string") return kinds.has("string");
  return typeof value === "boolean" && kinds.has("boolean");
}

describe("the Kubernetes type table", () => {
  it("is what `pnpm gen` writes from the installed kubernetes-models", () => {
    const output = execFileSync(process.execPath, ["scripts/gen-k8s-types.mjs", "--check"], {
      cwd: repoRoot,
      encoding: "utf8",
    });
    expect(output).toContain("is up to date");
  });

  it("has a type for Pods and every pod controller, and no dangling reference", () => {
    expect(K8S_TYPES.source).toBe("kubernetes-models@5.1.0");
    for (const kind of [POD_KIND, ...POD_CONTROLLERS]) {
      expect(kindType(kind), `${kind.group}/${kind.kind}`).toBeDefined();
    }
    expect(K8S_TYPES.kinds["/Pod"]).toBe("core.v1.Pod");
    expect(K8S_TYPES.kinds["apps/Deployment"]).toBe("apps.v1.Deployment");
    // GA wins over beta: HorizontalPodAutoscaler is read as autoscaling/v2.
    expect(K8S_TYPES.kinds["autoscaling/HorizontalPodAutoscaler"]).toBe(
      "autoscaling.v2.HorizontalPodAutoscaler",
    );
    const dangling: string[] = [];
    const visit = (type: CompactType, where: string): void => {
      if (typeof type === "string") return;
      if ("ref" in type) {
        if (!K8S_TYPES.types[type.ref]) dangling.push(`${where} → ${type.ref}`);
      } else if ("list" in type) visit(type.list, where);
      else if ("map" in type) visit(type.map, where);
      else
        for (const [name, field] of Object.entries(type.fields)) visit(field, `${where}.${name}`);
    };
    for (const [name, fields] of Object.entries(K8S_TYPES.types)) {
      for (const [field, type] of Object.entries(fields)) visit(type, `${name}.${field}`);
    }
    for (const [kind, name] of Object.entries(K8S_TYPES.kinds)) {
      if (!K8S_TYPES.types[name]) dangling.push(`kind ${kind} → ${name}`);
    }
    expect(dangling).toEqual([]);
  });

  it("tells integers, booleans and int-or-strings apart", () => {
    const container = K8S_TYPES.types["core.v1.Container"];
    const securityContext = K8S_TYPES.types["core.v1.SecurityContext"];
    expect(securityContext?.runAsUser).toBe("integer");
    expect(securityContext?.privileged).toBe("boolean");
    expect(container?.securityContext).toEqual({ ref: "core.v1.SecurityContext" });
    expect(container?.ports).toEqual({ list: { ref: "core.v1.ContainerPort" } });
    expect(K8S_TYPES.types["core.v1.HTTPGetAction"]?.port).toBe("int-or-string");
    expect(K8S_TYPES.types["meta.v1.ObjectMeta"]?.labels).toEqual({ map: "string" });
    expect(K8S_TYPES.types["meta.v1.ManagedFieldsEntry"]?.fieldsV1).toBe("any");
  });
});

describe("the PSA fixtures against the Pod type", () => {
  const files = yamlFiles(psaRoot);
  const podType = kindType(POD_KIND);

  it("finds all 148 fixtures listed in MANIFEST.md", () => {
    expect(files).toHaveLength(148);
    expect(podType).toBeDefined();
  });

  it.each(files.map((file) => ({ file: path.relative(psaRoot, file) })))(
    "$file: every field resolves and every value fits",
    ({ file }) => {
      const pod: unknown = parse(readFileSync(path.join(psaRoot, file), "utf8"));
      const problems: string[] = [];
      for (const leaf of leaves(pod)) {
        const result = resolvePath(podType as Ty, leaf.path, "");
        const where = pathText("", leaf.path);
        if (!result.ok) problems.push(`${where}: ${result.problem.message}`);
        else if (!fits(result.type, leaf.value)) {
          problems.push(
            `${where}: ${JSON.stringify(leaf.value)} does not fit ${JSON.stringify(result.type)}`,
          );
        }
      }
      expect(problems).toEqual([]);
      expect(leaves(pod).length).toBeGreaterThan(3);
    },
  );
});
