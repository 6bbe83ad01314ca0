import type { Json } from "@charter/ir";
import { describe, expect, it } from "vitest";
import { applyApiServerDefaults } from "./api-server-defaults.js";

/** The defaults of a literal object (the literals' inferred types are not `Json`). */
const defaults = (object: unknown): Json => applyApiServerDefaults(object as Json);

const pod = (spec: unknown, annotations?: Record<string, string>): unknown => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "p", ...(annotations ? { annotations } : {}) },
  spec,
});
const specOf = (object: unknown) => (object as { spec: Record<string, Json> }).spec;

describe("the API server's defaults before admission", () => {
  it("gives each port its containerPort as hostPort under hostNetwork, in Pods only", () => {
    const spec = {
      hostNetwork: true,
      containers: [
        {
          name: "a",
          image: "x:1",
          ports: [
            { containerPort: 80 },
            { containerPort: 81, hostPort: 0 },
            { containerPort: 82, hostPort: 9 },
          ],
        },
      ],
      initContainers: [{ name: "i", image: "x:1", ports: [{ containerPort: 90 }] }],
    };
    const defaulted = specOf(defaults(pod(spec)));
    expect(defaulted.containers).toMatchObject([
      { ports: [{ hostPort: 80 }, { hostPort: 81 }, { hostPort: 9 }] },
    ]);
    expect(defaulted.initContainers).toMatchObject([{ ports: [{ hostPort: 90 }] }]);
    const deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      spec: { template: { spec } },
    };
    const template = (
      defaults(deployment) as {
        spec: { template: { spec: { containers: { ports: Json[] }[] } } };
      }
    ).spec.template.spec;
    expect(template.containers[0]?.ports[0]).toEqual({ containerPort: 80 });
  });

  it("leaves ports alone without hostNetwork: true, and odd values as they are", () => {
    for (const hostNetwork of [false, "true", undefined]) {
      const spec = {
        hostNetwork,
        containers: [
          { name: "a", image: "x:1", imagePullPolicy: "Always", ports: [{ containerPort: 80 }] },
        ],
      };
      expect(specOf(defaults(pod(spec))).containers).toEqual(spec.containers);
    }
    const odd = { hostNetwork: true, containers: [{ name: "a", ports: "80" }, "c", null] };
    expect(specOf(defaults(pod(odd))).containers).toEqual(odd.containers);
    for (const object of [
      null,
      3,
      "x",
      [],
      { kind: "Pod" },
      { apiVersion: "v1", kind: "Pod", spec: "s" },
    ]) {
      expect(applyApiServerDefaults(object as Json)).toEqual(object);
    }
  });

  it("copies AppArmor annotations into containers without a profile, as the server does", () => {
    const key = (name: string) => `container.apparmor.security.beta.kubernetes.io/${name}`;
    const spec = {
      containers: [
        { name: "a", image: "x:1" },
        {
          name: "b",
          image: "x:1",
          securityContext: { appArmorProfile: { type: "RuntimeDefault" } },
        },
        { name: "c", image: "x:1" },
        { name: "d", image: "x:1" },
      ],
      ephemeralContainers: [{ name: "e", image: "x:1" }],
    };
    const defaulted = specOf(
      defaults(
        pod(spec, {
          [key("a")]: "unconfined",
          [key("b")]: "unconfined",
          [key("c")]: "localhost/",
          [key("d")]: "localhost/my-profile",
          [key("e")]: "runtime/default",
        }),
      ),
    );
    expect(defaulted.containers).toEqual([
      {
        name: "a",
        image: "x:1",
        imagePullPolicy: "IfNotPresent",
        securityContext: { appArmorProfile: { type: "Unconfined" } },
      },
      {
        name: "b",
        image: "x:1",
        imagePullPolicy: "IfNotPresent",
        securityContext: { appArmorProfile: { type: "RuntimeDefault" } },
      },
      { name: "c", image: "x:1", imagePullPolicy: "IfNotPresent" },
      {
        name: "d",
        image: "x:1",
        imagePullPolicy: "IfNotPresent",
        securityContext: { appArmorProfile: { type: "Localhost", localhostProfile: "my-profile" } },
      },
    ]);
    expect(defaulted.ephemeralContainers).toMatchObject([
      { securityContext: { appArmorProfile: { type: "RuntimeDefault" } } },
    ]);
  });

  it("does not copy a profile equal to the pod's own, nor for a Windows pod", () => {
    const annotations = { "container.apparmor.security.beta.kubernetes.io/a": "runtime/default" };
    const same = {
      securityContext: { appArmorProfile: { type: "RuntimeDefault" } },
      containers: [{ name: "a", image: "x:1" }],
    };
    expect(specOf(defaults(pod(same, annotations))).containers).toEqual([
      { name: "a", image: "x:1", imagePullPolicy: "IfNotPresent" },
    ]);
    const windows = { os: { name: "windows" }, containers: [{ name: "a", image: "x:1" }] };
    expect(specOf(defaults(pod(windows, annotations))).containers).toEqual([
      { name: "a", image: "x:1", imagePullPolicy: "IfNotPresent" },
    ]);
  });

  it("defaults imagePullPolicy by the image's tag, in Pods and every pod template", () => {
    const images: [string, string][] = [
      ["nginx", "Always"],
      ["nginx:latest", "Always"],
      ["nginx:1.27", "IfNotPresent"],
      ["localhost:5000/app", "Always"],
      ["localhost:5000/app:dev", "IfNotPresent"],
      [`app@sha256:${"a".repeat(64)}`, "IfNotPresent"],
      [`app:latest@sha256:${"a".repeat(64)}`, "Always"],
    ];
    for (const [image, policy] of images) {
      const cronJob = {
        apiVersion: "batch/v1",
        kind: "CronJob",
        spec: {
          jobTemplate: { spec: { template: { spec: { containers: [{ name: "a", image }] } } } },
        },
      };
      const defaulted = defaults(cronJob) as {
        spec: {
          jobTemplate: {
            spec: { template: { spec: { containers: { imagePullPolicy: string }[] } } };
          };
        };
      };
      expect(
        defaulted.spec.jobTemplate.spec.template.spec.containers[0]?.imagePullPolicy,
        image,
      ).toBe(policy);
    }
    const set = { name: "a", image: "nginx", imagePullPolicy: "Never" };
    expect(specOf(defaults(pod({ containers: [set] }))).containers).toEqual([set]);
  });

  it("defaults a NetworkPolicy's policyTypes from its rules", () => {
    const policy = (spec: unknown) => ({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      spec,
    });
    expect(specOf(defaults(policy({ podSelector: {} }))).policyTypes).toEqual(["Ingress"]);
    expect(specOf(defaults(policy({ egress: [{}] }))).policyTypes).toEqual(["Ingress", "Egress"]);
    expect(specOf(defaults(policy({ policyTypes: ["Egress"] }))).policyTypes).toEqual(["Egress"]);
    expect(specOf(defaults(policy({ policyTypes: [] }))).policyTypes).toEqual(["Ingress"]);
    expect(specOf(defaults(policy({ policyTypes: "x" }))).policyTypes).toEqual("x");
  });

  it("labels a Namespace with its name, and defaults an empty imagePullPolicy", () => {
    const namespace = (metadata: unknown) => ({ apiVersion: "v1", kind: "Namespace", metadata });
    expect(
      defaults(namespace({ name: "a", labels: { "kubernetes.io/metadata.name": "b", x: "y" } })),
    ).toEqual(namespace({ name: "a", labels: { "kubernetes.io/metadata.name": "a", x: "y" } }));
    expect(defaults(namespace({ name: "a" }))).toEqual(
      namespace({ name: "a", labels: { "kubernetes.io/metadata.name": "a" } }),
    );
    for (const odd of [{ name: 1 }, { name: "a", labels: "l" }, "m"]) {
      expect(defaults(namespace(odd))).toEqual(namespace(odd));
    }
    const empty = { name: "a", image: "nginx", imagePullPolicy: "" };
    expect(specOf(defaults(pod({ containers: [empty] }))).containers).toEqual([
      { ...empty, imagePullPolicy: "Always" },
    ]);
  });
});
