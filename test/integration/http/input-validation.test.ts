// What callers send is checked before anything is decided or written: namespaces
// and scopes are paths without '.', '..' or whitespace; globs are bounded; emails
// and display names hold no invisible characters and are stored (and looked up)
// in one normal form; a missing document key is reported at its own path.
import { expect } from "chai";
import { addRole, addUser } from "../../support/principals";
import {
  auditHead,
  changesSince,
  LIMITED_AUTHOR_POLICY,
  LIMITED_AUTHOR_ROLE,
  ok,
  refused,
} from "../../support/access-model";
import { databaseKinds } from "../../support/databases";
import { addGrantTestRoles } from "../../support/grant-roles";
import { aScimUser, scim } from "../../support/scim";
import { serverForSuite, type TestServer } from "../../support/server";
import { anIdentity, loginRequest } from "../../support/sso";
import { DomainError } from "../../../src/domain/errors";

const GRANT = "mutation($input: GrantInput!) { grantRole(input: $input) { id scope } }";
const CAN =
  'query($subject: SubjectInput, $resource: ResourceInput!) { can(subject: $subject, action: "submit", resource: $resource) { allowed reason } }';
const CAN_MANY = "query($checks: [CheckInput!]!) { canMany(checks: $checks) { allowed } }";
const WHO_CAN = 'query($resource: ResourceInput!) { whoCan(action: "submit", resource: $resource) { id } }';
const EFFECTIVE = "query($ns: String) { effectivePermissions(namespace: $ns) { resourceType } }";
const CREATE_POLICY = "mutation($d: String!) { createPolicy(document: $d) { name } }";
const SET_MAPPINGS = "mutation($m: [SsoMappingInput!]!) { setSsoMappings(mappings: $m) { group } }";
const CREATE_USER = "mutation($input: CreateUserInput!) { createUser(input: $input) { id email displayName } }";
const USER_BY_EMAIL = "query($email: String!) { user(email: $email) { id email } }";

const cjk = (n: number) => Array.from({ length: n }, (_, i) => String.fromCharCode(0x4e00 + i)).join("");
const BAD_NAMESPACES = ["staging/../prod", "staging/./x", "staging /x", "stag\u200bing"];

type Can = { can: { allowed: boolean; reason: string } };

for (const kind of databaseKinds()) {
  describe(`input validation on ${kind.name}`, function () {
    this.timeout(120_000);
    let server: TestServer;
    let admin: string;

    serverForSuite(kind, (s) => (server = s));
    before(async () => {
      admin = server.adminToken;
      await addGrantTestRoles(server);
      await addRole(server, LIMITED_AUTHOR_POLICY, LIMITED_AUTHOR_ROLE);
    });

    describe("namespaces and scopes", () => {
      for (const scope of BAD_NAMESPACES) {
        it(`grantRole refuses scope ${JSON.stringify(scope)} at input.scope and writes nothing`, async () => {
          const target = await addUser(server, []);
          const before = await auditHead(server);
          const err = await refused(server, admin, GRANT, {
            input: { userId: target.user.id, role: "prod-job-admin", scope },
          });
          expect(err.extensions.code).to.equal("BAD_USER_INPUT");
          expect(err.extensions.field).to.equal("input.scope");
          expect(await changesSince(server, before)).to.deep.equal([]);
        });
      }

      it("a user scoped to staging is never ALLOWED on staging/../prod: can answers BAD_USER_INPUT at resource.namespace", async () => {
        const user = await addUser(server, ["job-admin-everywhere"], { scope: "staging" });
        const allowedInside = await ok<Can>(server, admin, CAN, {
          subject: { userId: user.user.id },
          resource: { type: "job", namespace: "staging/x", name: "web" },
        });
        expect(allowedInside.can.allowed).to.equal(true);
        const err = await refused(server, admin, CAN, {
          subject: { userId: user.user.id },
          resource: { type: "job", namespace: "staging/../prod", name: "web" },
        });
        expect(err.extensions.code).to.equal("BAD_USER_INPUT");
        expect(err.extensions.field).to.equal("resource.namespace");
      });

      it("canMany, whoCan and effectivePermissions refuse such a namespace too", async () => {
        const many = await refused(server, admin, CAN_MANY, {
          checks: [
            { action: "submit", resource: { type: "job", namespace: "prod" } },
            { action: "submit", resource: { type: "job", namespace: "a/../prod" } },
          ],
        });
        expect(many.extensions).to.include({ code: "BAD_USER_INPUT", field: "checks[1].resource.namespace" });
        const who = await refused(server, admin, WHO_CAN, { resource: { type: "job", namespace: "a/ b" } });
        expect(who.extensions).to.include({ code: "BAD_USER_INPUT", field: "resource.namespace" });
        const eff = await refused(server, admin, EFFECTIVE, { ns: "x/.." });
        expect(eff.extensions).to.include({ code: "BAD_USER_INPUT", field: "namespace" });
      });

      it("a policy with a '..' segment in a namespace glob is refused at rules[0].namespace", async () => {
        const doc =
          "kind: policy\nname: dots\nrules:\n  - resource: job\n    namespace: 'staging/../prod/**'\n    level: READ\n";
        const err = await refused(server, admin, CREATE_POLICY, { d: doc });
        expect(err.extensions).to.include({ code: "BAD_USER_INPUT", field: "rules[0].namespace" });
      });

      it("an SSO mapping scope with a '..' segment is refused at its path", async () => {
        const err = await refused(server, admin, SET_MAPPINGS, {
          m: [{ provider: "oidc", group: "eng", role: "prod-job-admin", scope: "prod/../x" }],
        });
        expect(err.extensions).to.include({ code: "BAD_USER_INPUT", field: "mappings[0].scope" });
      });
    });

    describe("glob bounds", () => {
      it("createPolicy by a non-superuser with a name glob of '*a' + 16 '?' + 1,000 CJK characters is refused at rules[0].name", async () => {
        const author = await addUser(server, ["limited-author"]);
        const doc = `kind: policy\nname: cjk\nrules:\n  - resource: job\n    namespace: "prod/**"\n    name: '*a${"?".repeat(16)}${cjk(1000)}'\n    level: READ\n`;
        const started = Date.now();
        const err = await refused(server, author.token, CREATE_POLICY, { d: doc });
        expect(err.extensions).to.include({ code: "BAD_USER_INPUT", field: "rules[0].name" });
        expect(err.message).to.include("at most 256 characters");
        expect(Date.now() - started).to.be.below(5_000);
      });

      it("an SSO mapping group glob with more than 16 wildcards is refused at its path", async () => {
        const err = await refused(server, admin, SET_MAPPINGS, {
          m: [{ provider: "oidc", group: "?".repeat(17), role: "prod-job-admin" }],
        });
        expect(err.extensions).to.include({ code: "BAD_USER_INPUT", field: "mappings[0].group" });
      });
    });

    describe("missing keys", () => {
      it("are reported at the missing key's path", async () => {
        const err = await refused(server, admin, CREATE_POLICY, {
          d: "kind: policy\nname: p\nrules:\n  - { resource: job, level: READ }\n  - { level: READ }\n",
        });
        expect(err.extensions).to.include({ code: "BAD_USER_INPUT", field: "rules[1].resource" });
        const noName = await refused(server, admin, CREATE_POLICY, { d: "kind: policy\nrules: []\n" });
        expect(noName.extensions.field).to.equal("name");
      });
    });

    describe("emails and display names", () => {
      for (const [what, email] of [
        ["a zero-width space", "ad\u200bmin2@portcullis.local"],
        ["a bidi override", "admin2\u202e@portcullis.local"],
      ]) {
        it(`createUser refuses an email with ${what} at input.email`, async () => {
          const err = await refused(server, admin, CREATE_USER, { input: { email } });
          expect(err.extensions).to.include({ code: "BAD_USER_INPUT", field: "input.email" });
        });
      }

      it("createUser folds a fullwidth copy of the admin's address onto it: CONFLICT, not a look-alike account", async () => {
        const err = await refused(server, admin, CREATE_USER, {
          input: { email: "\uff41\uff44\uff4d\uff49\uff4e@portcullis.local" },
        });
        expect(err.extensions.code).to.equal("CONFLICT");
      });

      it("stores the normal form, and user(email:) and subject.email find it from any form", async () => {
        const { createUser } = await ok<{ createUser: { id: string } }>(server, admin, CREATE_USER, {
          input: { email: "\uff2e\uff4f\uff52\uff4d@Example.COM", displayName: "\uff2eorm" },
        });
        expect(createUser).to.deep.include({ email: "norm@example.com", displayName: "Norm" });
        expect(
          (await ok<{ user: { id: string } }>(server, admin, USER_BY_EMAIL, { email: "NORM@example.com" })).user.id,
        ).to.equal(createUser.id);
        expect(
          (await ok<{ user: { id: string } }>(server, admin, USER_BY_EMAIL, { email: "\uff4eorm@example.com" })).user
            .id,
        ).to.equal(createUser.id);
        const can = await ok<Can>(server, admin, CAN, {
          subject: { email: "\uff4eorm@example.com" },
          resource: { type: "job", namespace: "prod" },
        });
        expect(can.can.allowed).to.equal(false);
      });

      it("SCIM refuses a userName with a zero-width space (400) and stores fullwidth forms folded", async () => {
        const refusedUser = await scim(
          server,
          admin,
          "POST",
          "/Users",
          aScimUser({ userName: "sc\u200bim@example.com" }),
        );
        expect(refusedUser.status).to.equal(400);
        const created = await scim(
          server,
          admin,
          "POST",
          "/Users",
          aScimUser({ userName: "\uff33cim-fold@example.com", displayName: "\uff33cim" }),
        );
        expect(created.status, created.raw).to.equal(201);
        expect(created.body.userName).to.equal("scim-fold@example.com");
        expect(created.body.displayName).to.equal("Scim");
        const found = await scim(
          server,
          admin,
          "GET",
          `/Users?filter=${encodeURIComponent('userName eq "SCIM-FOLD@example.com"')}`,
        );
        expect(found.body.totalResults).to.equal(1);
        const patched = await scim(server, admin, "PATCH", `/Users/${created.body.id}`, {
          schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
          Operations: [{ op: "replace", path: "displayName", value: "S\u202eim" }],
        });
        expect(patched.status).to.equal(400);
      });

      it("an SSO identity whose email holds an invisible character is refused; a fullwidth one is stored folded", async () => {
        try {
          await server.app.services.ssoLogin.login(
            anIdentity({ email: "ad\u200bmin@portcullis.local" }),
            loginRequest(),
          );
          expect.fail("the login was accepted");
        } catch (err) {
          expect(err).to.be.instanceOf(DomainError);
          expect((err as DomainError).code).to.equal("BAD_USER_INPUT");
        }
        const session = await server.app.services.ssoLogin.login(
          anIdentity({ email: "\uff53so-fold@Example.com" }),
          loginRequest(),
        );
        const user = await server.app.storage.users.get(session.userId);
        expect(user?.email).to.equal("sso-fold@example.com");
      });

      it("createUser refuses a display name with a zero-width character at input.displayName", async () => {
        const err = await refused(server, admin, CREATE_USER, {
          input: { email: "zw@example.com", displayName: "Ad\u200dmin" },
        });
        expect(err.extensions).to.include({ code: "BAD_USER_INPUT", field: "input.displayName" });
      });
    });
  });
}
