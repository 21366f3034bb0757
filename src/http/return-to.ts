// Where to send the browser after a login: only a path on this server, never
// another origin (open-redirect safe), whatever the IdP or the link carried.

const PLACEHOLDER_ORIGIN = "http://portcullis.invalid";
const MAX_LENGTH = 2048;

/** The path (with query and fragment) when `raw` is a same-origin relative path, else null. */
export function sameOriginPath(raw: unknown): string | null {
  if (typeof raw !== "string" || raw === "" || raw.length > MAX_LENGTH) return null;
  // `//host` and `/\host` are protocol-relative to browsers; control characters are stripped by some.
  if (!raw.startsWith("/") || raw.startsWith("//") || raw.includes("\\") || /[\u0000-\u001f\u007f]/.test(raw)) return null;
  let url: URL;
  try {
    url = new URL(raw, PLACEHOLDER_ORIGIN);
  } catch {
    return null;
  }
  if (url.origin !== PLACEHOLDER_ORIGIN) return null;
  const path = url.pathname + url.search + url.hash;
  // Normalising can make a protocol-relative path again: `/.//host` becomes `//host`.
  return path.startsWith("//") ? null : path;
}
