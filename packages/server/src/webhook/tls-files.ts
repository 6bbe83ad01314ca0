/**
 * The serving certificate from `--tls-cert`/`--tls-key`, reloaded when either file changes (a
 * renewed Secret, cert-manager): each change is read as a pair and checked by building a TLS
 * context from it — a certificate and key that do not parse or do not match are logged and the
 * pair in use stays. Files are polled (fs.watchFile): a Kubernetes Secret volume swaps a
 * symlink, which file-system events do not report on every platform.
 */
import { readFileSync, unwatchFile, watchFile } from "node:fs";
import { createSecureContext } from "node:tls";
import { errorMessage, type Logger } from "../bundle-server/log.js";

export interface TlsPair {
  readonly cert: Buffer | string;
  readonly key: Buffer | string;
}

/** The pair, or why it cannot serve (unreadable, not PEM, key and certificate mismatched). */
export function readTlsPair(certFile: string, keyFile: string): TlsPair {
  let pair: TlsPair;
  try {
    pair = { cert: readFileSync(certFile), key: readFileSync(keyFile) };
  } catch (error) {
    throw new Error(`cannot read the certificate or key: ${errorMessage(error)}`);
  }
  checkTlsPair(pair);
  return pair;
}

/** Throws when Node cannot serve with the pair: a bad PEM, or a key that is not the cert's. */
export function checkTlsPair(pair: TlsPair): void {
  try {
    createSecureContext({ cert: pair.cert, key: pair.key });
  } catch (error) {
    throw new Error(`the certificate and key cannot serve TLS: ${errorMessage(error)}`);
  }
}

/** How long after a change the pair is read: the other file of a renewal lands meanwhile. */
const SETTLE_MS = 250;

export interface TlsWatcher {
  close(): void;
}

export function watchTlsFiles(options: {
  readonly certFile: string;
  readonly keyFile: string;
  readonly logger: Logger;
  readonly onReload: (pair: TlsPair) => void;
  /** Milliseconds between polls (default 2000). */
  readonly intervalMs?: number;
}): TlsWatcher {
  const { certFile, keyFile, logger } = options;
  const interval = options.intervalMs ?? 2000;
  const changed = () => {
    try {
      const pair = readTlsPair(certFile, keyFile);
      options.onReload(pair);
      logger.log("info", "serving the reloaded certificate", { cert: certFile, key: keyFile });
    } catch (error) {
      // A renewal writes two files: the first change alone may not match; the second will.
      logger.log(
        "error",
        "the changed certificate cannot be used; still serving the previous one",
        {
          cert: certFile,
          key: keyFile,
          error: errorMessage(error),
        },
      );
    }
  };
  // Both files of a renewal are read together, once the writes have settled.
  let settle: NodeJS.Timeout | undefined;
  const listener = (
    current: { mtimeMs: number; ino: number },
    previous: { mtimeMs: number; ino: number },
  ) => {
    if (current.mtimeMs === previous.mtimeMs && current.ino === previous.ino) return;
    clearTimeout(settle);
    settle = setTimeout(changed, SETTLE_MS);
  };
  watchFile(certFile, { interval, persistent: false }, listener);
  watchFile(keyFile, { interval, persistent: false }, listener);
  return {
    close() {
      clearTimeout(settle);
      unwatchFile(certFile, listener);
      unwatchFile(keyFile, listener);
    },
  };
}
