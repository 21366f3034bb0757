import { expect } from "chai";
import { databaseKinds } from "../../support/databases";
import { addUser } from "../../support/principals";
import { gql, serverForSuite, type TestServer } from "../../support/server";
import { addSession } from "../../support/sessions";

const CREDENTIAL = "{ credential { kind id expiresAt mfa mfaVerifiedUntil sessionSource breakGlass } }";

for (const kind of databaseKinds()) {
  describe(`credential on ${kind.name}`, function () {
    this.timeout(60_000);
    let server: TestServer;
    serverForSuite(kind, (s) => (server = s));

    it("describes a user's token: its id, no expiry, no MFA, not break-glass", async () => {
      const alice = await addUser(server, ["viewer"]);
      const res = await gql(server.url, CREDENTIAL, { token: alice.token });
      expect(res.errors).to.equal(undefined);
      expect(res.data?.credential).to.deep.equal({
        kind: "TOKEN",
        id: alice.tokenId,
        expiresAt: null,
        mfa: false,
        mfaVerifiedUntil: null,
        sessionSource: null,
        breakGlass: false,
      });
    });

    it("says the bootstrap admin's token is break-glass", async () => {
      const res = await gql(server.url, CREDENTIAL, { token: server.adminToken });
      expect(res.data?.credential).to.deep.include({ kind: "TOKEN", breakGlass: true, mfa: false });
    });

    it("describes a session: its id, the server's expiry and how it was made", async () => {
      const bob = await addUser(server, []);
      const expiresAt = new Date(Date.now() + 3_600_000);
      expiresAt.setMilliseconds(0);
      const session = await addSession(server, bob.user.id, { expiresAt });
      const res = await gql(server.url, CREDENTIAL, { token: session.secret });
      expect(res.data?.credential).to.deep.equal({
        kind: "SESSION",
        id: session.id,
        expiresAt: expiresAt.toISOString(),
        mfa: false,
        mfaVerifiedUntil: null,
        sessionSource: "LOCAL",
        breakGlass: false,
      });
    });

    it("answers UNAUTHENTICATED without a credential, and records no audit event for the caller's own credential", async () => {
      expect((await gql(server.url, CREDENTIAL)).errors?.[0]?.extensions?.code).to.equal("UNAUTHENTICATED");
      const carol = await addUser(server, []);
      const count = async () => (await server.app.storage.audit.head()).sequence;
      const before = await count();
      await gql(server.url, CREDENTIAL, { token: carol.token });
      expect(await count()).to.equal(before);
    });
  });
}
