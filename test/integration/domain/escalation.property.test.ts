// The escalation property, on every path that hands out roles: for a random
// actor, a random target and a random operation (grant, role edit, identity
// change, group change, mapping change, reactivation, unlock, token issue), the
// operation succeeds only when the actor covers every role the target ends up
// with that it did not hold before, at the scope it holds it; and it is refused
// (ESCALATION_DENIED, nothing changed) only when some such role is not covered.
// Domain services against a real SQLite database: fast enough for many runs.
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import fc from "fast-check";
import { DomainError } from "../../../src/domain/errors";
import type { GrantRecord, UserRecord } from "../../../src/domain/model";
import { toGrantDef, toUserDef } from "../../../src/domain/policy-state";
import type { Principal } from "../../../src/domain/principal";
import { DirectoryService } from "../../../src/domain/users/directory-service";
import { propertyParameters, weighted } from "../../support/arbitraries";
import { databaseKinds } from "../../support/databases";
import { addRole, addUser, type TestUser } from "../../support/principals";
import { startServer, type TestServer } from "../../support/server";

/** What the actor may hold; the target's roles are drawn from the same set. */
const WORKER_ROLES = ["pt-jobs-prod", "pt-jobs-all", "pt-db", "pt-none", "admin"] as const;
type WorkerRole = (typeof WORKER_ROLES)[number];
const SCOPES = ["", "prod/a", "dev"] as const;
const OPERATIONS = ["grant", "roleEdit", "identity", "group", "mapping", "reactivate", "unlock", "token"] as const;

interface Held {
  role: WorkerRole;
  scope: string;
}

/**
 * The model of coverage for these roles: what an actor holding `roles` (and
 * `escalate` on roles, or not) may give at `scope`. pt-jobs-prod allows every
 * job capability under prod/**, pt-jobs-all everywhere, pt-db one db capability,
 * pt-none nothing; admin allows everything (and is covered only by itself).
 */
function covers(roles: ReadonlySet<WorkerRole>, escalate: boolean, held: Held): boolean {
  if (escalate || roles.has("admin")) return true;
  switch (held.role) {
    case "admin":
      return false;
    case "pt-none":
      return true;
    case "pt-db":
      return roles.has("pt-db");
    case "pt-jobs-prod":
      return roles.has("pt-jobs-prod") || roles.has("pt-jobs-all");
    case "pt-jobs-all":
      return roles.has("pt-jobs-all") || (held.scope.startsWith("prod/") && roles.has("pt-jobs-prod"));
  }
}

const heldArb: fc.Arbitrary<Held> = fc.record({
  role: fc.constantFrom(...WORKER_ROLES),
  scope: fc.constantFrom(...SCOPES),
});

interface Case {
  actorRoles: WorkerRole[];
  escalate: boolean;
  targetSource: "LOCAL" | "SCIM";
  direct: Held[];
  groupGrants: Held[];
  mapping: Held | null;
  operation: (typeof OPERATIONS)[number];
  given: Held;
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  actorRoles: fc.subarray<WorkerRole>(
    [...WORKER_ROLES].filter((r) => r !== "pt-none"),
    { maxLength: 2 },
  ),
  escalate: weighted([
    [false, 5],
    [true, 1],
  ]),
  targetSource: fc.constantFrom<"LOCAL" | "SCIM">("LOCAL", "SCIM"),
  direct: fc.array(heldArb, { maxLength: 2 }),
  groupGrants: fc.array(heldArb, { maxLength: 2 }),
  mapping: fc.option(heldArb, { nil: null }),
  operation: fc.constantFrom(...OPERATIONS),
  given: heldArb,
});

const kind = databaseKinds().find((k) => k.name === "sqlite")!;

describe("escalation property over every path that hands out roles (sqlite)", function () {
  this.timeout(300_000);
  let server: TestServer;
  let admin: Principal;

  before(async () => {
    server = await startServer(kind);
    const policy = (name: string, rules: string) =>
      `kind: policy\nname: ${name}\nrules:${rules === "" ? " []" : rules}\n`;
    const role = (name: string, policies: string) => `kind: role\nname: ${name}\npolicies: [${policies}]\n`;
    await addRole(
      server,
      policy(
        "pt-manage",
        '\n  - resource: user\n    capabilities: ["*"]\n  - resource: grant\n    capabilities: ["*"]\n' +
          '  - resource: sso\n    capabilities: ["*"]\n  - resource: token\n    capabilities: ["*"]\n  - resource: role\n    capabilities: [list, read, create, update, delete]',
      ),
      role("pt-manage", "pt-manage"),
    );
    await addRole(
      server,
      policy("pt-escalate", "\n  - resource: role\n    capabilities: [escalate]"),
      role("pt-escalate", "pt-escalate"),
    );
    await addRole(
      server,
      policy("pt-jobs-prod", '\n  - resource: job\n    namespace: "prod/**"\n    capabilities: ["*"]'),
      role("pt-jobs-prod", "pt-jobs-prod"),
    );
    await addRole(
      server,
      policy("pt-jobs-all", '\n  - resource: job\n    capabilities: ["*"]'),
      role("pt-jobs-all", "pt-jobs-all"),
    );
    await addRole(server, policy("pt-db", "\n  - resource: db\n    capabilities: [query]"), role("pt-db", "pt-db"));
    await addRole(server, policy("pt-none", ""), role("pt-none", "pt-none"));
    const boot = server.app.bootstrap;
    if (!boot.created) throw new Error("expected a bootstrapped server");
    const adminUser = (await server.app.storage.users.get(boot.adminId))!;
    admin = {
      user: adminUser,
      credential: { kind: "token", tokenId: boot.tokenId, breakGlass: true },
      mfa: false,
      sourceIp: null,
    };
  });
  after(async () => server?.close());

  const engine = () => server.app.services.runtime.engine();
  /** Outcomes seen per operation, so the test shows it exercised both. */
  const seen = new Map<string, { allowed: number; refused: number }>();
  const tally = (operation: string, allowed: boolean) => {
    const entry = seen.get(operation) ?? { allowed: 0, refused: 0 };
    entry[allowed ? "allowed" : "refused"] += 1;
    seen.set(operation, entry);
  };
  const principalOf = (u: TestUser): Principal => ({
    user: u.user,
    credential: { kind: "token", tokenId: u.tokenId, breakGlass: false },
    mfa: false,
    sourceIp: null,
  });

  async function addGrant(fields: Partial<GrantRecord> & Pick<GrantRecord, "role" | "scope">): Promise<void> {
    const grant: GrantRecord = {
      id: randomUUID(),
      subjectType: fields.group ? "GROUP" : "USER",
      userId: null,
      group: null,
      active: true,
      startsAt: null,
      expiresAt: null,
      reason: null,
      source: "MANUAL",
      ssoProvider: null,
      accessRequestId: null,
      createdById: null,
      createdAt: new Date(),
      ...fields,
    };
    await server.app.storage.grants.create(grant);
    engine().putGrant(toGrantDef(grant));
  }

  async function update(user: UserRecord, patch: Partial<UserRecord>): Promise<UserRecord> {
    const next = { ...user, ...patch };
    await server.app.storage.users.update(next);
    engine().putUser(toUserDef(next));
    return next;
  }

  /** The (role, scope) pairs the user holds through live grants, direct or through groups, as stored. */
  async function holdings(userId: string): Promise<Set<string>> {
    const user = (await server.app.storage.users.get(userId))!;
    if (user.status !== "ACTIVE") return new Set();
    const now = new Date();
    const grants = [
      ...(await server.app.storage.grants.list({ userId, now })),
      ...(await server.app.storage.grants.forGroups(user.groups)),
    ].filter((g) => g.active && (g.expiresAt === null || now < g.expiresAt));
    return new Set(grants.map((g) => `${g.role}\u0000${g.scope}`));
  }

  const pairs = (keys: Iterable<string>): Held[] =>
    [...keys].map((k) => {
      const [role, scope] = k.split("\u0000");
      return { role: role as WorkerRole, scope: scope };
    });

  /** Sets the case up, runs its operation and checks the outcome against the model. */
  async function run(c: Case): Promise<void> {
    const id = randomUUID().slice(0, 8);
    const actorUser = await addUser(server, ["pt-manage", ...c.actorRoles, ...(c.escalate ? ["pt-escalate"] : [])]);
    const actor = principalOf(actorUser);
    const group = `pt-group-${id}`;
    const provider = `pt-idp-${id}`;
    const requestId = randomUUID();
    const joinsLater = c.operation === "group";
    let target = (await addUser(server, [], { groups: joinsLater ? [] : [group] })).user;
    target = await update(target, { source: c.targetSource, email: `pt-${id}@example.com` });
    for (const d of c.direct) await addGrant({ userId: target.id, role: d.role, scope: d.scope });
    for (const g of c.groupGrants) await addGrant({ group, role: g.role, scope: g.scope });
    if (c.mapping)
      await server.app.storage.ssoMappings.replace(provider, [
        { provider, group, role: c.mapping.role, scope: c.mapping.scope },
      ]);
    const directory = new DirectoryService(server.app.services.writer, server.app.services.users, provider);
    const request = { actor, operation: "SCIM.property", requestId };

    // Prepare the target's state for the operation, as an administrator would.
    if (c.operation === "reactivate") await server.app.services.users.deprovisionUser(admin, target.id, requestId);
    if (c.operation === "unlock") await update(target, { status: "LOCKED" });
    let editable: string | null = null;
    if (c.operation === "roleEdit") {
      editable = `pt-var-${id}`;
      await addRole(
        server,
        `kind: policy\nname: ${editable}\nrules: []\n`,
        `kind: role\nname: ${editable}\npolicies: [${editable}]\n`,
      );
      await addGrant({ userId: target.id, role: editable, scope: c.given.scope });
    }
    const before = await holdings(target.id);
    const beforeUser = (await server.app.storage.users.get(target.id))!;

    // What the operation hands out, in the model; some paths check everywhere ("") whatever the grant's scope.
    let handedOut: Held[];
    let checkedAtEverywhere = false;
    let act: () => Promise<unknown>;
    switch (c.operation) {
      case "grant":
        handedOut = [c.given];
        act = () =>
          server.app.services.grants.grantRole(
            actor,
            { userId: target.id, role: c.given.role, scope: c.given.scope },
            requestId,
          );
        break;
      case "roleEdit": {
        // The edited role takes the given role's policy: its holder, at its grant's scope, ends up with what the given role allows.
        handedOut = [c.given];
        checkedAtEverywhere = true;
        const policies = c.given.role === "admin" ? "admin-all" : c.given.role;
        act = () =>
          server.app.services.roles.update(
            actor,
            editable!,
            `kind: role\nname: ${editable}\npolicies: [${policies}]\n`,
            requestId,
          );
        break;
      }
      case "identity":
        handedOut = pairs(before);
        act = () =>
          directory.updateProfile(
            request,
            target.id,
            c.given.scope === "dev" ? { externalId: `ext-${id}` } : { email: `pt-renamed-${id}@example.com` },
          );
        break;
      case "group":
        handedOut = [...c.groupGrants, ...(c.mapping && c.targetSource !== "LOCAL" ? [c.mapping] : [])];
        act = () =>
          directory.changeMembership(request, group, [
            { op: "add", members: [{ id: target.id, field: "members[0]" }] },
          ]);
        break;
      case "mapping":
        // A mapping hands its role out to every user of the provider in the group, now or at their next login;
        // keeping a mapping that is already there hands out nothing new.
        handedOut =
          c.mapping !== null && c.mapping.role === c.given.role && c.mapping.scope === c.given.scope ? [] : [c.given];
        act = () =>
          server.app.services.ssoMappings.set(
            actor,
            [{ provider, group, role: c.given.role, scope: c.given.scope }],
            provider,
            requestId,
          );
        break;
      case "reactivate":
      case "unlock":
        // Reactivation brings back the groups' roles; unlocking, every role still granted.
        handedOut = c.operation === "reactivate" ? c.groupGrants : [...c.direct, ...c.groupGrants];
        act = () =>
          c.operation === "reactivate"
            ? server.app.services.users.reactivateUser(actor, target.id, requestId)
            : server.app.services.users.unlockUser(actor, target.id, requestId);
        break;
      case "token": {
        // A token for the target with one of the roles it holds everywhere: whoever holds the token gets that role.
        const everywhere = c.direct.filter((d) => d.scope === "");
        const role = everywhere[0]?.role ?? null;
        handedOut = role === null ? pairs(before).map((h) => ({ ...h, scope: "" })) : [{ role, scope: "" }];
        checkedAtEverywhere = true;
        act = () =>
          server.app.services.tokens.create(
            actor,
            { name: `pt-${id}`, userId: target.id, roles: role === null ? [] : [role] },
            requestId,
          );
        break;
      }
    }

    const actorRoles = new Set<WorkerRole>(c.actorRoles);
    const allowedByModel = handedOut.every((h) =>
      covers(actorRoles, c.escalate, checkedAtEverywhere ? { ...h, scope: "" } : h),
    );
    let error: unknown = null;
    try {
      await act();
    } catch (err) {
      error = err;
    }
    const context = JSON.stringify({ ...c, handedOut, error: error instanceof Error ? error.message : error });
    tally(c.operation, error === null);
    if (error === null) {
      // Succeeded: the actor covers every role the target ends up with that it did not hold before.
      const gained =
        c.operation === "identity" || c.operation === "unlock" || c.operation === "reactivate"
          ? pairs(await holdings(target.id))
          : pairs(await holdings(target.id)).filter((h) => !before.has(`${h.role}\u0000${h.scope}`));
      for (const h of gained) {
        if (h.role.startsWith("pt-var-")) continue;
        expect(covers(actorRoles, c.escalate, h), `${context}: gained ${h.role}@${h.scope}`).to.equal(true);
      }
      expect(allowedByModel, `${context}: succeeded, the model refuses`).to.equal(true);
    } else {
      expect(error, context).to.be.instanceOf(DomainError);
      expect((error as DomainError).code, context).to.equal("ESCALATION_DENIED");
      expect(allowedByModel, `${context}: refused, the model allows`).to.equal(false);
      expect(await holdings(target.id), context).to.deep.equal(before);
      expect(await server.app.storage.users.get(target.id), context).to.deep.equal(beforeUser);
    }
  }

  it("succeeds exactly when the actor covers what the target ends up with", async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, (c) => run(c)),
      propertyParameters(50),
    );
    const totals = [...seen.values()].reduce(
      (a, b) => ({ allowed: a.allowed + b.allowed, refused: a.refused + b.refused }),
      { allowed: 0, refused: 0 },
    );
    expect(totals.allowed, JSON.stringify([...seen])).to.be.greaterThan(0);
    expect(totals.refused, JSON.stringify([...seen])).to.be.greaterThan(0);
  });
});
