/**
 * The compile targets, one descriptor each, in the order `--target all` builds them and the
 * docs list them (the IR's TARGET_NAMES: what `excludeTargets` may name).
 */
import { TARGET_NAMES as IR_TARGET_NAMES, type TargetName } from "@charter/ir";
import { gatekeeperTarget } from "./gatekeeper-target.js";
import { kyvernoTarget } from "./kyverno-target.js";
import { regoTarget } from "./rego-target.js";
import type { TargetDescriptor } from "./target-descriptor.js";
import { vapTarget } from "./vap-target.js";

export type { TargetName };

export const TARGETS = {
  rego: regoTarget,
  gatekeeper: gatekeeperTarget,
  kyverno: kyvernoTarget,
  vap: vapTarget,
} as const satisfies Record<TargetName, TargetDescriptor>;

export const TARGET_NAMES: readonly TargetName[] = IR_TARGET_NAMES;
