/**
 * Whether every named input can be read a second time: regular files and folders can; a pipe
 * (`charter check <(kustomize build .)` names /dev/fd/63), a terminal or a socket cannot, and a
 * scan that needs two passes over its input then makes one. (Stdin is spooled to a file
 * instead: it is the usual way in, and the one the scan owns.) An input that cannot be read at
 * all counts as re-readable: the scan reports it.
 */
import { stat } from "node:fs/promises";

export async function everyInputRereadable(inputs: readonly string[]): Promise<boolean> {
  const named = inputs.filter((input) => input !== "-");
  const kinds = await Promise.all(
    named.map(async (input) => {
      try {
        const found = await stat(input);
        return found.isFile() || found.isDirectory();
      } catch {
        return true;
      }
    }),
  );
  return kinds.every(Boolean);
}
