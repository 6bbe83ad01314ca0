/** The real `opa` binary for the commands that need it (`--wasm`), or a clear error. */
import { CharterError } from "@charter/ir";
import { findOpa } from "@charter/runtime";

export function requireOpa(command: string): string {
  const opaPath = findOpa();
  if (opaPath === undefined) {
    throw new CharterError(
      `\`${command}\` compiles the Rego with the real \`opa build -t wasm\`, but no opa binary was found ($CHARTER_OPA, .tools/bin/opa, PATH)`,
      {},
      "run scripts/install-engines.sh (it builds the pinned opa into .tools/bin), set CHARTER_OPA, or put opa on PATH",
    );
  }
  return opaPath;
}
