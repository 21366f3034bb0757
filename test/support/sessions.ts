// Sessions for tests, written straight to storage (what SSO and local login do
// once they exist): a `pts_` secret the bearer authenticator accepts.
import { randomUUID } from "node:crypto";
import { generateSecret, hashSecret, SESSION_PREFIX } from "../../src/domain/credentials/secret-format";
import type { SessionRecord } from "../../src/domain/model";
import type { TestServer } from "./server";

export interface TestSession {
  id: string;
  secret: string;
}

/** A live session of `userId` (8 hours unless `expiresAt` says otherwise). */
export async function addSession(
  server: TestServer,
  userId: string,
  options: { expiresAt?: Date } = {},
): Promise<TestSession> {
  const secret = generateSecret(SESSION_PREFIX);
  const now = new Date();
  const session: SessionRecord = {
    id: randomUUID(),
    userId,
    secretHash: hashSecret(secret),
    source: "LOCAL",
    mfa: false,
    mfaVerifiedUntil: null,
    sourceIp: null,
    createdAt: now,
    expiresAt: options.expiresAt ?? new Date(now.getTime() + 8 * 3600_000),
    lastSeenAt: null,
    revokedAt: null,
  };
  await server.app.storage.sessions.create(session);
  return { id: session.id, secret };
}
