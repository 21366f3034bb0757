// The browser form of a session secret (docs/concepts.md): an HTTP-only cookie,
// Secure unless NODE_ENV is development, SameSite=Lax so that a cross-site POST
// never carries it. The CLI gets the same secret as a bearer instead.
import type { IncomingMessage } from "node:http";
import type { Request, Response } from "express";

export const SESSION_COOKIE = "portcullis_session";

export interface SessionCookieOptions {
  /** false only in development, where the server may be reached over plain HTTP. */
  secure: boolean;
}

export function setSessionCookie(res: Response, secret: string, expiresAt: Date, options: SessionCookieOptions): void {
  res.cookie(SESSION_COOKIE, secret, {
    httpOnly: true,
    secure: options.secure,
    sameSite: "lax",
    path: "/",
    expires: expiresAt,
  });
}

export function clearSessionCookie(res: Response, options: SessionCookieOptions): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, secure: options.secure, sameSite: "lax", path: "/" });
}

/** The session secret from the request's Cookie header, or null. */
export function sessionCookieOf(req: Pick<Request | IncomingMessage, "headers">): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    return value === "" ? null : value;
  }
  return null;
}

/** The headers the authentication layer reads from a request: Authorization and Cookie. */
export function credentialHeaders(req: Pick<Request | IncomingMessage, "headers">): {
  authorization: string | undefined;
  cookie: string | undefined;
} {
  return { authorization: req.headers.authorization, cookie: req.headers.cookie };
}
