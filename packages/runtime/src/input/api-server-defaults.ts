/**
 * What the API server writes into an object before validating admission judges it, for the
 * fields Charter's policies read — so `charter check` of a manifest predicts what admission
 * will say of it (proven by test/cluster/vap-admission.test.ts against kube-apiserver v1.35.8).
 * Objects read from a live cluster are already defaulted; policy cases and the conformance
 * suites are judged as their authors wrote them; `charter check --no-defaults` judges the raw
 * file.
 *
 * The table, with its source in k8s.io/kubernetes v1.35.8:
 *
 * | object | default | source |
 * | --- | --- | --- |
 * | Pod (not a template) | under `spec.hostNetwork: true`, each container's and init container's port without a `hostPort` (or with 0) gets `hostPort: containerPort` | pkg/apis/core/v1/defaults.go `SetDefaults_Pod` → `defaultHostNetworkPorts` |
 * | Pod (not a template) | a container (also init, ephemeral) with a `container.apparmor.security.beta.kubernetes.io/<name>` annotation and no `securityContext.appArmorProfile` gets the profile the annotation names (`runtime/default`, `unconfined`, `localhost/<profile>`), unless it equals the pod's own profile or the pod is a Windows pod | pkg/registry/core/pod/strategy.go `applyAppArmorVersionSkew`, pkg/api/pod/util.go `ApparmorFieldForAnnotation` |
 * | Pod and every pod template | a container (also init, ephemeral) without `imagePullPolicy` (or with `""`) gets `Always` when its image's tag is `latest` (or it has none), `IfNotPresent` otherwise | pkg/apis/core/v1/defaults.go `SetDefaults_Container` |
 * | NetworkPolicy | without `spec.policyTypes` (or with `[]`): `["Ingress"]`, plus `"Egress"` when `spec.egress` has rules | pkg/apis/networking/v1/defaults.go `SetDefaults_NetworkPolicy` |
 * | Namespace | the label `kubernetes.io/metadata.name` set to its name (over any other value) | pkg/apis/core/v1/defaults.go `SetDefaults_Namespace` |
 *
 * Why these: the first two change verdicts (disallow-host-ports, restrict-apparmor-profiles);
 * imagePullPolicy and policyTypes are read by policies whose verdicts were written to come out
 * the same either way when the field is absent (require-image-pull-policy-always,
 * disallow-allow-all-ingress-networkpolicy) but not when it is empty; the Namespace label is what
 * namespace selectors (and a policy parameter naming it) read on a cluster. A value of an unexpected type is left as it is: defaulting never makes
 * a document readable or unreadable, and never throws.
 */
import type { Json, JsonObject, Segment } from "@charter/ir";
import { POD_CONTROLLERS } from "@charter/ir";

const APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/";
const CONTAINER_LISTS = ["containers", "initContainers", "ephemeralContainers"] as const;

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A copy of `object` with `key` set. */
const withField = (object: JsonObject, key: string, value: Json): JsonObject => ({
  ...object,
  [key]: value,
});

/** Each container of a list replaced by `update(container)` (the list left alone if odd). */
function mapContainers(spec: JsonObject, list: string, update: (c: JsonObject) => JsonObject) {
  const containers = spec[list];
  if (!Array.isArray(containers)) return spec;
  return withField(
    spec,
    list,
    containers.map((c) => (isObject(c) ? update(c) : c)),
  );
}

/** The tag of an image reference as Kubernetes' parsers.ParseImageName reads it. */
function imageTag(image: string): string {
  const [name = ""] = image.split("@");
  const lastSlash = name.lastIndexOf("/");
  const colon = name.lastIndexOf(":");
  if (colon > lastSlash) return name.slice(colon + 1);
  // No tag: latest, unless a digest names the image.
  return image.includes("@") ? "" : "latest";
}

function defaultPullPolicy(container: JsonObject): JsonObject {
  // Go cannot tell an empty string from an unset field: "" is defaulted too.
  const unset = container.imagePullPolicy === undefined || container.imagePullPolicy === "";
  if (!unset || typeof container.image !== "string") {
    return container;
  }
  const policy = imageTag(container.image) === "latest" ? "Always" : "IfNotPresent";
  return withField(container, "imagePullPolicy", policy);
}

function defaultPodSpecContainers(spec: JsonObject): JsonObject {
  let out = spec;
  for (const list of CONTAINER_LISTS) out = mapContainers(out, list, defaultPullPolicy);
  return out;
}

function defaultHostPorts(spec: JsonObject): JsonObject {
  if (spec.hostNetwork !== true) return spec;
  const hostPorts = (container: JsonObject): JsonObject => {
    const ports = container.ports;
    if (!Array.isArray(ports)) return container;
    return withField(
      container,
      "ports",
      ports.map((port) =>
        isObject(port) &&
        (port.hostPort === undefined || port.hostPort === 0) &&
        typeof port.containerPort === "number"
          ? withField(port, "hostPort", port.containerPort)
          : port,
      ),
    );
  };
  return mapContainers(mapContainers(spec, "containers", hostPorts), "initContainers", hostPorts);
}

/** The profile an AppArmor annotation names, or undefined when it names none validly. */
function appArmorProfileOf(annotation: string): JsonObject | undefined {
  if (annotation === "unconfined") return { type: "Unconfined" };
  if (annotation === "runtime/default") return { type: "RuntimeDefault" };
  if (annotation.startsWith("localhost/")) {
    const profile = annotation.slice("localhost/".length);
    // ValidateAppArmorProfileField: not empty, not padded with whitespace, at most 4095 bytes.
    if (profile !== "" && profile.trim() === profile && Buffer.byteLength(profile) <= 4095) {
      return { type: "Localhost", localhostProfile: profile };
    }
  }
  return undefined;
}

const sameProfile = (a: JsonObject, b: Json | undefined) =>
  isObject(b) && a.type === b.type && (a.localhostProfile ?? null) === (b.localhostProfile ?? null);

function syncAppArmorAnnotations(metadata: JsonObject, spec: JsonObject): JsonObject {
  const annotations = metadata.annotations;
  if (!isObject(annotations)) return spec;
  if (isObject(spec.os) && spec.os.name === "windows") return spec;
  const podSecurity = spec.securityContext;
  const podProfile = isObject(podSecurity) ? podSecurity.appArmorProfile : undefined;
  const sync = (container: JsonObject): JsonObject => {
    if (typeof container.name !== "string") return container;
    const annotation = annotations[`${APPARMOR_ANNOTATION}${container.name}`];
    if (typeof annotation !== "string") return container;
    const security = container.securityContext;
    if (security !== undefined && security !== null && !isObject(security)) return container;
    if (isObject(security) && security.appArmorProfile !== undefined) return container;
    const profile = appArmorProfileOf(annotation);
    if (profile === undefined || sameProfile(profile, podProfile)) return container;
    return withField(container, "securityContext", {
      ...(isObject(security) ? security : {}),
      appArmorProfile: profile,
    });
  };
  let out = spec;
  for (const list of CONTAINER_LISTS) out = mapContainers(out, list, sync);
  return out;
}

/** The pod template of a controller: where its pod spec is, as a path of keys. */
function templatePath(object: JsonObject): readonly Segment[] | undefined {
  const controller = POD_CONTROLLERS.find(
    (c) => c.kind === object.kind && c.apiVersion === object.apiVersion,
  );
  return controller?.template;
}

function updateAt(
  object: JsonObject,
  path: readonly Segment[],
  update: (o: JsonObject) => JsonObject,
): JsonObject {
  const [head, ...rest] = path;
  if (head === undefined) return update(object);
  if (typeof head !== "string") return object;
  const child = object[head];
  if (!isObject(child)) return object;
  return withField(object, head, updateAt(child, rest, update));
}

/** `object` as the API server would hand it to validating admission (see the table above). */
export function applyApiServerDefaults(object: Json): Json {
  if (!isObject(object) || typeof object.apiVersion !== "string") return object;
  if (object.kind === "Pod" && object.apiVersion === "v1") {
    const spec = object.spec;
    if (!isObject(spec)) return object;
    const metadata = isObject(object.metadata) ? object.metadata : {};
    const defaulted = syncAppArmorAnnotations(
      metadata,
      defaultHostPorts(defaultPodSpecContainers(spec)),
    );
    return withField(object, "spec", defaulted);
  }
  if (object.kind === "NetworkPolicy" && object.apiVersion === "networking.k8s.io/v1") {
    const spec = object.spec;
    const unset =
      spec === undefined ||
      (isObject(spec) &&
        (spec.policyTypes === undefined ||
          (Array.isArray(spec.policyTypes) && spec.policyTypes.length === 0)));
    if (!isObject(spec) || !unset) return object;
    const egress = Array.isArray(spec.egress) && spec.egress.length > 0;
    return withField(object, "spec", {
      ...spec,
      policyTypes: egress ? ["Ingress", "Egress"] : ["Ingress"],
    });
  }
  if (object.kind === "Namespace" && object.apiVersion === "v1") {
    const metadata = object.metadata;
    if (!isObject(metadata) || typeof metadata.name !== "string") return object;
    const labels = metadata.labels;
    if (labels !== undefined && labels !== null && !isObject(labels)) return object;
    return withField(object, "metadata", {
      ...metadata,
      labels: { ...(isObject(labels) ? labels : {}), "kubernetes.io/metadata.name": metadata.name },
    });
  }
  const template = templatePath(object);
  if (template === undefined) return object;
  return updateAt(object, [...template, "spec"], defaultPodSpecContainers);
}
