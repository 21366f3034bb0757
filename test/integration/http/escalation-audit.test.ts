import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { eventsSince as eventsSinceIn } from "../../support/access-model";
import { databaseKinds } from "../../support/databases";
import { addGrantTestRoles } from "../../support/grant-roles";
import { addRole, addUser } from "../../support/principals";
import { aScimUser, GROUP_SCHEMA, scim } from "../../support/scim";
import { gql, serverForSuite, type TestServer } from "../../support/server";
import { subscribe } from "../../support/subscriptions";

const GRANT = `mutation($input: GrantInput!) { grantRole(input: $input) { id } }`;
const CREATE_TOKEN = `mutation($input: CreateTokenInput!) { createToken(input: $input) { secret } }`;

for (const kind of databaseKinds()) {
  describe(`escalation refusals in the audit trail on ${kind.name}`, function () {
    this.timeout(60_000);
    let server: TestServer;
    serverForSuite(kind, (s) => (server = s));
    before(async () => addGrantTestRoles(server));

    const eventsSince = (sequence: number) => eventsSinceIn(server, sequence);

    async function refusedAndAudited(
      token: string,
      query: string,
      variables: Record<string, unknown>,
      actorId: string,
    ) {
      const before = (await server.app.storage.audit.head()).sequence;
      const res = await gql(server.url, query, { token, variables });
      expect(res.errors?.[0]?.extensions?.code, res.raw).to.equal("ESCALATION_DENIED");
      const denials = (await eventsSince(before)).filter((e) => e.reason === "ESCALATION_DENIED");
      expect(denials).to.have.length(1);
      expect(denials[0]).to.deep.include({
        decision: "DENY",
        actorId,
        action: "change",
        requestId: denials[0].requestId,
      });
      expect(denials[0].metadata?.capability).to.equal(res.errors![0].extensions!.capability ?? null);
      expect(denials[0].requestId).to.match(/^[0-9a-f-]{36}$/);
      return denials[0];
    }

    it("records grantRole(admin) refused as DENY / ESCALATION_DENIED with the missing capability, after the guard's ALLOW", async () => {
      const clerk = await addUser(server, ["grant-clerk"]);
      const target = await addUser(server, []);
      const before = (await server.app.storage.audit.head()).sequence;
      const event = await refusedAndAudited(
        clerk.token,
        GRANT,
        { input: { userId: target.user.id, role: "admin" } },
        clerk.user.id,
      );
      expect(event.operation).to.equal("Mutation.grantRole");
      expect(event.metadata?.capability).to.match(/^[a-z_]+:[a-z_*]+$/);
      const all = await eventsSince(before);
      expect(all.map((e) => [e.operation, e.decision, e.reason])).to.deep.equal([
        ["Mutation.grantRole", "ALLOW", "ALLOWED"],
        ["Mutation.grantRole", "DENY", "ESCALATION_DENIED"],
      ]);
      expect((await server.app.storage.grants.forUsers([target.user.id])).get(target.user.id) ?? []).to.deep.equal([]);
    });

    it("records createToken(roles: [admin]) and createToken(breakGlass: true) refused, and issues nothing", async () => {
      const viewer = await addUser(server, ["viewer"]);
      const tokensBefore = await server.app.storage.tokens.listByOwner(viewer.user.id, true);
      const wider = await refusedAndAudited(
        viewer.token,
        CREATE_TOKEN,
        { input: { name: "x", roles: ["admin"] } },
        viewer.user.id,
      );
      expect(wider.operation).to.equal("Mutation.createToken");
      const glass = await refusedAndAudited(
        viewer.token,
        CREATE_TOKEN,
        { input: { name: "y", breakGlass: true } },
        viewer.user.id,
      );
      expect(glass.metadata?.capability).to.equal("role:escalate");
      expect(await server.app.storage.tokens.listByOwner(viewer.user.id, true)).to.have.length(tokensBefore.length);
    });

    it("records a refusal over SCIM too (a group bringing a role the caller may not give)", async () => {
      const group = `admins-${randomUUID().slice(0, 8)}`;
      expect(
        (await gql(server.url, GRANT, { token: server.adminToken, variables: { input: { group, role: "admin" } } }))
          .errors,
      ).to.equal(undefined);
      await addRole(
        server,
        'kind: policy\nname: scim-users\nrules:\n  - resource: user\n    capabilities: ["*"]\n',
        "kind: role\nname: scim-users\npolicies: [scim-users]\n",
      );
      const caller = await addUser(server, ["scim-users"]);
      const member = await scim(server, server.adminToken, "POST", "/Users", aScimUser());
      const before = (await server.app.storage.audit.head()).sequence;
      const res = await scim(server, caller.token, "POST", "/Groups", {
        schemas: [GROUP_SCHEMA],
        displayName: group,
        members: [{ value: member.body.id as unknown }],
      });
      expect(res.status).to.equal(403);
      const denials = (await eventsSince(before)).filter((e) => e.reason === "ESCALATION_DENIED");
      expect(denials.map((e) => [e.decision, e.actorId, e.operation])).to.deep.equal([
        ["DENY", caller.user.id, "SCIM.Groups.create"],
      ]);
      expect(denials[0].metadata?.capability).to.be.a("string");
    });

    it("delivers the refusal to an auditEvents subscription over WebSocket", async () => {
      const clerk = await addUser(server, ["grant-clerk"]);
      const sub = subscribe(
        server,
        "subscription { auditEvents(filter: { decision: DENY }) { operation decision reason actorId metadata } }",
        { token: server.adminToken },
      );
      try {
        // The subscription is live once a DENY of our own making arrives.
        let live = false;
        for (let attempt = 0; attempt < 50 && !live; attempt++) {
          await gql(server.url, "{ users { id } }", { token: clerk.token });
          live = await sub
            .waitFor((e) => e.auditEvents.operation === "Query.users" && e.auditEvents.actorId === clerk.user.id, 200)
            .then(
              () => true,
              () => false,
            );
        }
        expect(live, JSON.stringify(sub.errors)).to.equal(true);
        const target = await addUser(server, []);
        await gql(server.url, GRANT, {
          token: clerk.token,
          variables: { input: { userId: target.user.id, role: "admin" } },
        });
        const event = await sub.waitFor((e) => e.auditEvents.reason === "ESCALATION_DENIED", 10_000);
        expect(event.auditEvents).to.deep.include({
          operation: "Mutation.grantRole",
          decision: "DENY",
          actorId: clerk.user.id,
        });
        expect(event.auditEvents.metadata?.capability).to.be.a("string");
      } finally {
        await sub.dispose();
      }
    });
  });
}
