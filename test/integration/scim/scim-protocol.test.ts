import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { databaseKinds } from "../../support/databases";
import { addRole, addUser, type TestUser } from "../../support/principals";
import { serverForSuite, type TestServer } from "../../support/server";
import { addSession } from "../../support/sessions";
import { aScimUser, eventsSince, expectScimError, GROUP_SCHEMA, patchOp, scim, USER_SCHEMA } from "../../support/scim";

interface ScimUser {
  id: string;
  userName: string;
}
interface ServiceProviderConfig {
  bulk: { supported: boolean };
  authenticationSchemes: Array<{ type: string }>;
}
interface ResourceType {
  id: string;
  endpoint: string;
  schema: string;
}
interface SchemaAttribute {
  name: string;
  mutability: string;
}
interface ScimSchema {
  id: string;
  attributes: SchemaAttribute[];
}
interface ScimList<T> {
  totalResults: number;
  Resources: T[];
}

for (const kind of databaseKinds()) {
  describe(`SCIM protocol, authentication and authorization on ${kind.name}`, function () {
    this.timeout(120_000);
    let server: TestServer;
    let admin: string;
    let viewer: TestUser;

    serverForSuite(kind, (s) => (server = s));
    before(async () => {
      admin = server.adminToken;
      viewer = await addUser(server, ["viewer"]);
    });
    const head = async () => (await server.app.storage.audit.head()).sequence;

    describe("discovery", () => {
      it("says what is supported: patch and filter with maxResults; no bulk, sort, etag or password changes", async () => {
        const res = await scim(server, admin, "GET", "/ServiceProviderConfig");
        expect(res.status).to.equal(200);
        expect(res.body).to.deep.include({
          schemas: ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
          patch: { supported: true },
          filter: { supported: true, maxResults: 200 },
          changePassword: { supported: false },
          sort: { supported: false },
          etag: { supported: false },
        });
        const config = res.body as ServiceProviderConfig;
        expect(config.bulk.supported).to.equal(false);
        expect(config.authenticationSchemes[0].type).to.equal("oauthbearertoken");
      });

      it("lists the User and Group resource types and schemas, each also by id", async () => {
        const types = await scim(server, admin, "GET", "/ResourceTypes");
        expect(types.body.totalResults).to.equal(2);
        expect((types.body as ScimList<ResourceType>).Resources.map((t) => [t.id, t.endpoint, t.schema])).to.deep.equal(
          [
            ["User", "/Users", USER_SCHEMA],
            ["Group", "/Groups", GROUP_SCHEMA],
          ],
        );
        expect((await scim(server, admin, "GET", "/ResourceTypes/Group")).body.endpoint).to.equal("/Groups");
        const schemas = await scim(server, admin, "GET", "/Schemas");
        expect((schemas.body as ScimList<ScimSchema>).Resources.map((s) => s.id)).to.deep.equal([
          USER_SCHEMA,
          GROUP_SCHEMA,
        ]);
        const user = await scim(server, admin, "GET", `/Schemas/${USER_SCHEMA}`);
        const { attributes } = user.body as ScimSchema;
        const groups = attributes.find((a) => a.name === "groups");
        expect(groups!.mutability).to.equal("readOnly");
        expect(attributes.find((a) => a.name === "userName")).to.deep.include({
          required: true,
          uniqueness: "server",
        });
        expectScimError(await scim(server, admin, "GET", "/Schemas/urn:example:nope"), 404);
      });

      it("answers an unknown endpoint, such as /Bulk, with a SCIM 404", async () => {
        expectScimError(await scim(server, admin, "POST", "/Bulk", { schemas: [] }), 404);
        expectScimError(await scim(server, admin, "GET", "/Users/a/b"), 404);
      });
    });

    describe("authentication", () => {
      it("answers 401 in SCIM's format without a credential or with a bad one, and audits the failure", async () => {
        const since = await head();
        const missing = await scim(server, null, "GET", "/Users");
        expectScimError(missing, 401);
        expect(missing.headers.get("www-authenticate")).to.equal("Bearer");
        expectScimError(await scim(server, "ptc_nottherightformat", "GET", "/ServiceProviderConfig"), 401);
        const failures = await eventsSince(server, since, "authenticate");
        expect(failures.map((e) => [e.decision, e.reason])).to.deep.equal([
          ["DENY", "UNAUTHENTICATED"],
          ["DENY", "UNAUTHENTICATED"],
        ]);
      });

      it("takes the Authorization header only: a session cookie does not authenticate SCIM calls", async () => {
        const session = await addSession(server, viewer.user.id);
        const res = await fetch(`${server.url}/scim/v2/Users`, {
          headers: { cookie: `portcullis_session=${session.secret}` },
        });
        expect(res.status).to.equal(401);
        expect(((await res.json()) as { schemas: string[] }).schemas).to.deep.equal([
          "urn:ietf:params:scim:api:messages:2.0:Error",
        ]);
      });

      it("refuses a token once revoked or its owner deprovisioned", async () => {
        const integration = await addUser(server, ["admin"]);
        expect((await scim(server, integration.token, "GET", "/Users?count=1")).status).to.equal(200);
        expect((await scim(server, admin, "DELETE", `/Users/${integration.user.id}`)).status).to.equal(204);
        expectScimError(await scim(server, integration.token, "GET", "/Users?count=1"), 401);
      });
    });

    describe("authorization", () => {
      it("refuses a viewer token with 403 in SCIM's format on every operation, and audits each refusal", async () => {
        const target = (await scim(server, admin, "POST", "/Users", aScimUser())).body as ScimUser;
        const calls: Array<[string, string, unknown, string, string]> = [
          ["GET", "/Users", undefined, "SCIM.Users.list", "list"],
          ["GET", `/Users/${target.id}`, undefined, "SCIM.Users.read", "read"],
          ["POST", "/Users", aScimUser(), "SCIM.Users.create", "create"],
          ["PUT", `/Users/${target.id}`, aScimUser({ userName: target.userName }), "SCIM.Users.replace", "update"],
          [
            "PATCH",
            `/Users/${target.id}`,
            patchOp({ op: "replace", path: "displayName", value: "x" }),
            "SCIM.Users.update",
            "update",
          ],
          [
            "PATCH",
            `/Users/${target.id}`,
            patchOp({ op: "replace", path: "active", value: false }),
            "SCIM.Users.update",
            "deprovision",
          ],
          ["DELETE", `/Users/${target.id}`, undefined, "SCIM.Users.delete", "deprovision"],
          ["GET", "/Groups", undefined, "SCIM.Groups.list", "list"],
          [
            "POST",
            "/Groups",
            { schemas: [GROUP_SCHEMA], displayName: "g", members: [{ value: target.id }] },
            "SCIM.Groups.create",
            "create",
          ],
          [
            "PATCH",
            `/Groups/Zw`,
            patchOp({ op: "add", path: "members", value: [{ value: target.id }] }),
            "SCIM.Groups.update",
            "update",
          ],
          ["DELETE", `/Groups/Zw`, undefined, "SCIM.Groups.delete", "update"],
        ];
        for (const [method, path, body, operation, action] of calls) {
          const since = await head();
          const res = await scim(server, viewer.token, method, path, body);
          expect(expectScimError(res, 403).detail, `${method} ${path}`).to.contain(`user:${action}`);
          const events = await eventsSince(server, since, operation);
          expect(
            events.map((e) => [e.action, e.decision, e.actorId, e.tokenId]),
            `${method} ${path}`,
          ).to.deep.equal([[action, "DENY", viewer.user.id, viewer.tokenId]]);
        }
        const stored = await server.app.storage.users.get(target.id);
        expect(stored).to.deep.include({ status: "ACTIVE", groups: [] });
      });

      it("decides on the addressed user's email, so a policy on some users admits those only", async () => {
        const role = `scim-${randomUUID().slice(0, 6)}`;
        await addRole(
          server,
          `kind: policy\nname: ${role}\nrules:\n  - resource: user\n    name: "*@partner.example"\n    capabilities: [read]\n`,
          `kind: role\nname: ${role}\npolicies: [${role}]\n`,
        );
        const partnerAdmin = await addUser(server, [role]);
        const partner = (
          await scim(
            server,
            admin,
            "POST",
            "/Users",
            aScimUser({ userName: `p-${randomUUID().slice(0, 6)}@partner.example` }),
          )
        ).body as ScimUser;
        const other = (await scim(server, admin, "POST", "/Users", aScimUser())).body as ScimUser;
        expect((await scim(server, partnerAdmin.token, "GET", `/Users/${partner.id}`)).status).to.equal(200);
        const refusedExisting = expectScimError(
          await scim(server, partnerAdmin.token, "GET", `/Users/${other.id}`),
          403,
        );
        // Not found and not allowed look alike to a caller who may not read the object.
        const refusedMissing = expectScimError(
          await scim(server, partnerAdmin.token, "GET", `/Users/${randomUUID()}`),
          403,
        );
        expect(refusedExisting.detail).to.equal(refusedMissing.detail).and.not.contain(other.userName);
      });

      it("needs update on the new address too when userName changes", async () => {
        const role = `scim-${randomUUID().slice(0, 6)}`;
        await addRole(
          server,
          `kind: policy\nname: ${role}\nrules:\n  - resource: user\n    name: "*@partner.example"\n    capabilities: [read, update]\n`,
          `kind: role\nname: ${role}\npolicies: [${role}]\n`,
        );
        const partnerAdmin = await addUser(server, [role]);
        const partner = (
          await scim(
            server,
            admin,
            "POST",
            "/Users",
            aScimUser({ userName: `p-${randomUUID().slice(0, 6)}@partner.example` }),
          )
        ).body as ScimUser;
        const within = `q-${randomUUID().slice(0, 6)}@partner.example`;
        const moved = await scim(
          server,
          partnerAdmin.token,
          "PATCH",
          `/Users/${partner.id}`,
          patchOp({ op: "replace", path: "userName", value: within }),
        );
        expect(moved.status, moved.raw).to.equal(200);
        const outside = await scim(
          server,
          partnerAdmin.token,
          "PATCH",
          `/Users/${partner.id}`,
          patchOp({ op: "replace", path: "userName", value: `q@corp.example` }),
        );
        expectScimError(outside, 403);
        expect((await server.app.storage.users.get(partner.id))?.email).to.equal(within);
      });
    });

    describe("requests and errors", () => {
      it("takes application/json bodies as well as application/scim+json", async () => {
        const res = await scim(server, admin, "POST", "/Users", aScimUser(), "application/json");
        expect(res.status, res.raw).to.equal(201);
      });

      it("answers malformed JSON, a non-object body and an oversized body in SCIM's format", async () => {
        expectScimError(await scim(server, admin, "POST", "/Users", '{"schemas": ['), 400, "invalidSyntax");
        expectScimError(await scim(server, admin, "POST", "/Users", "[1, 2]"), 400, "invalidSyntax");
        expectScimError(await scim(server, admin, "PATCH", `/Users/${randomUUID()}`, "null"), 400, "invalidSyntax");
        const huge = JSON.stringify(aScimUser({ displayName: "x".repeat(1_100_000) }));
        expectScimError(await scim(server, admin, "POST", "/Users", huge), 413);
      });

      it("refuses overlong values naming the field, and writes nothing", async () => {
        const before = await server.app.storage.users.count();
        const res = await scim(server, admin, "POST", "/Users", aScimUser({ displayName: "x".repeat(300) }));
        expect(expectScimError(res, 400, "invalidValue").detail).to.contain("displayName");
        expect(await server.app.storage.users.count()).to.equal(before);
      });
    });
  });
}
