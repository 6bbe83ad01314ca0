import { HOSTILE, input, row } from "@charter/test-support/report-rows";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { toJunit } from "./junit.js";

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "",
  htmlEntities: true,
  trimValues: false,
  parseAttributeValue: false,
  parseTagValue: false,
  isArray: (name) => ["testsuite", "testcase"].includes(name),
});

describe("JUnit XML", () => {
  it("one suite per policy, one testcase per row, counted", () => {
    const xml = toJunit(
      input([
        row(),
        row({ result: "pass", resource: { apiVersion: "v1", kind: "Pod", name: "ok" } }),
        row({ policy: "other", rule: "r", result: "skip", message: "no pod template" }),
        row({ policy: "other", rule: "r", result: "error", message: "boom" }),
      ]),
    );
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = parser.parse(xml);
    expect(doc.testsuites).toMatchObject({ tests: "4", failures: "1", errors: "1", skipped: "1" });
    const [first, second] = doc.testsuites.testsuite;
    expect(first).toMatchObject({
      name: "disallow-privileged-containers",
      tests: "2",
      failures: "1",
    });
    expect(first.timestamp).toBe("2026-03-04T05:06:07");
    expect(first.testcase[0]).toMatchObject({
      name: "privileged: Pod team-a/app",
      classname: "disallow-privileged-containers",
      file: "k8s/app.yaml",
      line: "3",
      failure: { message: "container app is privileged", type: "deny" },
    });
    expect(first.testcase[1].failure).toBeUndefined();
    expect(second.testcase[0].skipped).toMatchObject({ message: "no pod template" });
    expect(second.testcase[1].error).toMatchObject({ message: "boom" });
  });

  it("a hostile message is well-formed XML and reads back as written", () => {
    const xml = toJunit(input([row({ message: HOSTILE, rule: "x]]>y" })]));
    expect(XMLValidator.validate(xml)).toBe(true);
    // What the lenient validator does not check: XML 1.0 characters only, no CDATA end.
    expect(xml).toMatch(/^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u);
    expect(xml).not.toContain("]]>");
    expect(xml).not.toContain("CDATA");
    const testcase = parser.parse(xml).testsuites.testsuite[0].testcase[0];
    // Characters XML cannot hold are spelled out; everything else is exactly the message.
    const representable = HOSTILE.replaceAll("\u0001", "\\u0001")
      .replaceAll("\u0008", "\\u0008")
      .replaceAll("\u001f", "\\u001f")
      .replace(/\uFFFE/g, "\\ufffe")
      .replace(/\uD800/g, "\uFFFD");
    expect(testcase.failure.message).toBe(representable);
    expect(testcase.failure["#text"].split("\nresource: ")[0]).toBe(representable);
    expect(testcase.name).toBe("x]]>y: Pod team-a/app");
  });
});
