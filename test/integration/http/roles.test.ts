import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { databaseKinds } from "../../support/databases";
import {
  auditHead,
  changesSince,
  LIMITED_AUTHOR_POLICY,
  LIMITED_AUTHOR_ROLE,
  ok,
  refused,
} from "../../support/access-model";
import { addRole, addUser, type TestUser } from "../../support/principals";
import { serverForSuite, type TestServer, issuesOf } from "../../support/server";

const ROLE_FIELDS = `name description builtIn superuser maxSessionTtlSeconds requireSessionMfa approvalsRequired denialsRequired document
  policies { name } inherits { name } requestableRoles { name } reviewableRoles { name }`;
const CREATE = `mutation($d: String!) { createRole(document: $d) { ${ROLE_FIELDS} } }`;
const UPDATE = `mutation($n: String!, $d: String!) { updateRole(name: $n, document: $d) { ${ROLE_FIELDS} } }`;
const DELETE = `mutation($n: String!) { deleteRole(name: $n) }`;
const READ = `query($n: String!) { role(name: $n) { document policies { name } inherits { name } } }`;
const CREATE_POLICY = `mutation($d: String!) { createPolicy(document: $d) { name } }`;
const CAN = `query($s: SubjectInput, $a: String!, $r: ResourceInput!) { can(subject: $s, action: $a, resource: $r) { allowed reason } }`;

const unique = (base: string) => `${base}-${randomUUID().slice(0, 8)}`;
const role = (name: string, body = "policies: [viewer-read]\n") => `kind: role\nname: ${name}\n${body}`;

/** A Role as ROLE_FIELDS selects it (the fields the tests read by name). */
type RoleView = { name: string; document: string; policies: Array<{ name: string }>; [field: string]: unknown };

for (const kind of databaseKinds()) {
  describe(`roles over HTTP on ${kind.name}`, function () {
    this.timeout(120_000);
    let server: TestServer;
    let admin: string;

    serverForSuite(kind, (s) => (server = s));
    before(() => {
      admin = server.adminToken;
    });

    const stored = async (name: string) =>
      (await ok(server, admin, READ, { n: name })).role as {
        document: string;
        policies: Array<{ name: string }>;
        inherits: Array<{ name: string }>;
      } | null;
    const version = async (name: string) => (await server.app.storage.roles.get(name))?.version ?? null;

    describe("createRole", () => {
      it("creates a role with its references, options and access-request settings, returning the document as submitted", async () => {
        const name = unique("developer");
        const document = role(
          name,
          `description: Feature work\npolicies: [deployer-deploy, cicd-deploy]\ninherits: [viewer]\noptions: { maxSessionTtl: 1h30m, requireSessionMfa: true }\nrequest: { roles: [ops], approvals: 2, denials: 1 }\nreviewRequests: { roles: [auditor] }\n`,
        );
        const created = (await ok<{ createRole: RoleView }>(server, admin, CREATE, { d: document })).createRole;
        expect(created).to.deep.equal({
          name,
          description: "Feature work",
          builtIn: false,
          superuser: false,
          maxSessionTtlSeconds: 5400,
          requireSessionMfa: true,
          approvalsRequired: 2,
          denialsRequired: 1,
          document,
          policies: [{ name: "deployer-deploy" }, { name: "cicd-deploy" }],
          inherits: [{ name: "viewer" }],
          requestableRoles: [{ name: "ops" }],
          reviewableRoles: [{ name: "auditor" }],
        });
        expect(await version(name)).to.equal(1);
      });

      it("writes a change record holding the new document", async () => {
        const name = unique("recorded");
        const since = await auditHead(server);
        await ok<{ createRole: RoleView }>(server, admin, CREATE, { d: role(name) });
        const events = await changesSince(server, since, "Mutation.createRole");
        expect(events).to.have.length(1);
        expect(events[0]).to.deep.include({ resourceType: "role", resourceName: name });
        expect(events[0].metadata).to.deep.equal({
          change: { kind: "role", name, oldVersion: null, newVersion: 1, oldDocument: null, newDocument: role(name) },
        });
      });

      it("refuses an unknown policy at policies[1] with a suggestion, storing nothing", async () => {
        const name = unique("typo");
        const { extensions, message } = await refused(server, admin, CREATE, {
          d: role(name, "policies: [viewer-read, deployer-deplyo]\n"),
        });
        expect(extensions).to.deep.include({ code: "BAD_USER_INPUT", field: "policies[1]" });
        expect(message).to.contain("did you mean 'deployer-deploy'?");
        expect(await stored(name)).to.equal(null);
      });

      it("refuses unknown roles at inherits[i], request.roles[i] and reviewRequests.roles[i]", async () => {
        const name = unique("dangling");
        const { extensions } = await refused(server, admin, CREATE, {
          d: role(
            name,
            "inherits: [viewer, nobody]\nrequest: { roles: [ghost] }\nreviewRequests: { roles: [auditor, phantom] }\n",
          ),
        });
        expect(extensions).to.deep.include({ code: "BAD_USER_INPUT", field: "inherits[1]" });
        expect(issuesOf(extensions).map((i: { path: string }) => i.path)).to.deep.equal([
          "inherits[1]",
          "request.roles[0]",
          "reviewRequests.roles[1]",
        ]);
        expect(await stored(name)).to.equal(null);
      });

      it("refuses a name already taken, ignoring case, with CONFLICT", async () => {
        const { extensions } = await refused(server, admin, CREATE, { d: role("VIEWER", "policies: [admin-all]\n") });
        expect(extensions.code).to.equal("CONFLICT");
        expect((await stored("viewer"))!.policies).to.deep.equal([{ name: "viewer-read" }]);
      });
    });

    describe("updateRole", () => {
      it("bumps the version and keeps the old document in the change record", async () => {
        const name = unique("growing");
        await ok<{ createRole: RoleView }>(server, admin, CREATE, { d: role(name) });
        const since = await auditHead(server);
        const next = role(name, "policies: [viewer-read, cicd-deploy]\n");
        const updated = (await ok<{ updateRole: RoleView }>(server, admin, UPDATE, { n: name.toUpperCase(), d: next }))
          .updateRole;
        expect(updated.policies).to.deep.equal([{ name: "viewer-read" }, { name: "cicd-deploy" }]);
        expect(await version(name)).to.equal(2);
        const events = await changesSince(server, since, "Mutation.updateRole");
        expect(events.map((e) => e.metadata!.change)).to.deep.equal([
          { kind: "role", name, oldVersion: 1, newVersion: 2, oldDocument: role(name), newDocument: next },
        ]);
      });

      it("treats the returned document, or the same role written differently, as a no-op", async () => {
        const name = unique("steady");
        const created = (
          await ok<{ createRole: RoleView }>(server, admin, CREATE, {
            d: role(name, "policies: [viewer-read]\noptions: { maxSessionTtl: 8h }\n"),
          })
        ).createRole;
        const since = await auditHead(server);
        expect(
          (await ok<{ updateRole: RoleView }>(server, admin, UPDATE, { n: name, d: created.document })).updateRole
            .document,
        ).to.equal(created.document);
        const reworded = `kind: role\nname: ${name}\npolicies:\n  - viewer-read\noptions:\n  maxSessionTtl: 480m\n  requireSessionMfa: false\n`;
        expect(
          (await ok<{ updateRole: RoleView }>(server, admin, UPDATE, { n: name, d: reworded })).updateRole.document,
        ).to.equal(created.document);
        expect(await version(name)).to.equal(1);
        expect(await changesSince(server, since)).to.deep.equal([]);
      });

      it("refuses an inheritance cycle at the inherits entry that closes it, changing nothing", async () => {
        const base = unique("base");
        const child = unique("child");
        await ok<{ createRole: RoleView }>(server, admin, CREATE, { d: role(base) });
        await ok<{ createRole: RoleView }>(server, admin, CREATE, {
          d: role(child, `policies: []\ninherits: [${base}]\n`),
        });
        const { extensions, message } = await refused(server, admin, UPDATE, {
          n: base,
          d: role(base, `policies: [viewer-read]\ninherits: [${child}]\n`),
        });
        expect(extensions).to.deep.include({ code: "BAD_USER_INPUT", field: "inherits[0]" });
        expect(message).to.contain("cycle");
        expect(await stored(base)).to.deep.include({ document: role(base), inherits: [] });
        expect(await version(base)).to.equal(1);
      });

      it("refuses a renaming document and a missing role", async () => {
        const name = unique("fixed");
        await ok<{ createRole: RoleView }>(server, admin, CREATE, { d: role(name) });
        expect(
          (await refused(server, admin, UPDATE, { n: name, d: role(unique("other")) })).extensions,
        ).to.deep.include({ code: "BAD_USER_INPUT", field: "document" });
        expect(
          (await refused(server, admin, UPDATE, { n: "no-such-role", d: role("no-such-role") })).extensions.code,
        ).to.equal("NOT_FOUND");
        expect(await stored(name)).to.deep.include({ document: role(name) });
      });

      it("is visible to `can` on the very next request", async () => {
        const name = unique("live");
        await ok<{ createRole: RoleView }>(server, admin, CREATE, { d: role(name, "policies: []\n") });
        const holder = await addUser(server, [name]);
        const ask = { s: { userId: holder.user.id }, a: "submit", r: { type: "job", namespace: "dev" } };
        expect((await ok<{ can: { allowed: boolean; reason: string } }>(server, admin, CAN, ask)).can.allowed).to.equal(
          false,
        );
        await ok<{ updateRole: RoleView }>(server, admin, UPDATE, {
          n: name,
          d: role(name, "policies: [cicd-deploy]\n"),
        });
        expect((await ok<{ can: { allowed: boolean; reason: string } }>(server, admin, CAN, ask)).can).to.deep.equal({
          allowed: true,
          reason: "ALLOWED",
        });
      });
    });

    describe("deleteRole", () => {
      it("deletes an unused role, records its last document, and answers NOT_FOUND after", async () => {
        const name = unique("doomed");
        await ok<{ createRole: RoleView }>(server, admin, CREATE, { d: role(name) });
        const since = await auditHead(server);
        expect((await ok(server, admin, DELETE, { n: name })).deleteRole).to.equal(true);
        expect(await stored(name)).to.equal(null);
        const [event] = await changesSince(server, since, "Mutation.deleteRole");
        expect(event.metadata!.change).to.deep.include({ oldDocument: role(name), newDocument: null, oldVersion: 1 });
        expect((await refused(server, admin, DELETE, { n: name })).extensions.code).to.equal("NOT_FOUND");
      });

      it("deletes a role whose access-request settings name the role itself", async () => {
        const name = unique("oncall");
        await ok<{ createRole: RoleView }>(server, admin, CREATE, {
          d: role(name, `policies: []\nrequest: { roles: [${name}] }\nreviewRequests: { roles: [${name}] }\n`),
        });
        expect((await ok(server, admin, DELETE, { n: name })).deleteRole).to.equal(true);
        expect(await stored(name)).to.equal(null);
      });

      it("refuses to delete a granted role with CONFLICT, and keeps it", async () => {
        const name = unique("granted");
        await ok<{ createRole: RoleView }>(server, admin, CREATE, { d: role(name) });
        await addUser(server, [name]);
        const { extensions, message } = await refused(server, admin, DELETE, { n: name });
        expect(extensions.code).to.equal("CONFLICT");
        expect(message).to.contain("grant");
        expect(await stored(name)).to.not.equal(null);
      });

      it("refuses to delete an inherited role with CONFLICT naming the role that inherits it", async () => {
        const parent = unique("parent");
        const heir = unique("heir");
        await ok<{ createRole: RoleView }>(server, admin, CREATE, { d: role(parent) });
        await ok<{ createRole: RoleView }>(server, admin, CREATE, {
          d: role(heir, `policies: []\ninherits: [${parent}]\n`),
        });
        const { extensions, message } = await refused(server, admin, DELETE, { n: parent });
        expect(extensions.code).to.equal("CONFLICT");
        expect(message).to.contain(heir);
        expect(await stored(parent)).to.not.equal(null);
      });

      it("refuses to delete a built-in role with CONFLICT", async () => {
        const { extensions, message } = await refused(server, admin, DELETE, { n: "cicd" });
        expect(extensions.code).to.equal("CONFLICT");
        expect(message).to.contain("built in");
        expect(await stored("cicd")).to.not.equal(null);
      });
    });

    describe("escalation", () => {
      let author: TestUser;
      let jobsPolicy: string;
      let secretsPolicy: string;
      before(async () => {
        await addRole(server, LIMITED_AUTHOR_POLICY, LIMITED_AUTHOR_ROLE);
        author = await addUser(server, ["limited-author"]);
        jobsPolicy = unique("payments-jobs");
        secretsPolicy = unique("read-secrets");
        await ok(server, admin, CREATE_POLICY, {
          d: `kind: policy\nname: ${jobsPolicy}\nrules:\n  - resource: job\n    namespace: prod/payments\n    capabilities: [read, restart]\n`,
        });
        await ok(server, admin, CREATE_POLICY, {
          d: `kind: policy\nname: ${secretsPolicy}\nrules:\n  - resource: secret\n    capabilities: [read]\n`,
        });
      });

      it("lets an actor create a role covering less than it holds", async () => {
        const name = unique("payments-ops");
        expect(
          (
            await ok<{ createRole: RoleView }>(server, author.token, CREATE, {
              d: role(name, `policies: [${jobsPolicy}]\n`),
            })
          ).createRole.name,
        ).to.equal(name);
      });

      it("refuses a role allowing secret:read with ESCALATION_DENIED naming it, storing nothing", async () => {
        const name = unique("peeker");
        const { extensions } = await refused(server, author.token, CREATE, {
          d: role(name, `policies: [${jobsPolicy}, ${secretsPolicy}]\n`),
        });
        expect(extensions).to.deep.include({ code: "ESCALATION_DENIED", capability: "secret:read" });
        expect(await stored(name)).to.equal(null);
      });

      it("refuses widening a role through an inherited role the actor does not cover, leaving it unchanged", async () => {
        const name = unique("creeping");
        await ok<{ createRole: RoleView }>(server, author.token, CREATE, {
          d: role(name, `policies: [${jobsPolicy}]\n`),
        });
        const { extensions } = await refused(server, author.token, UPDATE, {
          n: name,
          d: role(name, `policies: [${jobsPolicy}]\ninherits: [viewer]\n`),
        });
        expect(extensions.code).to.equal("ESCALATION_DENIED");
        expect(extensions.capability).to.match(/^[a-z_]+:[a-z_]+$/);
        expect(await stored(name)).to.deep.include({ document: role(name, `policies: [${jobsPolicy}]\n`) });
      });

      it("refuses a superuser role to an actor that is not a superuser", async () => {
        const name = unique("root");
        const { extensions } = await refused(server, author.token, CREATE, {
          d: role(name, "policies: []\nsuperuser: true\n"),
        });
        expect(extensions).to.deep.include({ code: "ESCALATION_DENIED", capability: "*:*" });
        expect(await stored(name)).to.equal(null);
      });

      it("lets a holder of escalate on role create what it does not hold itself", async () => {
        const escalator = unique("escalator");
        await addRole(
          server,
          `kind: policy\nname: ${escalator}\nrules:\n  - resource: role\n    capabilities: [create, escalate]\n`,
          `kind: role\nname: ${escalator}\npolicies: [${escalator}]\n`,
        );
        const holder = await addUser(server, [escalator]);
        const name = unique("granted-secrets");
        expect(
          (
            await ok<{ createRole: RoleView }>(server, holder.token, CREATE, {
              d: role(name, `policies: [${secretsPolicy}]\n`),
            })
          ).createRole.name,
        ).to.equal(name);
      });
    });

    it("refuses each role mutation to a user with no roles with FORBIDDEN", async () => {
      const nobody = await addUser(server, []);
      const name = unique("forbidden");
      for (const [query, variables, capability] of [
        [CREATE, { d: role(name) }, "role:create"],
        [UPDATE, { n: "viewer", d: role("viewer", "policies: [admin-all]\n") }, "role:update"],
        [DELETE, { n: "cicd" }, "role:delete"],
      ] as const) {
        const { extensions } = await refused(server, nobody.token, query, variables);
        expect(extensions).to.deep.include({ code: "FORBIDDEN", capability });
      }
      expect(await stored(name)).to.equal(null);
      expect((await stored("viewer"))!.policies).to.deep.equal([{ name: "viewer-read" }]);
    });
  });
}
