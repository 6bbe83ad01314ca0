/**
 * The `WWW-Authenticate` challenge of a registry's 401 (RFC 7235 as the distribution spec uses
 * it): `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`.
 */
export interface Challenge {
  /** Lower case: `bearer`, `basic`. */
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

/** The first challenge of the header, or undefined when there is none to read. */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (header === null) return undefined;
  const match = /^\s*([A-Za-z][A-Za-z0-9_-]*)\s*(.*)$/s.exec(header);
  if (match === null) return undefined;
  const scheme = (match[1] ?? "").toLowerCase();
  const params: Record<string, string> = {};
  const rest = match[2] ?? "";
  const param = /([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?\s*/gy;
  for (;;) {
    const found = param.exec(rest);
    if (found === null || found[0] === "") break;
    const name = (found[1] ?? "").toLowerCase();
    params[name] = found[2] !== undefined ? found[2].replace(/\\(.)/g, "$1") : (found[3] ?? "");
  }
  return { scheme, params };
}

export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
}
