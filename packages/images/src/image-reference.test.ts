import { describe, expect, it } from "vitest";
import { canonicalReference, parseImageReference } from "./image-reference.js";

const digest = `sha256:${"ab".repeat(32)}`;

function canonical(written: string): string {
  const parsed = parseImageReference(written);
  if (!parsed.ok) throw new Error(parsed.reason);
  return canonicalReference(parsed.reference);
}

describe("image references, as distribution/reference reads them", () => {
  it.each([
    ["nginx", "docker.io/library/nginx:latest"],
    ["nginx:1.27", "docker.io/library/nginx:1.27"],
    ["org/app:v1", "docker.io/org/app:v1"],
    ["index.docker.io/library/nginx:1", "docker.io/library/nginx:1"],
    ["ghcr.io/org/team/app:v1", "ghcr.io/org/team/app:v1"],
    ["127.0.0.1:5000/app:v1", "127.0.0.1:5000/app:v1"],
    ["localhost/app", "localhost/app:latest"],
    [`ghcr.io/org/app@${digest}`, `ghcr.io/org/app@${digest}`],
    [`ghcr.io/org/app:v1@${digest}`, `ghcr.io/org/app:v1@${digest}`],
    ["my_org/app__x-y.z:TAG_1.0-rc", "docker.io/my_org/app__x-y.z:TAG_1.0-rc"],
  ])("%s is %s", (written, expected) => {
    expect(canonical(written)).toBe(expected);
  });

  it.each([
    ["", "empty"],
    ["Nginx", "lower-case"],
    ["ghcr.io/org/app@sha256:abc", "digest"],
    ["app:-bad", "tag"],
    ["ghcr.io:x/app", "host[:port]"],
    ["org//app", "path component"],
    [`${"a".repeat(256)}`, "255"],
  ])("%j is refused (%s)", (written, why) => {
    const parsed = parseImageReference(written);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toContain(why);
  });
});
