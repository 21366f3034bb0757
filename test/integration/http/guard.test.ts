import { expect } from "chai";
import { eventsSince as eventsSinceIn } from "../../support/access-model";
import { generateSecret, TOKEN_PREFIX } from "../../../src/domain/credentials/secret-format";
import { databaseKinds } from "../../support/databases";
import { addUser } from "../../support/principals";
import { gql, serverForSuite, type TestServer } from "../../support/server";

// Every root field the server serves, with arguments that reach the guard.
const ROOT_CALLS: Record<string, string> = {
  users: "{ users { id } }",
  user: `{ user(email: "admin@portcullis.local") { id } }`,
  roles: "{ roles { name } }",
  role: `{ role(name: "admin") { name } }`,
  policies: "{ policies { name } }",
  policy: `{ policy(name: "admin-all") { name } }`,
  resourceTypes: "{ resourceTypes { name } }",
};

for (const kind of databaseKinds()) {
  describe(`the API guard on ${kind.name}`, function () {
    this.timeout(60_000);
    let server: TestServer;
    serverForSuite(kind, (s) => (server = s));

    const eventsSince = (sequence: number) => eventsSinceIn(server, sequence);

    it("refuses every root field but `me` to a user with no roles, with FORBIDDEN, reason and capability", async () => {
      const nobody = await addUser(server, []);
      const me = await gql<{ me: { email: string } }>(server.url, "{ me { email } }", { token: nobody.token });
      expect(me.data?.me.email).to.equal(nobody.user.email);
      for (const [field, query] of Object.entries(ROOT_CALLS)) {
        const res = await gql(server.url, query, { token: nobody.token });
        expect(res.data?.[field] ?? null, field).to.equal(null);
        expect(res.errors?.[0]?.extensions?.code, field).to.equal("FORBIDDEN");
        expect(res.errors?.[0]?.extensions?.reason, field).to.equal("NO_MATCHING_RULE");
        expect(res.errors?.[0]?.extensions?.capability, field).to.match(/^[a-z_]+:[a-z_]+$/);
      }
    });

    it("lets a viewer read roles and policies but not users", async () => {
      const viewer = await addUser(server, ["viewer"]);
      const ok = await gql(server.url, "{ roles { name } policies { name } resourceTypes { name } }", {
        token: viewer.token,
      });
      expect(ok.errors).to.equal(undefined);
      const refused = await gql(server.url, "{ users { id } }", { token: viewer.token });
      expect(refused.errors?.[0]?.extensions).to.deep.include({
        code: "FORBIDDEN",
        reason: "NO_MATCHING_RULE",
        capability: "user:list",
      });
    });

    it("audits each guarded field once, allowed or denied, with the actor, roles and request id, and `me` not at all", async () => {
      const viewer = await addUser(server, ["viewer"]);
      const before = (await server.app.storage.audit.head()).sequence;
      await gql(server.url, `{ me { id } roles { name } role(name: "viewer") { name } }`, { token: viewer.token });
      await gql(server.url, "{ users { id } }", { token: viewer.token });
      const events = await eventsSince(before);
      expect(
        events.map((e) => [
          e.operation,
          e.decision,
          e.reason,
          e.action,
          e.resourceType,
          e.resourceNamespace,
          e.resourceName,
        ]),
      ).to.deep.equal([
        ["Query.roles", "ALLOW", "ALLOWED", "list", "role", "system", ""],
        ["Query.role", "ALLOW", "ALLOWED", "read", "role", "system", "viewer"],
        ["Query.users", "DENY", "NO_MATCHING_RULE", "list", "user", "system", ""],
      ]);
      for (const e of events) {
        expect(e).to.deep.include({
          actorId: viewer.user.id,
          actorEmail: viewer.user.email,
          actorRoles: ["viewer"],
          tokenId: viewer.tokenId,
          sourceIp: "127.0.0.1",
        });
        expect(e.requestId).to.match(/^[0-9a-f-]{36}$/);
      }
    });

    it("audits a failed authentication and flags every use of a break-glass token", async () => {
      const before = (await server.app.storage.audit.head()).sequence;
      await gql(server.url, "{ roles { name } }", { token: generateSecret(TOKEN_PREFIX) });
      await gql(server.url, "{ roles { name } }", { token: server.adminToken });
      const events = await eventsSince(before);
      expect(events[0]).to.deep.include({
        operation: "authenticate",
        decision: "DENY",
        reason: "UNAUTHENTICATED",
        actorId: null,
        metadata: { failure: "unknown" },
      });
      const breakGlass = events.slice(1);
      expect(breakGlass.map((e) => e.operation)).to.deep.equal(["authenticate", "Query.roles"]);
      for (const e of breakGlass) expect(e.metadata).to.deep.equal({ breakGlass: true });
      expect(JSON.stringify(events)).to.not.contain(server.adminToken.slice(4, 44));
    });

    it("fails a call closed when its audit event cannot be written", async () => {
      const viewer = await addUser(server, ["viewer"]);
      const rename = (from: string, to: string) =>
        server.app.storage.dataSource.query(
          kind.name === "mysql" ? `RENAME TABLE ${from} TO ${to}` : `ALTER TABLE ${from} RENAME TO ${to}`,
        );
      await rename("audit_events", "audit_events_moved");
      try {
        const res = await gql(server.url, "{ roles { name } }", { token: viewer.token });
        expect(res.data ?? null).to.equal(null);
        expect(res.errors?.[0]?.extensions?.code).to.equal("INTERNAL_SERVER_ERROR");
        expect(res.errors?.[0]?.message).to.match(/^internal error \(request id [0-9a-f-]{36}\)$/);
        expect(res.errors?.[0]?.extensions?.requestId).to.match(/^[0-9a-f-]{36}$/);
        expect(res.raw).to.not.match(/audit_events|SQL|node_modules/);
      } finally {
        await rename("audit_events_moved", "audit_events");
      }
      const after = await gql(server.url, "{ roles { name } }", { token: viewer.token });
      expect(after.errors).to.equal(undefined);
    });
  });
}
