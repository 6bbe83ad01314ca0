import { CharterError } from "@charter/ir";
import { describe, expect, it } from "vitest";
import {
  all,
  and,
  any,
  type Cond,
  exists,
  keys,
  kinds,
  len,
  lit,
  MATCH,
  none,
  not,
  or,
  params,
  pod,
  resource,
  type Value,
} from "./builder.js";
import { when } from "./when.js";

/** Each row: the same condition written as a template and with the builder. */
const parity: { note: string; template: Cond; builder: Value }[] = [
  {
    note: "privileged container",
    template: when`any c in pod.containers: c.securityContext.privileged == true`,
    builder: any("c", pod.containers, (c) => c.at("securityContext.privileged").eq(true)),
  },
  {
    note: "registries (not any is none)",
    template: when`any c in pod.containers: not any r in params.allowed: c.image startsWith r`,
    builder: any("c", pod.containers, (c) =>
      none("r", params.at("allowed"), (r) => c.at("image").startsWith(r)),
    ),
  },
  {
    note: "three-way and flattens",
    template: when`pod.spec.hostNetwork == true and pod.spec.hostPID == true and pod.spec.hostIPC == true`,
    builder: pod.spec
      .at("hostNetwork")
      .eq(true)
      .and(pod.spec.at("hostPID").eq(true))
      .and(pod.spec.at("hostIPC").eq(true)),
  },
  {
    note: "free and/or flatten",
    template: when`object.a == 1 or object.b == 2 or (object.c == 3 and object.d == 4)`,
    builder: or(
      resource.at("a").eq(1),
      or(resource.at("b").eq(2)),
      and(resource.at("c").eq(3), resource.at("d").eq(4)),
    ),
  },
  {
    note: "comparisons",
    template: when`object.n != 1 and object.n < 2 and object.n <= 3 and object.n > 4 and object.n >= 5`,
    builder: and(
      resource.at("n").ne(1),
      resource.at("n").lt(2),
      resource.at("n").le(3),
      resource.at("n").gt(4),
      resource.at("n").ge(5),
    ),
  },
  {
    note: "literal list",
    template: when`pod.spec.restartPolicy in ["Always", "OnFailure"]`,
    builder: pod.spec.at("restartPolicy").in(["Always", "OnFailure"]),
  },
  {
    note: "list with a path",
    template: when`"x" in [object.a, "y"]`,
    builder: lit("x").in([resource.at("a"), "y"]),
  },
  {
    note: "string operators",
    template: when`object.s endsWith ":latest" or object.s contains "@" or object.s matches "^a[0-9]+$" or object.s glob "*.io/*"`,
    builder: or(
      resource.at("s").endsWith(":latest"),
      resource.at("s").contains("@"),
      resource.at("s").matches("^a[0-9]+$"),
      resource.at("s").glob("*.io/*"),
    ),
  },
  {
    note: "exists, ?? and len",
    template: when`exists(pod.metadata.labels) and len(pod.spec.volumes ?? []) > 0`,
    builder: and(exists(pod.metadata.at("labels")), len(pod.spec.at("volumes").orElse([])).gt(0)),
  },
  {
    note: "method forms of exists and len",
    template: when`not exists(object.a.b) or len(object.c) == 2`,
    builder: resource.at("a.b").exists().not().or(resource.at("c").len().eq(2)),
  },
  {
    note: "keys, free and method forms",
    template: when`any k in keys(pod.metadata.annotations): k startsWith "a/" and len(keys(object.x)) == 0`,
    builder: any("k", keys(pod.metadata.at("annotations")), (k) =>
      k.startsWith("a/").and(resource.at("x").keys().len().eq(0)),
    ),
  },
  {
    note: "a key known at run time, and literal keys after it",
    template: when`any k in keys(pod.metadata.annotations): pod.metadata.annotations[k] == "x" and object.m[object.k]["a"] == 1`,
    builder: any("k", keys(pod.metadata.at("annotations")), (k) =>
      pod.metadata
        .at("annotations")
        .lookup(k)
        .eq("x")
        .and(resource.at("m").lookup(resource.at("k")).lookup("a").eq(1)),
    ),
  },
  {
    note: "free not",
    template: when`not object.a == "x"`,
    builder: not(resource.at("a").eq("x")),
  },
  {
    note: "bracket keys and indices",
    template: when`object.metadata.annotations["seccomp.security.alpha.kubernetes.io/pod"] == "x" and object.l[2] == 1`,
    builder: and(
      resource.at('metadata.annotations["seccomp.security.alpha.kubernetes.io/pod"]').eq("x"),
      resource.get("l", 2).eq(1),
    ),
  },
  {
    note: "nested quantifiers",
    template: when`all c in pod.containers: any p in c.ports ?? []: p.containerPort > 1024`,
    builder: all("c", pod.containers, (c) =>
      any("p", c.at("ports").orElse([]), (p) => p.at("containerPort").gt(1024)),
    ),
  },
  {
    note: "bare path as a condition",
    template: when`any c in pod.containers: c.securityContext.privileged`,
    builder: any("c", pod.containers, (c) => c.at("securityContext.privileged")),
  },
  {
    note: "a quantifier inside an and",
    template: when`pod.spec.hostNetwork == true and any c in pod.containers: c.name == "x"`,
    builder: pod.spec
      .at("hostNetwork")
      .eq(true)
      .and(any("c", pod.containers, (c) => c.at("name").eq("x"))),
  },
  {
    note: "null and objects",
    template: when`object.a == null or object.b == ${{}}`.or(lit(false)),
    builder: or(resource.at("a").eq(null), resource.at("b").eq({}), false),
  },
  {
    note: "pod itself",
    template: when`pod.metadata.name == "x"`,
    builder: pod.at("metadata.name").eq("x"),
  },
];

describe("the builder gives the same IR as the template", () => {
  it.each(parity)("$note", ({ template, builder }) => {
    expect(builder.toIR()).toEqual(template.toIR());
  });
});

describe("builder checks", () => {
  it("a variable used outside its quantifier is an error", () => {
    let leaked: Value | undefined;
    const inside = any("c", pod.containers, (c) => {
      leaked = c;
      return c.at("x").eq(1);
    });
    expect(() => inside.toIR()).not.toThrow();
    expect(() => (leaked as Value).at("x").eq(1).toIR()).toThrow(/used outside its `any`/);
  });

  it("rebinding a variable is an error", () => {
    const nested = any("c", pod.containers, () => any("c", pod.containers, (c) => c.at("x")));
    expect(() => nested.toIR()).toThrow("`c` is already bound by an enclosing quantifier");
  });

  it("a regex RE2 rejects is an error at the builder call", () => {
    try {
      resource.at("a").matches("(?<=x)y").toIR();
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CharterError);
      expect((error as CharterError).location.file).toMatch(/builder\.test\.ts$/);
      expect((error as CharterError).message).toMatch(/not a valid RE2 regular expression/);
    }
  });

  it("a bad path string is an error", () => {
    expect(() => resource.at("a..b")).toThrow(/at\("a\.\.b"\)/);
  });

  it("a function as an operand is an error", () => {
    expect(() => resource.at("a").eq((() => 1) as never)).toThrow(/is a function, not JSON/);
  });
});

describe("match markers", () => {
  it("pod matches pods and controllers, pod.only pods alone", () => {
    expect(pod[MATCH]).toEqual({ subject: "pod", controllers: true });
    expect(pod.only[MATCH]).toEqual({ subject: "pod", controllers: false });
  });

  it("kinds takes the group from the apiVersion", () => {
    expect(
      kinds("v1/Service", "apps/v1/Deployment", "networking.k8s.io/v1/NetworkPolicy")[MATCH],
    ).toEqual({
      subject: "kinds",
      kinds: [
        { group: "", kind: "Service" },
        { group: "apps", kind: "Deployment" },
        { group: "networking.k8s.io", kind: "NetworkPolicy" },
      ],
    });
  });

  it("kinds rejects a kind without an apiVersion", () => {
    expect(() => kinds("Service")).toThrow(/is not "apiVersion\/Kind"/);
  });
});
