import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { celJudgeForTests } from "@charter/test-support/cel-judge-for-tests";
import { afterAll, describe, expect, it } from "vitest";
import { findCelJudge } from "./find.js";
import { CelJudgeError, runCelJudge } from "./run.js";

const judge = celJudgeForTests();

const pod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "web", namespace: "shop", labels: { app: "web" } },
  spec: { hostNetwork: true, replicas: 3, nothing: null },
};

describe.skipIf(!judge)("cel-judge on the real Kubernetes CEL environment", () => {
  const judgePath = judge as string;

  it("evaluates every expression on every case, with variables and messages", async () => {
    const output = await runCelJudge(judgePath, {
      variables: [{ name: "hostNetwork", expression: "object.spec.?hostNetwork.orValue(false)" }],
      expressions: [
        {
          id: "no-host-network",
          expression: "variables.hostNetwork != true",
          messageExpression: "'pod ' + object.metadata.name + ' uses the host network'",
        },
        { id: "has-null", expression: "has(object.spec.nothing)" },
        { id: "missing", expression: "object.spec.missing == 1" },
        { id: "params", expression: "params.max >= object.spec.replicas" },
      ],
      cases: [
        { id: "host", object: pod, params: { max: 5 } },
        { id: "plain", object: { ...pod, spec: { replicas: 9 } }, params: { max: 5 } },
      ],
    });
    expect(output.environment.kubernetes).toMatch(/^v0\.\d+\.\d+$/);
    expect(output.environment.compatibilityVersion).toBe("1.31");
    expect(output.compileErrors).toEqual([]);
    expect(output.results).toEqual([
      {
        case: "host",
        expression: "no-host-network",
        value: false,
        message: "pod web uses the host network",
      },
      { case: "host", expression: "has-null", value: true },
      {
        case: "host",
        expression: "missing",
        value: null,
        error: "expression 'object.spec.missing == 1' resulted in error: no such key: missing",
      },
      { case: "host", expression: "params", value: true },
      { case: "plain", expression: "no-host-network", value: true },
      {
        case: "plain",
        expression: "has-null",
        value: false,
        message: "failed expression: has(object.spec.nothing)",
      },
      {
        case: "plain",
        expression: "missing",
        value: null,
        error: "expression 'object.spec.missing == 1' resulted in error: no such key: missing",
      },
      {
        case: "plain",
        expression: "params",
        value: false,
        message: "failed expression: params.max >= object.spec.replicas",
      },
    ]);
  });

  it("reports what a Kubernetes 1.32 API server would refuse to compile", async () => {
    const output = await runCelJudge(judgePath, {
      expressions: [
        { id: "int-vs-double", expression: "1 == 1.0" },
        { id: "semver", expression: "isSemver('1.2.3')" },
        { id: "not-bool", expression: "object.spec.replicas" },
      ],
      cases: [],
    });
    expect(output.results).toEqual([]);
    expect(output.compileErrors.map((e) => [e.id, e.kind])).toEqual([
      ["int-vs-double", "expression"],
      ["semver", "expression"],
      ["not-bool", "expression"],
    ]);
    expect(output.compileErrors[1]?.error).toContain("undeclared reference to 'isSemver'");
    expect(output.compileErrors[2]?.error).toContain("must evaluate to bool");
  });

  it("turns a refused batch into a CelJudgeError carrying the judge's stderr", async () => {
    const batch = {
      expressions: [{ id: "e", expression: "true" }],
      cases: [{ id: "bad", object: [1, 2] }],
    };
    await expect(runCelJudge(judgePath, batch)).rejects.toThrow(
      /cel-judge exited with 2: cel-judge: case "bad": object must be a JSON object or null/,
    );
  });
});

describe("cel-judge process handling", () => {
  const folders: string[] = [];
  afterAll(() => {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });
  function script(body: string): string {
    const folder = mkdtempSync(join(tmpdir(), "charter-cel-judge-test-"));
    folders.push(folder);
    const path = join(folder, "cel-judge");
    writeFileSync(path, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    return path;
  }
  const empty = { expressions: [], cases: [] };

  it("reports a judge that cannot be started", async () => {
    await expect(runCelJudge("/nonexistent/cel-judge", empty)).rejects.toThrow(CelJudgeError);
  });

  it("reports a crash with its stderr and signal", async () => {
    await expect(runCelJudge(script("echo 'panic: boom' >&2; exit 3"), empty)).rejects.toThrow(
      "cel-judge exited with 3: panic: boom",
    );
    await expect(runCelJudge(script("kill -9 $$"), empty)).rejects.toThrow(
      "cel-judge was killed by SIGKILL",
    );
  });

  it("reports output that is not the protocol", async () => {
    await expect(runCelJudge(script("cat >/dev/null; echo nope"), empty)).rejects.toThrow(
      "wrote output that is not JSON: nope",
    );
    await expect(runCelJudge(script("cat >/dev/null; echo '{}'"), empty)).rejects.toThrow(
      "wrote JSON without results",
    );
  });

  it("finds the judge named by CHARTER_CEL_JUDGE, and nothing else when that is broken", () => {
    const path = script("exit 0");
    expect(findCelJudge({ env: { CHARTER_CEL_JUDGE: path }, cwd: "/" })).toBe(path);
    expect(
      findCelJudge({ env: { CHARTER_CEL_JUDGE: "/nonexistent/cel-judge", PATH: "" }, cwd: "/" }),
    ).toBeUndefined();
  });
});
