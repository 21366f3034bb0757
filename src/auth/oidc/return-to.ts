// Where to send the browser after login: a path on this server, never another
// origin. `//evil.example`, `/\evil.example` and `https://…` would all leave it.

const MAX_LENGTH = 2048;

/** The path to redirect to, or an explanation of why `raw` is refused. */
export function parseReturnTo(raw: string | undefined): { ok: true; path: string } | { ok: false; message: string } {
  if (raw === undefined || raw === "") return { ok: true, path: "/" };
  if (raw.length > MAX_LENGTH) return { ok: false, message: `is longer than ${MAX_LENGTH} characters` };
  // Browsers read a backslash as a slash and drop tabs and newlines, so `/\x` or `/\t/x` can become `//x`.
  if (!raw.startsWith("/") || raw.startsWith("//") || /[\\\u0000-\u001f\u007f]/.test(raw)) {
    return { ok: false, message: `'${raw.slice(0, 100)}' is not a path on this server (it must start with a single /)` };
  }
  const base = "http://portcullis.invalid";
  const resolved = new URL(raw, base);
  if (resolved.origin !== base) return { ok: false, message: `'${raw.slice(0, 100)}' is not a path on this server` };
  return { ok: true, path: resolved.pathname + resolved.search + resolved.hash };
}
