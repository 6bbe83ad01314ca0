/** expectPolicy judges a resource in the admission request its options state (README item 17). */
import { kinds, policy, when } from "@charter/dsl";
import { describe, expect, it } from "vitest";
import { expectPolicy } from "./index.js";

const teamLabel = policy("team-label-kept", {
  title: "The team label does not change",
  severity: "medium",
  category: "Test",
  match: kinds("v1/ConfigMap"),
  operations: ["UPDATE"],
  rules: {
    changed: {
      fail: when`exists(request.oldObject.metadata.labels.team) and not (object.metadata.labels.team == request.oldObject.metadata.labels.team)`,
      message:
        "{{request.userInfo.username}} changed team {{request.oldObject.metadata.labels.team}}",
    },
  },
});

const configMap = (team: string) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "c", namespace: "a", labels: { team } },
});

describe("expectPolicy with a request", () => {
  const expectation = expectPolicy(teamLabel, { engines: "ir" });

  it("judges an UPDATE against its old object and user", async () => {
    await expectation.toFail(configMap("blue"), {
      operation: "UPDATE",
      oldObject: configMap("red"),
      userInfo: { username: "alice" },
      message: "alice changed team red",
    });
    await expectation.toPass(configMap("red"), {
      operation: "UPDATE",
      oldObject: configMap("red"),
    });
  });

  it("says the policy does not apply to a CREATE, naming the operations", async () => {
    await expect(expectation.toPass(configMap("red"))).rejects.toThrow(
      /the operation against its operations/,
    );
  });
});
