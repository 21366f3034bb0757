import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { gql } from "../../support/server";
import { databaseKinds } from "../../support/databases";
import { addUser } from "../../support/principals";
import { serverForSuite, type TestServer } from "../../support/server";
import { addSession } from "../../support/sessions";
import {
  aScimUser,
  eventsSince,
  expectScimError,
  patchOp,
  scim,
  USER_SCHEMA,
  type ScimResponse,
} from "../../support/scim";

const ME = "{ me { id email } }";
interface MeData {
  me: { id: string; email: string };
}

interface ScimUser {
  id: string;
  userName: string;
  externalId: string;
  displayName: string;
  name: { formatted?: string; givenName?: string; familyName?: string };
  active: boolean;
}
interface ScimList<T> {
  Resources: T[];
}

/** The body of a SCIM answer, read as the resource shape the test expects of it. */
const userOf = (res: ScimResponse) => res.body as ScimUser;
const userListOf = (res: ScimResponse) => res.body as ScimList<ScimUser>;

for (const kind of databaseKinds()) {
  describe(`SCIM /Users on ${kind.name}`, function () {
    this.timeout(120_000);
    let server: TestServer;
    let admin: string;

    serverForSuite(kind, (s) => (server = s));
    before(() => {
      admin = server.adminToken;
    });

    const create = async (patch: Record<string, unknown> = {}) => {
      const res = await scim(server, admin, "POST", "/Users", aScimUser(patch));
      expect(res.status, res.raw).to.equal(201);
      return userOf(res);
    };
    const head = async () => (await server.app.storage.audit.head()).sequence;

    describe("POST /Users", () => {
      it("creates a SCIM user with the lower-cased email as userName, and answers with Location and the resource", async () => {
        const externalId = `okta-${randomUUID()}`;
        const res = await scim(
          server,
          admin,
          "POST",
          "/Users",
          aScimUser({ userName: "Grace.Hopper+x@Example.COM", externalId, displayName: "Grace Hopper" }),
        );
        expect(res.status, res.raw).to.equal(201);
        expect(res.body).to.deep.include({
          schemas: [USER_SCHEMA],
          userName: "grace.hopper+x@example.com",
          externalId,
          displayName: "Grace Hopper",
          active: true,
          groups: [],
        });
        expect(res.body.emails).to.deep.equal([{ value: "grace.hopper+x@example.com", type: "work", primary: true }]);
        expect(res.headers.get("location")).to.equal(`${server.url}/scim/v2/Users/${res.body.id}`);
        expect(res.body.meta).to.deep.include({ resourceType: "User", location: res.headers.get("location") });
        const stored = await server.app.storage.users.get(userOf(res).id);
        expect(stored).to.deep.include({
          email: "grace.hopper+x@example.com",
          source: "SCIM",
          externalId,
          status: "ACTIVE",
          displayName: "Grace Hopper",
        });
      });

      it("takes the display name from name when displayName is not sent", async () => {
        const body = await create({ name: { givenName: "Ada", familyName: "Lovelace" } });
        expect(body.displayName).to.equal("Ada Lovelace");
        expect(body.name).to.deep.equal({ formatted: "Ada Lovelace" });
      });

      it("creates a deprovisioned user when active is false", async () => {
        const body = await create({ active: false });
        expect(body.active).to.equal(false);
        expect((await server.app.storage.users.get(body.id))?.status).to.equal("DEPROVISIONED");
      });

      it("refuses a duplicate userName in another case with 409 uniqueness, creating nothing", async () => {
        const body = await create();
        const before = await server.app.storage.users.count();
        const res = await scim(server, admin, "POST", "/Users", aScimUser({ userName: body.userName.toUpperCase() }));
        expect(expectScimError(res, 409, "uniqueness").detail).to.contain(body.userName);
        expect(await server.app.storage.users.count()).to.equal(before);
      });

      it("refuses a taken externalId with 409 uniqueness", async () => {
        const body = await create();
        expectScimError(
          await scim(server, admin, "POST", "/Users", aScimUser({ externalId: body.externalId })),
          409,
          "uniqueness",
        );
      });

      it("refuses a missing or malformed userName, a wrong schema and a bad active with 400, naming the field", async () => {
        const noName = aScimUser();
        delete noName.userName;
        expect(
          expectScimError(await scim(server, admin, "POST", "/Users", noName), 400, "invalidValue").detail,
        ).to.contain("userName");
        expect(
          expectScimError(
            await scim(server, admin, "POST", "/Users", aScimUser({ userName: "not-an-email" })),
            400,
            "invalidValue",
          ).detail,
        ).to.contain("userName");
        expectScimError(
          await scim(server, admin, "POST", "/Users", aScimUser({ schemas: ["urn:example:Other"] })),
          400,
          "invalidSyntax",
        );
        expect(
          expectScimError(
            await scim(server, admin, "POST", "/Users", aScimUser({ active: "maybe" })),
            400,
            "invalidValue",
          ).detail,
        ).to.contain("active");
        expectScimError(await scim(server, admin, "POST", "/Users", "{ not json"), 400, "invalidSyntax");
      });

      it("refuses a userName that differs from the primary email", async () => {
        const res = await scim(
          server,
          admin,
          "POST",
          "/Users",
          aScimUser({ emails: [{ value: "other@example.com", primary: true }] }),
        );
        expect(expectScimError(res, 400, "invalidValue").detail).to.contain("primary email");
      });

      it("audits the decision and the change as SCIM.Users.create", async () => {
        const since = await head();
        const body = await create();
        const events = await eventsSince(server, since, "SCIM.Users.create");
        expect(events.map((e) => [e.action, e.decision, e.resourceType, e.resourceName])).to.deep.equal([
          ["create", "ALLOW", "user", body.userName],
          ["change", "ALLOW", "user", body.userName],
        ]);
      });
    });

    describe("GET /Users", () => {
      it("gets a user by id, and answers 404 for an unknown id", async () => {
        const body = await create();
        const res = await scim(server, admin, "GET", `/Users/${body.id}`);
        expect(res.status).to.equal(200);
        expect(res.body).to.deep.equal(body);
        expectScimError(await scim(server, admin, "GET", `/Users/${randomUUID()}`), 404);
      });

      it("filters by userName ignoring case and by externalId exactly", async () => {
        const body = await create();
        const byName = await scim(
          server,
          admin,
          "GET",
          `/Users?filter=${encodeURIComponent(`userName eq "${body.userName.toUpperCase()}"`)}`,
        );
        expect(byName.body).to.deep.include({
          schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
          totalResults: 1,
          startIndex: 1,
          itemsPerPage: 1,
        });
        expect(userListOf(byName).Resources[0].id).to.equal(body.id);
        const byExternal = await scim(
          server,
          admin,
          "GET",
          `/Users?filter=${encodeURIComponent(`externalId eq "${body.externalId}"`)}`,
        );
        expect(userListOf(byExternal).Resources.map((u) => u.id)).to.deep.equal([body.id]);
        const otherCase = await scim(
          server,
          admin,
          "GET",
          `/Users?filter=${encodeURIComponent(`externalId eq "${body.externalId.toUpperCase()}"`)}`,
        );
        expect(otherCase.body).to.deep.include({ totalResults: 0, Resources: [] });
      });

      it("reads quoted values with escapes, and attribute and operator names in any case", async () => {
        const externalId = `quote"back\\slash-${randomUUID()}`;
        const body = await create({ externalId });
        const filter = `EXTERNALID Eq ${JSON.stringify(externalId)}`;
        const res = await scim(server, admin, "GET", `/Users?filter=${encodeURIComponent(filter)}`);
        expect(userListOf(res).Resources.map((u) => u.id)).to.deep.equal([body.id]);
      });

      it("refuses any other filter with 400 invalidFilter", async () => {
        for (const filter of [
          'userName co "a"',
          'displayName eq "x"',
          'userName eq "a" and externalId eq "b"',
          "userName eq unquoted",
          'userName eq "open',
          "active eq true",
        ]) {
          const res = await scim(server, admin, "GET", `/Users?filter=${encodeURIComponent(filter)}`);
          expectScimError(res, 400, "invalidFilter");
        }
      });

      it("pages with startIndex and count, reporting totalResults", async () => {
        for (let i = 0; i < 3; i++) await create();
        const all = await scim(server, admin, "GET", "/Users");
        const total = all.body.totalResults as number;
        expect(total).to.be.at.least(4);
        expect(all.body.Resources).to.have.length(total);
        const page = await scim(server, admin, "GET", "/Users?startIndex=2&count=2");
        expect(page.body).to.deep.include({ totalResults: total, startIndex: 2, itemsPerPage: 2 });
        expect(userListOf(page).Resources.map((u) => u.id)).to.deep.equal(
          userListOf(all)
            .Resources.slice(1, 3)
            .map((u) => u.id),
        );
        expect((await scim(server, admin, "GET", "/Users?count=0")).body).to.deep.include({
          totalResults: total,
          Resources: [],
        });
        expectScimError(await scim(server, admin, "GET", "/Users?count=many"), 400, "invalidValue");
      });
    });

    describe("PUT and PATCH /Users", () => {
      it("replaces a user with PUT: attributes left out are cleared", async () => {
        const body = await create({ displayName: "Before" });
        const res = await scim(server, admin, "PUT", `/Users/${body.id}`, {
          schemas: [USER_SCHEMA],
          userName: body.userName,
          displayName: "After",
        });
        expect(res.status, res.raw).to.equal(200);
        expect(res.body).to.deep.include({ displayName: "After", active: true });
        expect(res.body).to.not.have.property("externalId");
      });

      it("patches displayName, name, externalId and emails with a path", async () => {
        const body = await create();
        const email = `new-${randomUUID().slice(0, 8)}@example.com`;
        const res = await scim(
          server,
          admin,
          "PATCH",
          `/Users/${body.id}`,
          patchOp(
            { op: "Replace", path: "externalId", value: "ext-new" },
            { op: "replace", path: "name.givenName", value: "Augusta" },
            { op: "replace", path: "name.familyName", value: "King" },
            { op: "add", path: 'emails[type eq "work"].value', value: email.toUpperCase() },
          ),
        );
        expect(res.status, res.raw).to.equal(200);
        expect(res.body).to.deep.include({ externalId: "ext-new", displayName: "Augusta King", userName: email });
        expect((await server.app.storage.users.get(body.id))?.email).to.equal(email);
      });

      it("patches without a path, and emails as a list", async () => {
        const body = await create();
        const email = `list-${randomUUID().slice(0, 8)}@example.com`;
        const res = await scim(
          server,
          admin,
          "PATCH",
          `/Users/${body.id}`,
          patchOp(
            { op: "replace", value: { displayName: "No Path", externalId: "ext-np" } },
            { op: "add", path: "emails", value: [{ value: email, type: "work", primary: true }] },
          ),
        );
        expect(res.body).to.deep.include({ displayName: "No Path", externalId: "ext-np", userName: email });
      });

      it("refuses a change of groups (read-only) and an unknown path, changing nothing", async () => {
        const body = await create({ displayName: "Stays" });
        const groups = await scim(
          server,
          admin,
          "PATCH",
          `/Users/${body.id}`,
          patchOp(
            { op: "replace", path: "displayName", value: "Gone" },
            { op: "add", path: "groups", value: [{ value: "x" }] },
          ),
        );
        expectScimError(groups, 400, "mutability");
        expectScimError(
          await scim(
            server,
            admin,
            "PATCH",
            `/Users/${body.id}`,
            patchOp({ op: "replace", path: "favouriteColour", value: "x" }),
          ),
          400,
          "invalidPath",
        );
        expectScimError(
          await scim(
            server,
            admin,
            "PATCH",
            `/Users/${body.id}`,
            patchOp({ op: "replace", path: "password", value: "x" }),
          ),
          400,
          "invalidPath",
        );
        expectScimError(
          await scim(server, admin, "PATCH", `/Users/${body.id}`, { Operations: [] }),
          400,
          "invalidSyntax",
        );
        expectScimError(
          await scim(
            server,
            admin,
            "PATCH",
            `/Users/${body.id}`,
            patchOp({ op: "move", path: "displayName", value: "x" }),
          ),
          400,
          "invalidSyntax",
        );
        expect((await scim(server, admin, "GET", `/Users/${body.id}`)).body.displayName).to.equal("Stays");
      });

      it("ignores attributes of the SCIM schemas that portcullis does not keep, as IdPs' default mappings send them", async () => {
        const body = await create();
        const res = await scim(
          server,
          admin,
          "PATCH",
          `/Users/${body.id}`,
          patchOp(
            { op: "Add", path: "title", value: "Engineer" },
            { op: "Add", path: 'phoneNumbers[type eq "work"].value', value: "+1 555" },
            { op: "Add", path: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", value: "R&D" },
            { op: "Replace", path: "displayName", value: "Kept" },
          ),
        );
        expect(res.status, res.raw).to.equal(200);
        expect(res.body.displayName).to.equal("Kept");
        expect(res.body).to.not.have.property("title");
      });

      it("refuses a userName another user has with 409 uniqueness", async () => {
        const a = await create();
        const b = await create();
        expectScimError(
          await scim(
            server,
            admin,
            "PATCH",
            `/Users/${b.id}`,
            patchOp({ op: "replace", path: "userName", value: a.userName }),
          ),
          409,
          "uniqueness",
        );
      });

      it("answers 404 for PATCH and PUT of an unknown user", async () => {
        expectScimError(
          await scim(
            server,
            admin,
            "PATCH",
            `/Users/${randomUUID()}`,
            patchOp({ op: "replace", path: "displayName", value: "x" }),
          ),
          404,
        );
        expectScimError(await scim(server, admin, "PUT", `/Users/${randomUUID()}`, aScimUser()), 404);
      });
    });

    describe("deprovisioning", () => {
      it("ends the user's sessions, tokens and grants within the PATCH request that sets active false", async () => {
        const target = await addUser(server, ["viewer"]);
        const session = await addSession(server, target.user.id);
        expect((await gql<MeData>(server.url, ME, { token: target.token })).data?.me.id).to.equal(target.user.id);
        expect((await gql<MeData>(server.url, ME, { token: session.secret })).data?.me.id).to.equal(target.user.id);

        const res = await scim(
          server,
          admin,
          "PATCH",
          `/Users/${target.user.id}`,
          patchOp({ op: "replace", path: "active", value: false }),
        );
        expect(res.status, res.raw).to.equal(200);
        expect(res.body.active).to.equal(false);

        for (const secret of [target.token, session.secret]) {
          const after = await gql(server.url, ME, { token: secret });
          expect(after.errors?.[0]?.extensions?.code, after.raw).to.equal("UNAUTHENTICATED");
        }
        expect(await server.app.storage.grants.list({ userId: target.user.id, includeInactive: true })).to.deep.equal(
          [],
        );
        expect(
          (await server.app.storage.tokens.listByOwner(target.user.id, true)).every((t) => t.revokedAt !== null),
        ).to.equal(true);
      });

      it('takes Azure\'s string "False" in a PATCH without a path, and checks user:deprovision', async () => {
        const { id } = await create();
        const since = await head();
        const res = await scim(
          server,
          admin,
          "PATCH",
          `/Users/${id}`,
          patchOp({ op: "Replace", value: { active: "False" } }),
        );
        expect(res.body.active).to.equal(false);
        const events = await eventsSince(server, since, "SCIM.Users.update");
        expect(events.map((e) => e.action)).to.deep.equal(["deprovision", "change"]);
      });

      it("refuses a PATCH with active false and a bad value as a whole: the user stays active", async () => {
        const body = await create();
        const res = await scim(
          server,
          admin,
          "PATCH",
          `/Users/${body.id}`,
          patchOp({ op: "replace", path: "active", value: false }, { op: "replace", path: "userName", value: "nope" }),
        );
        expectScimError(res, 400, "invalidValue");
        expect((await server.app.storage.users.get(body.id))?.status).to.equal("ACTIVE");
      });

      it("refuses active true on a deprovisioned user with 400 mutability that says how to re-activate", async () => {
        const body = await create({ active: false });
        const res = await scim(
          server,
          admin,
          "PATCH",
          `/Users/${body.id}`,
          patchOp({ op: "replace", path: "active", value: true }),
        );
        const error = expectScimError(res, 400, "mutability");
        expect(error.detail).to.contain("administrator").and.to.contain("reactivateUser");
        expect((await server.app.storage.users.get(body.id))?.status).to.equal("DEPROVISIONED");
        const put = await scim(server, admin, "PUT", `/Users/${body.id}`, {
          schemas: [USER_SCHEMA],
          userName: body.userName,
          active: true,
        });
        expectScimError(put, 400, "mutability");
      });

      it("deprovisions on DELETE, after which GET answers 404 and the user is gone from lists", async () => {
        const target = await addUser(server, ["viewer"]);
        const res = await scim(server, admin, "DELETE", `/Users/${target.user.id}`);
        expect(res.status).to.equal(204);
        const after = await gql(server.url, ME, { token: target.token });
        expect(after.errors?.[0]?.extensions?.code).to.equal("UNAUTHENTICATED");
        expectScimError(await scim(server, admin, "GET", `/Users/${target.user.id}`), 404);
        const listed = await scim(
          server,
          admin,
          "GET",
          `/Users?filter=${encodeURIComponent(`userName eq "${target.user.email}"`)}`,
        );
        expect(listed.body.totalResults).to.equal(0);
        expect((await server.app.storage.users.get(target.user.id))?.status).to.equal("DEPROVISIONED");
        expectScimError(await scim(server, admin, "DELETE", `/Users/${target.user.id}`), 404);
      });

      it("serves a deleted user again once an administrator re-activates it with reactivateUser", async () => {
        const body = await create();
        await scim(server, admin, "DELETE", `/Users/${body.id}`);
        const res = await gql<{ reactivateUser: { status: string } }>(
          server.url,
          "mutation($id: ID!) { reactivateUser(id: $id) { status } }",
          {
            token: admin,
            variables: { id: body.id },
          },
        );
        expect(res.data?.reactivateUser.status, res.raw).to.equal("ACTIVE");
        const got = await scim(server, admin, "GET", `/Users/${body.id}`);
        expect(got.status).to.equal(200);
        expect(got.body.active).to.equal(true);
      });

      it("refuses to deprovision the caller itself", async () => {
        const me = (await gql<MeData>(server.url, ME, { token: admin })).data!.me;
        expectScimError(await scim(server, admin, "DELETE", `/Users/${me.id}`), 400, "invalidValue");
      });
    });
  });
}
