import { list, pod, podWith, policy, string, when } from "@charter/dsl";
import { type JsonObject, withParams } from "@charter/ir";
import { findOpa } from "@charter/runtime";
import { afterEach, describe, expect, it, vi } from "vitest";
import { expectPolicy, PolicyExpectationError } from "./index.js";

const noLatest = policy("no-latest-or-privileged", {
  title: "No latest tag, no privileged container",
  description: "A small policy for the tests of @charter/testing.",
  severity: "high",
  category: "Test",
  match: pod,
  rules: {
    latestTag: {
      fail: when`any c in pod.containers: c.image endsWith ":latest"`,
      message: "container {{c.name}} uses {{c.image}}",
    },
    privileged: {
      fail: when`any c in pod.containers: c.securityContext.privileged == true`,
      message: "container {{c.name}} is privileged",
    },
  },
  cases: {
    pass: [{ name: "tagged", resource: podWith() }],
    fail: [{ name: "latest", resource: podWith({ image: "nginx:latest" }), rules: ["latestTag"] }],
  },
});

const needsNetworkPolicy = policy("needs-network-policy", {
  title: "Workloads run where a NetworkPolicy is",
  description: "Reads the scanned set: the NetworkPolicies of the pod's namespace.",
  severity: "medium",
  category: "Test",
  match: pod,
  rules: {
    noNetworkPolicy: {
      fail: when`none np in inventory("networking.k8s.io/v1", "NetworkPolicy", object.metadata.namespace ?? "default"): exists(np.metadata.name)`,
      message: "namespace {{object.metadata.namespace}} has no NetworkPolicy",
    },
  },
  excludeTargets: {
    kyverno: "cannot list other objects at admission",
    vap: "cannot list other objects at admission",
  },
  cases: { pass: [], fail: [] },
});

const latestPod = podWith({ image: "nginx:latest" });
const privilegedPod = podWith({ securityContext: { privileged: true } });
const goodPod = podWith();

const networkPolicy: JsonObject = {
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  metadata: { name: "deny-all", namespace: "default" },
  spec: { podSelector: {} },
};

/** The error an expectation rejects with, for looking at its message. */
async function failure(promise: Promise<void>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw error;
  }
  throw new Error("the expectation held, but it should not have");
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("expectPolicy on the IR engine", () => {
  it("holds for correct expectations", async () => {
    await expectPolicy(noLatest).toPass(goodPod);
    await expectPolicy(noLatest).toFail(latestPod);
    await expectPolicy(noLatest).toFail(latestPod, { rules: ["latestTag"] });
    await expectPolicy(noLatest).toFail(privilegedPod, { rules: ["privileged"] });
    await expectPolicy(noLatest).toFail(latestPod, { message: "uses nginx:latest" });
    await expectPolicy(noLatest).toFail(privilegedPod, {
      rules: ["privileged"],
      message: /is privileged$/,
    });
  });

  it("a resource expected to pass that fails names the policy, resource, rule, engine and message", async () => {
    const error = await failure(expectPolicy(noLatest).toPass(latestPod));
    expect(error).toBeInstanceOf(PolicyExpectationError);
    expect(error.message).toBe(
      `expectPolicy(no-latest-or-privileged).toPass(Pod default/${(latestPod.metadata as JsonObject).name}) does not hold:\n` +
        '  [ir] rule latestTag failed: "container app uses nginx:latest"',
    );
  });

  it("a rule expected to fail that passes is named with the engine", async () => {
    const error = await failure(
      expectPolicy(noLatest).toFail(latestPod, { rules: ["privileged"] }),
    );
    expect(error.message).toContain("expectPolicy(no-latest-or-privileged).toFail(Pod default/");
    expect(error.message).toContain("[ir] expected rule privileged to fail, but it passed");
  });

  it("a resource expected to fail that passes says every rule passed", async () => {
    const error = await failure(expectPolicy(noLatest).toFail(goodPod));
    expect(error.message).toContain("[ir] expected a rule to fail, but every rule passed");
  });

  it("a message that does not match quotes what the rule said", async () => {
    const error = await failure(
      expectPolicy(noLatest).toFail(latestPod, { rules: ["latestTag"], message: "busybox" }),
    );
    expect(error.message).toContain(
      `[ir] no failing rule's message contains "busybox": rule latestTag said "container app uses nginx:latest"`,
    );
  });

  it("a rule the policy does not have is an error that lists its rules", async () => {
    const error = await failure(expectPolicy(noLatest).toFail(latestPod, { rules: ["latest"] }));
    expect(error.message).toContain(
      "the policy has no rule latest; its rules are latestTag, privileged",
    );
  });

  it("a resource the policy does not match is reported, not passed", async () => {
    const configMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings" } };
    const error = await failure(expectPolicy(noLatest).toPass(configMap));
    expect(error.message).toContain("toPass(ConfigMap settings)");
    expect(error.message).toContain("[ir] the policy does not apply to this resource");
  });

  it("judges a cross-resource policy with the given inventory, and only with it", async () => {
    await expectPolicy(needsNetworkPolicy).toFail(goodPod, { rules: ["noNetworkPolicy"] });
    await expectPolicy(needsNetworkPolicy).toPass(goodPod, { inventory: [networkPolicy] });
    const error = await failure(expectPolicy(needsNetworkPolicy).toPass(goodPod));
    expect(error.message).toContain(
      '[ir] rule noNetworkPolicy failed: "namespace default has no NetworkPolicy"',
    );
  });

  it("rejects a value that is not a policy, and an unknown engine", () => {
    expect(() => expectPolicy({} as never)).toThrow(/takes a policy made with policy/);
    expect(() => expectPolicy(noLatest, { engines: ["rego" as never] })).toThrow(
      /unknown engine "rego"/,
    );
    vi.stubEnv("CHARTER_TEST_ENGINES", "ir,nope");
    expect(() => expectPolicy(noLatest)).toThrow(/unknown engine "nope" in CHARTER_TEST_ENGINES/);
  });
});

describe("expectPolicy on several engines", () => {
  it("holds on every engine that can be had, the in-process CEL engines included", async () => {
    await expectPolicy(noLatest, { engines: "all" }).toPass(goodPod);
    await expectPolicy(noLatest, { engines: "all" }).toFail(latestPod, { rules: ["latestTag"] });
    await expectPolicy(noLatest, { engines: ["ir", "kyverno-cel", "vap-cel"] }).toFail(
      privilegedPod,
      { rules: ["privileged"], message: "is privileged" },
    );
  });

  it("names each engine on which an expectation does not hold", async () => {
    const error = await failure(
      expectPolicy(noLatest, { engines: ["ir", "kyverno-cel", "vap-cel"] }).toPass(privilegedPod),
    );
    for (const engine of ["ir", "kyverno-cel", "vap-cel"]) {
      expect(error.message).toContain(
        `[${engine}] rule privileged failed: "container app is privileged"`,
      );
    }
  });

  it("leaves out the engines whose target cannot express the policy", async () => {
    await expectPolicy(needsNetworkPolicy, { engines: "all" }).toPass(goodPod, {
      inventory: [networkPolicy],
    });
  });

  it("$CHARTER_TEST_ENGINES picks the engines when the expectation does not", async () => {
    vi.stubEnv("CHARTER_TEST_ENGINES", "ir,vap-cel");
    const error = await failure(expectPolicy(noLatest).toPass(latestPod));
    expect(error.message).toContain("[ir] rule latestTag");
    expect(error.message).toContain("[vap-cel] rule latestTag");
  });

  it.runIf(findOpa())(
    "runs the real OPA, its WASM build and Gatekeeper when asked by name",
    async () => {
      await expectPolicy(noLatest, { engines: ["ir", "opa", "wasm", "gatekeeper"] }).toFail(
        latestPod,
        {
          rules: ["latestTag"],
          message: "nginx:latest",
        },
      );
    },
  );

  it("an engine asked for by name that is missing is an error saying how to get it", async () => {
    vi.stubEnv("CHARTER_OPA", "/nonexistent/opa");
    const error = await failure(expectPolicy(noLatest, { engines: ["opa"] }).toPass(goodPod));
    expect(error.message).toMatch(/the opa engine was asked for, but there is no opa binary/);
  });
});

describe("image rules", () => {
  const KEY =
    "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEMqgpxVx3/FtXOi3z2HRT/Np5mjtC\nO1w/9weGvBnUShpvlBFa3Y2pwC/3hApyr/gjPpRMbgdvgsoHIRyCOMZvtA==\n-----END PUBLIC KEY-----\n";
  const signed = policy("signed-by-ci", {
    title: "Images are signed by CI",
    severity: "high",
    category: "Test",
    match: pod,
    images: { attestors: { ci: { key: KEY } }, require: { signed: { signedBy: ["ci"] } } },
  });
  const image = `registry.example.com/app@sha256:${"a".repeat(64)}`;
  const facts = (signatures: { attestor: string }[]) => ({
    [image]: { reference: image, digest: `sha256:${"a".repeat(64)}`, signatures, attestations: [] },
  });

  it("judges the facts it is told, as a case's images", async () => {
    await expectPolicy(signed).toPass(podWith({ image }), {
      images: facts([{ attestor: "ci" }]),
    });
    await expectPolicy(signed).toFail(podWith({ image }), {
      images: facts([]),
      rules: ["signed"],
      message: "is not signed by ci",
    });
  });

  it("holds no expectation on images nobody described or verified", async () => {
    await expect(expectPolicy(signed).toPass(podWith({ image }))).rejects.toThrow(
      /\[ir\] rule signed could not be evaluated: .*nobody read its registry/,
    );
    await expect(
      expectPolicy(signed).toFail(podWith({ image }), { rules: ["signed"] }),
    ).rejects.toThrow(PolicyExpectationError);
  });

  it("verifyImages reads the registry: one that cannot be reached is an error, never a pass", async () => {
    const unreachable = `127.0.0.1:9/app@sha256:${"b".repeat(64)}`;
    await expect(
      expectPolicy(signed).toPass(podWith({ image: unreachable }), { verifyImages: true }),
    ).rejects.toThrow(/\[ir\] rule signed could not be evaluated: .*127\.0\.0\.1:9/);
  });

  it("verifyImages refuses a policy whose keys parameter lists none, naming it", async () => {
    const fromParam = policy("signed-by-team", {
      title: "Images are signed by one of the team's keys",
      severity: "high",
      category: "Test",
      match: pod,
      params: { publicKeys: list(string()).default([]) },
      images: {
        attestors: { team: { keysFrom: "publicKeys" } },
        require: { signed: { signedBy: ["team"] } },
      },
    });
    await expect(
      expectPolicy(fromParam).toPass(podWith({ image }), { verifyImages: true }),
    ).rejects.toThrow(/^not configured: .*parameter publicKeys, which lists none/);
    // Given keys, it reads the registry like any other: unreachable is an error, never a pass.
    const unreachable = `127.0.0.1:9/app@sha256:${"b".repeat(64)}`;
    await expect(
      expectPolicy(withParams(fromParam, { publicKeys: [KEY] })).toPass(
        podWith({ image: unreachable }),
        { verifyImages: true },
      ),
    ).rejects.toThrow(/\[ir\] rule signed could not be evaluated: .*127\.0\.0\.1:9/);
  });
});
