// Failed authentications are limited per source address and per credential id,
// requests to /auth/* per address. A refusal is HTTP 429 with Retry-After and is
// audited once per window, however many requests it refuses.
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { DEFAULT_RATE_LIMITS } from "../../../src/config";
import type { AuditEventRecord } from "../../../src/domain/audit/audit-event";
import { databaseKinds } from "../../support/databases";
import { addUser, revokeToken } from "../../support/principals";
import { DEFAULT_LIMITS, gql, startServer, type TestServer } from "../../support/server";
import { subscribe } from "../../support/subscriptions";

const ME = "{ me { id } }";
const badToken = () => `ptc_${"x".repeat(46)}`;

async function events(server: TestServer, since: number): Promise<AuditEventRecord[]> {
  const head = (await server.app.storage.audit.head()).sequence;
  const out: AuditEventRecord[] = since >= head ? [] : await server.app.storage.audit.range(since + 1, head);
  return out.filter((e) => e.operation === "authenticate");
}

for (const kind of databaseKinds()) {
  describe(`rate limits on ${kind.name}`, function () {
    this.timeout(120_000);

    describe("with the default limits", () => {
      let server: TestServer;
      before(async () => {
        server = await startServer(kind, DEFAULT_LIMITS);
      });
      after(async () => server?.close());

      it(`answers 429 with Retry-After after ${DEFAULT_RATE_LIMITS.failuresPerAddress} failed authentications from one address, audited once`, async () => {
        const since = (await server.app.storage.audit.head()).sequence;
        for (let i = 0; i < DEFAULT_RATE_LIMITS.failuresPerAddress; i++) {
          const res = await gql(server.url, ME, { token: badToken() });
          expect(res.status, `attempt ${i + 1}`).to.not.equal(429);
          expect(res.errors?.[0]?.extensions?.code).to.equal("UNAUTHENTICATED");
        }
        for (let i = 0; i < 5; i++) {
          const res = await gql(server.url, ME, { token: badToken() });
          expect(res.status).to.equal(429);
          expect(res.errors?.[0]?.extensions?.code).to.equal("RATE_LIMITED");
          const retryAfter = Number(res.headers.get("retry-after"));
          expect(retryAfter).to.be.within(1, DEFAULT_RATE_LIMITS.windowSeconds);
        }
        // Even the right credential waits out the window: the address is refused before any credential is read,
        // over HTTP and at the WebSocket handshake.
        const admin = await gql(server.url, ME, { token: server.adminToken });
        expect(admin.status).to.equal(429);
        const subscription = subscribe(server, "subscription { auditEvents { sequence } }", {
          token: server.adminToken,
        });
        expect(await subscription.closed).to.equal(4403);
        await subscription.dispose();
        const audited = await events(server, since);
        const limited = audited.filter((e) => (e.metadata as Record<string, unknown>).failure === "rate_limited");
        expect(limited).to.have.length(1);
        expect(limited[0].decision).to.equal("DENY");
        expect((limited[0].metadata as { rateLimit: { limit: string } }).rateLimit).to.deep.include({
          limit: "failures-per-address",
          points: DEFAULT_RATE_LIMITS.failuresPerAddress,
        });
        expect(
          audited.filter((e) => (e.metadata as Record<string, unknown>).failure !== "rate_limited"),
        ).to.have.length(DEFAULT_RATE_LIMITS.failuresPerAddress);
      });
    });

    // Counted in memory, and in Redis (shared by instances) when one is given for the tests.
    for (const redis of [null, ...(process.env.TEST_REDIS_URL ? [process.env.TEST_REDIS_URL] : [])])
      describe(`with small limits${redis ? " in Redis" : ""}`, () => {
        let server: TestServer;
        before(async () => {
          server = await startServer(kind, {
            PORTCULLIS_AUTH_FAILURES_PER_ADDRESS: "1000",
            PORTCULLIS_AUTH_FAILURES_PER_CREDENTIAL: "3",
            PORTCULLIS_AUTH_REQUESTS_PER_ADDRESS: "4",
            ...(redis ? { REDIS_URL: redis } : {}),
          });
        });
        after(async () => server?.close());

        it("limits failures per credential id (a revoked token), naming the limit, never the secret", async () => {
          const user = await addUser(server, []);
          await revokeToken(server, user.tokenId);
          const since = (await server.app.storage.audit.head()).sequence;
          const statuses: number[] = [];
          for (let i = 0; i < 6; i++) statuses.push((await gql(server.url, ME, { token: user.token })).status);
          expect(statuses.slice(3)).to.deep.equal([429, 429, 429]);
          const limited = (await events(server, since)).filter(
            (e) => (e.metadata as Record<string, unknown>).failure === "rate_limited",
          );
          expect(limited).to.have.length(1);
          expect(limited[0].metadata).to.deep.include({ credentialId: user.tokenId });
          expect((limited[0].metadata as { rateLimit: { limit: string } }).rateLimit.limit).to.equal(
            "failures-per-credential",
          );
          expect(JSON.stringify(limited)).to.not.contain(user.token);
        });

        it("answers 429 over SCIM too", async () => {
          const user = await addUser(server, []);
          await revokeToken(server, user.tokenId);
          const statuses: number[] = [];
          for (let i = 0; i < 5; i++) {
            const res = await fetch(`${server.url}/scim/v2/Users`, {
              headers: { authorization: `Bearer ${user.token}` },
            });
            statuses.push(res.status);
            if (res.status === 429) expect(res.headers.get("retry-after")).to.match(/^\d+$/);
          }
          expect(statuses).to.deep.equal([401, 401, 401, 429, 429]);
        });

        it("limits requests to /auth/* per address, audited once per window", async () => {
          const since = (await server.app.storage.audit.head()).sequence;
          const statuses: number[] = [];
          for (let i = 0; i < 7; i++)
            statuses.push(
              (await fetch(`${server.url}/auth/logout`, { method: "POST", headers: { "x-test": randomUUID() } }))
                .status,
            );
          expect(statuses.slice(0, 4).every((s) => s !== 429)).to.equal(true);
          expect(statuses.slice(4)).to.deep.equal([429, 429, 429]);
          const limited = (await events(server, since)).filter(
            (e) => (e.metadata as Record<string, unknown>).failure === "rate_limited",
          );
          expect(limited).to.have.length(1);
          expect((limited[0].metadata as { rateLimit: { limit: string } }).rateLimit.limit).to.equal(
            "auth-requests-per-address",
          );
        });
      });
  });
}
