import { expect } from "chai";
import { BearerAuthenticator } from "../../../src/auth/bearer-authenticator";
import type { UsageRecorder } from "../../../src/auth/usage-recorder";
import {
  generateSecret,
  hashSecret,
  secretHint,
  SESSION_PREFIX,
  TOKEN_PREFIX,
} from "../../../src/domain/credentials/secret-format";
import type { TokenRecord, UserRecord } from "../../../src/domain/model";

// A storage double that records every lookup: the point is to show which
// credentials are refused without any lookup at all.
function storageWith(tokens: TokenRecord[], users: UserRecord[]) {
  const lookups: string[] = [];
  const storage = {
    tokens: {
      getByHash: (h: string) => {
        lookups.push(`token:${h}`);
        return Promise.resolve(tokens.find((t) => t.secretHash === h) ?? null);
      },
    },
    sessions: {
      getByHash: (h: string) => {
        lookups.push(`session:${h}`);
        return Promise.resolve(null);
      },
    },
    users: {
      get: (id: string) => {
        lookups.push(`user:${id}`);
        return Promise.resolve(users.find((u) => u.id === id) ?? null);
      },
    },
  };
  return { storage: storage as never, lookups };
}

const user: UserRecord = {
  id: "u1",
  email: "a@example.com",
  displayName: null,
  kind: "HUMAN",
  status: "ACTIVE",
  source: "LOCAL",
  externalId: null,
  groups: [],
  mfaEnrolled: false,
  lockedReason: null,
  createdAt: new Date(0),
  lastSeenAt: null,
};

function token(secret: string, patch: Partial<TokenRecord> = {}): TokenRecord {
  return {
    id: "t1",
    name: "ci",
    ownerId: "u1",
    secretHash: hashSecret(secret),
    hint: secretHint(secret),
    roles: [],
    boundCidrs: [],
    breakGlass: false,
    ttlSeconds: null,
    createdById: null,
    createdAt: new Date(0),
    expiresAt: null,
    lastUsedAt: null,
    lastUsedIp: null,
    revokedAt: null,
    ...patch,
  };
}

describe("BearerAuthenticator", () => {
  it("refuses a secret with a bad checksum without any storage lookup", async () => {
    const secret = generateSecret(TOKEN_PREFIX);
    const { storage, lookups } = storageWith([token(secret)], [user]);
    const bad = secret.slice(0, -1) + (secret.endsWith("A") ? "B" : "A");
    const result = await new BearerAuthenticator(storage).authenticate(`Bearer ${bad}`, null);
    expect(result).to.deep.equal({ ok: false, failure: "checksum" });
    expect(lookups).to.deep.equal([]);
  });

  it("refuses a malformed header or secret without any storage lookup", async () => {
    const { storage, lookups } = storageWith([], [user]);
    const auth = new BearerAuthenticator(storage);
    expect(await auth.authenticate(undefined, null)).to.deep.equal({ ok: false, failure: "missing" });
    expect(await auth.authenticate("Basic abc", null)).to.deep.equal({ ok: false, failure: "malformed" });
    expect(await auth.authenticate("Bearer not-a-token", null)).to.deep.equal({ ok: false, failure: "malformed" });
    expect(lookups).to.deep.equal([]);
  });

  it("takes the session cookie only without an Authorization header, and never a token from it", async () => {
    const secret = generateSecret(TOKEN_PREFIX);
    const { storage, lookups } = storageWith([token(secret)], [user]);
    const auth = new BearerAuthenticator(storage);
    expect(await auth.authenticateRequest({ authorization: undefined, sessionCookie: secret }, null)).to.deep.equal({
      ok: false,
      failure: "malformed",
    });
    expect(lookups).to.deep.equal([]);
    const session = generateSecret(SESSION_PREFIX);
    expect(
      (await auth.authenticateRequest({ authorization: `Bearer ${secret}`, sessionCookie: session }, null)).ok,
    ).to.equal(true);
    expect(lookups.some((l) => l.startsWith("session:"))).to.equal(false);
    expect(await auth.authenticateRequest({ authorization: undefined, sessionCookie: session }, null)).to.deep.equal({
      ok: false,
      failure: "unknown",
    });
    expect(lookups).to.include(`session:${hashSecret(session)}`);
    expect(await auth.authenticateRequest({ authorization: undefined, sessionCookie: null }, null)).to.deep.equal({
      ok: false,
      failure: "missing",
    });
  });

  it("resolves a valid token to its owner, without MFA", async () => {
    const secret = generateSecret(TOKEN_PREFIX);
    const { storage } = storageWith([token(secret)], [user]);
    const result = await new BearerAuthenticator(storage).authenticate(`Bearer ${secret}`, "10.0.0.1");
    expect(result.ok).to.equal(true);
    if (result.ok) {
      expect(result.principal.user.id).to.equal("u1");
      expect(result.principal.credential).to.deep.equal({ kind: "token", tokenId: "t1", breakGlass: false });
      expect(result.principal.mfa).to.equal(false);
      expect(result.principal.sourceIp).to.equal("10.0.0.1");
    }
  });

  it("refuses unknown, revoked and expired tokens", async () => {
    const secret = generateSecret(TOKEN_PREFIX);
    const now = new Date("2026-01-01T00:00:00Z");
    const cases: Array<[Partial<TokenRecord>, string]> = [
      [{ revokedAt: new Date("2025-12-31T00:00:00Z") }, "revoked"],
      [{ expiresAt: now }, "expired"],
    ];
    for (const [patch, failure] of cases) {
      const { storage } = storageWith([token(secret, patch)], [user]);
      const result = await new BearerAuthenticator(storage, () => now).authenticate(`Bearer ${secret}`, null);
      expect(result).to.deep.equal({ ok: false, failure, credentialId: "t1", credentialKind: "token" });
    }
    const { storage } = storageWith([], [user]);
    expect(await new BearerAuthenticator(storage).authenticate(`Bearer ${secret}`, null)).to.deep.equal({
      ok: false,
      failure: "unknown",
    });
  });

  it("admits a token bound to CIDRs only from inside them, IPv4-mapped IPv6 included", async () => {
    const secret = generateSecret(TOKEN_PREFIX);
    const { storage } = storageWith([token(secret, { boundCidrs: ["10.20.0.0/16", "2001:db8::/32"] })], [user]);
    const auth = new BearerAuthenticator(storage);
    expect((await auth.authenticate(`Bearer ${secret}`, "10.20.3.4")).ok).to.equal(true);
    expect((await auth.authenticate(`Bearer ${secret}`, "::ffff:10.20.3.4")).ok).to.equal(true);
    expect((await auth.authenticate(`Bearer ${secret}`, "2001:db8::1")).ok).to.equal(true);
    expect(await auth.authenticate(`Bearer ${secret}`, "10.21.0.1")).to.deep.equal({
      ok: false,
      failure: "source_ip",
      credentialId: "t1",
      credentialKind: "token",
    });
    expect(await auth.authenticate(`Bearer ${secret}`, null)).to.deep.equal({
      ok: false,
      failure: "source_ip",
      credentialId: "t1",
      credentialKind: "token",
    });
  });

  it("refuses the token of a locked or deprovisioned user", async () => {
    const secret = generateSecret(TOKEN_PREFIX);
    for (const status of ["LOCKED", "DEPROVISIONED"] as const) {
      const { storage } = storageWith([token(secret)], [{ ...user, status }]);
      expect(await new BearerAuthenticator(storage).authenticate(`Bearer ${secret}`, null)).to.deep.equal({
        ok: false,
        failure: "user_inactive",
        credentialId: "t1",
        credentialKind: "token",
      });
    }
  });

  it("notes each accepted token use with the caller's address, and no refused one", async () => {
    const secret = generateSecret(TOKEN_PREFIX);
    const { storage } = storageWith([token(secret, { boundCidrs: ["10.0.0.0/8"] })], [user]);
    const noted: Array<[string, string | null]> = [];
    const usage = { used: (t: { id: string }, ip: string | null) => void noted.push([t.id, ip]) };
    const auth = new BearerAuthenticator(storage, undefined, usage as unknown as UsageRecorder);
    expect((await auth.authenticate(`Bearer ${secret}`, "10.1.2.3")).ok).to.equal(true);
    expect((await auth.authenticate(`Bearer ${secret}`, "192.168.0.1")).ok).to.equal(false);
    expect(noted).to.deep.equal([["t1", "10.1.2.3"]]);
  });
});
