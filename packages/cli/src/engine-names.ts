/** The names `--engine` takes (engines.ts makes the engines; this file loads none of them). */
import { CharterError } from "@charter/ir";
import { ENGINE_NAMES, type EngineName, type ExceptionsInForce } from "@charter/runtime/scan";

export { ENGINE_NAMES, type EngineName, type ExceptionsInForce };

export function parseEngineNames(value: string, allowAll: boolean): EngineName[] {
  if (allowAll && value === "all") return [...ENGINE_NAMES];
  const names = value.split(",").map((name) => name.trim());
  for (const name of names) {
    if (!(ENGINE_NAMES as readonly string[]).includes(name)) {
      throw new CharterError(
        `unknown engine "${name}"`,
        {},
        `choose from ${ENGINE_NAMES.join(", ")}${allowAll ? ", all" : ""}`,
      );
    }
  }
  return names as EngineName[];
}
