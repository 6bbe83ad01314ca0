import { describe, expect, it } from "vitest";
import { checkWebhookOptions, type WebhookOptions } from "./webhook-options.js";

const base: WebhookOptions = {
  namespace: "charter-system",
  image: "charter-webhook:0.1.0",
  failurePolicy: "Fail",
  timeoutSeconds: 10,
  systemNamespaces: [],
};

describe("--webhook-image", () => {
  it.each([
    "charter-webhook:0.1.0",
    "registry.example.com/charter/charter-webhook:0.1.0",
    "Registry.Example.com:5000/charter/webhook",
    "localhost:5000/charter__webhook:v1.2-rc.1",
    `registry.example.com/charter-webhook@sha256:${"0".repeat(64)}`,
    `registry.example.com/charter-webhook:0.1.0@sha256:${"f".repeat(64)}`,
  ])("takes %s", (image) => {
    expect(checkWebhookOptions({ ...base, image }).image).toBe(image);
  });

  it.each([
    "",
    "charter webhook:1",
    "registry.example.com/Charter:1",
    "charter-webhook:",
    "charter-webhook:1\nkind: Secret",
    `charter-webhook@sha256:${"0".repeat(63)}`,
    "charter-webhook:-leading-dash",
  ])("refuses %j", (image) => {
    expect(() => checkWebhookOptions({ ...base, image })).toThrow(/is not an image reference/);
  });
});
