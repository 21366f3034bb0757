// Where to send the browser after a login, for every login route (SAML and
// OIDC): only a path on this server, never another origin (open-redirect safe),
// whatever the link or the IdP carried. The path is resolved the way a browser
// resolves it ('.' and '..' segments, '%2e' as a dot) and refused when the
// result would be read as another origin ('//host', '/\host').

const PLACEHOLDER_ORIGIN = "http://portcullis.invalid";
const MAX_LENGTH = 2048;

export type ReturnTo = { ok: true; path: string } | { ok: false; message: string };

/** The path to redirect to ("/" when nothing was given), or why `raw` is refused. */
export function parseReturnTo(raw: unknown): ReturnTo {
  if (raw === undefined || raw === "") return { ok: true, path: "/" };
  if (typeof raw !== "string") return { ok: false, message: "must be given once, as a path" };
  if (raw.length > MAX_LENGTH) return { ok: false, message: `is longer than ${MAX_LENGTH} characters` };
  const refused: ReturnTo = {
    ok: false,
    message: `'${raw.slice(0, 100)}' is not a path on this server (it must start with a single /, e.g. /console)`,
  };
  // Browsers read a backslash as a slash and drop tabs and newlines, so `/\x` or `/\t/x` can become `//x`.
  if (!raw.startsWith("/") || raw.startsWith("//") || /[\\\p{Cc}]/u.test(raw)) return refused;
  let url: URL;
  try {
    url = new URL(raw, PLACEHOLDER_ORIGIN);
  } catch {
    return refused;
  }
  if (url.origin !== PLACEHOLDER_ORIGIN) return refused;
  const path = url.pathname + url.search + url.hash;
  // Resolving dot segments can make a protocol-relative path again: `/.//host`, `/a/..//host`, `/%2e//host` all become `//host`.
  if (path.startsWith("//") || path.startsWith("/\\")) return refused;
  return { ok: true, path };
}

/** The path for a redirect after login: what `raw` names when it is a path on this server, else "/". */
export function returnPathOrRoot(raw: unknown): string {
  const parsed = parseReturnTo(raw);
  return parsed.ok ? parsed.path : "/";
}
