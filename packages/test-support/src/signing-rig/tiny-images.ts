/**
 * Tiny, distinct images: one layer holding one small text file (whose text names the image, so
 * no two images share a digest), appended with `crane append --oci-empty-base` onto the empty
 * OCI image and pushed under a tag. The layer is a ustar archive written here byte for byte
 * (fixed mode, owner and time), so the same text always gives the same image digest.
 */
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { mustRun } from "./run-tool.js";

export interface PushedImage {
  /** `<host>/<repository>:<tag>`. */
  readonly tagRef: string;
  /** `<host>/<repository>@sha256:<hex>`: what the tag pointed at when it was pushed. */
  readonly digestRef: string;
  /** `sha256:<hex>`. */
  readonly digest: string;
}

/** A one-file ustar archive (POSIX.1-1988): a 512-byte header, the data padded, two zero blocks. */
export function oneFileTar(path: string, content: string): Buffer {
  const data = Buffer.from(content, "utf8");
  const header = Buffer.alloc(512, 0);
  const put = (text: string, offset: number, length: number): void => {
    header.write(text, offset, Math.min(Buffer.byteLength(text), length), "utf8");
  };
  const octal = (value: number, length: number): string =>
    `${value.toString(8).padStart(length - 1, "0")}\0`;
  if (Buffer.byteLength(path) > 100) throw new Error(`tar path too long: ${path}`);
  put(path, 0, 100);
  put(octal(0o644, 8), 100, 8); // mode
  put(octal(0, 8), 108, 8); // uid
  put(octal(0, 8), 116, 8); // gid
  put(octal(data.length, 12), 124, 12); // size
  put(octal(0, 12), 136, 12); // mtime: the epoch, so the digest is stable
  header.fill(" ", 148, 156); // checksum field counts as spaces while summing
  put("0", 156, 1); // a regular file
  put("ustar\0", 257, 6);
  put("00", 263, 2);
  let sum = 0;
  for (const byte of header) sum += byte;
  put(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8);
  const padding = Buffer.alloc((512 - (data.length % 512)) % 512, 0);
  return Buffer.concat([header, data, padding, Buffer.alloc(1024, 0)]);
}

/** Pushes a tiny image whose one file says `text` to `tagRef`; its digest as crane reports it. */
export async function pushTinyImage(
  crane: string,
  tagRef: string,
  text: string,
  workDir: string,
  env: NodeJS.ProcessEnv,
): Promise<PushedImage> {
  const name = createHash("sha256").update(`${tagRef}\n${text}`).digest("hex").slice(0, 16);
  const layer = join(workDir, `layer-${name}.tar`);
  writeFileSync(layer, oneFileTar("app/hello.txt", `${text}\n`));
  const run = await mustRun(crane, ["append", "--oci-empty-base", "-f", layer, "-t", tagRef], {
    env,
    cwd: workDir,
  });
  // crane prints the pushed image by digest: <host>/<repository>@sha256:<hex>
  const digestRef = run.stdout.trim().split("\n").pop() ?? "";
  const digest = /@(sha256:[0-9a-f]{64})$/.exec(digestRef)?.[1];
  if (digest === undefined) throw new Error(`crane append printed no digest: ${run.stdout}`);
  return { tagRef, digestRef, digest };
}
