import { expect } from "chai";
import { databaseKinds } from "../../support/databases";
import { addUser } from "../../support/principals";
import { gql, serverForSuite, type TestServer } from "../../support/server";
import { subscribe, type TestSubscription, type AuditEventPayload } from "../../support/subscriptions";

const FEED = `subscription($filter: AuditFilter, $resumeAfter: String) {
  auditEvents(filter: $filter, resumeAfter: $resumeAfter) { sequence operation decision actorId }
}`;
const USERS = "{ users { id } }";
const ROLES = "{ roles { name } }";

/** Calls `trigger` until the subscriber has received an event matching `seen`: the feed is then live. */
async function untilLive(
  sub: TestSubscription,
  trigger: () => Promise<unknown>,
  seen: (e: AuditEventPayload) => boolean,
): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    await trigger();
    try {
      await sub.waitFor(seen, 100);
      return;
    } catch {
      // not live yet
    }
  }
  throw new Error("the subscription never went live");
}

const ev = (e: AuditEventPayload) => e.auditEvents;

for (const kind of databaseKinds()) {
  describe(`the auditEvents subscription on ${kind.name}`, function () {
    this.timeout(60_000);
    let server: TestServer;
    const open: TestSubscription[] = [];
    serverForSuite(kind, (s) => (server = s));
    afterEach(async () => {
      await Promise.all(open.splice(0).map((s) => s.dispose()));
    });

    function feed(token: string | undefined, variables: Record<string, unknown> = {}): TestSubscription {
      const sub = subscribe(server, FEED, { token, variables });
      open.push(sub);
      return sub;
    }

    it("delivers denies and not allows to a subscriber filtering on DENY", async () => {
      const auditor = await addUser(server, ["auditor"]);
      const viewer = await addUser(server, ["viewer"]);
      const sub = feed(auditor.token, { filter: { decision: "DENY", actorId: viewer.user.id } });
      await untilLive(
        sub,
        () => gql(server.url, USERS, { token: viewer.token }),
        (e) => ev(e).operation === "Query.users",
      );
      const before = sub.events.length;
      expect((await gql(server.url, ROLES, { token: viewer.token })).errors).to.equal(undefined);
      expect((await gql(server.url, USERS, { token: viewer.token })).errors?.[0]?.extensions?.code).to.equal(
        "FORBIDDEN",
      );
      await sub.waitFor((e) => sub.events.indexOf(e) >= before && ev(e).operation === "Query.users");
      expect(sub.events.length).to.be.greaterThan(before);
      for (const e of sub.events) expect(ev(e)).to.include({ decision: "DENY", actorId: viewer.user.id });
      expect(sub.events.some((e) => ev(e).operation === "Query.roles")).to.equal(false);
    });

    it("gives each subscriber its own selection and filter when several watch the same events", async () => {
      const auditor = await addUser(server, ["auditor"]);
      const viewer = await addUser(server, ["viewer"]);
      const same = [
        feed(auditor.token, { filter: { actorId: viewer.user.id } }),
        feed(auditor.token, { filter: { actorId: viewer.user.id } }),
      ];
      const narrow = subscribe(
        server,
        "subscription($f: AuditFilter) { auditEvents(filter: $f) { operation reason } }",
        { token: auditor.token, variables: { f: { actorId: viewer.user.id, decision: "DENY" } } },
      );
      open.push(narrow);
      for (const sub of [...same, narrow])
        await untilLive(
          sub,
          () => gql(server.url, USERS, { token: viewer.token }),
          (e) => e.auditEvents.operation === "Query.users",
        );
      const marks = [...same, narrow].map((sub) => sub.events.length);
      expect((await gql(server.url, ROLES, { token: viewer.token })).errors).to.equal(undefined);
      await Promise.all(same.map((sub) => sub.waitFor((e) => ev(e).operation === "Query.roles")));
      const [first, second] = same.map((sub, i) =>
        sub.events.slice(marks[i]).find((e) => ev(e).operation === "Query.roles")!,
      );
      expect(first).to.deep.equal(second);
      expect(Object.keys(first.auditEvents).sort()).to.deep.equal(["actorId", "decision", "operation", "sequence"]);
      expect((await gql(server.url, USERS, { token: viewer.token })).errors?.[0]?.extensions?.code).to.equal(
        "FORBIDDEN",
      );
      const denied = await narrow.waitFor(
        (e) => narrow.events.indexOf(e) >= marks[2] && e.auditEvents.operation === "Query.users",
      );
      expect(denied.auditEvents).to.deep.equal({ operation: "Query.users", reason: "NO_MATCHING_RULE" });
      expect(narrow.events.slice(marks[2]).some((e) => e.auditEvents.operation === "Query.roles")).to.equal(false);
    });

    it("refuses a viewer with FORBIDDEN naming audit:read, and audits the refusal", async () => {
      const viewer = await addUser(server, ["viewer"]);
      const sub = feed(viewer.token);
      await waitUntil(() => sub.errors.length > 0);
      expect(sub.errors[0].extensions).to.include({ code: "FORBIDDEN", capability: "audit:read" });
      expect(sub.events).to.deep.equal([]);
      const trail = await gql<{ auditEvents: { nodes: unknown[] } }>(
        server.url,
        `query($f: AuditFilter) { auditEvents(filter: $f) { nodes { decision action resourceType } } }`,
        {
          token: server.adminToken,
          variables: { f: { actorId: viewer.user.id, operation: "Subscription.auditEvents" } },
        },
      );
      expect(trail.data!.auditEvents.nodes).to.deep.equal([
        { decision: "DENY", action: "read", resourceType: "audit" },
      ]);
    });

    it("closes a connection without a credential with 4403", async () => {
      const sub = feed(undefined);
      expect(await within(sub.closed, 5000)).to.equal(4403);
      expect(sub.events).to.deep.equal([]);
    });

    it("closes a connection with a bad credential with 4403", async () => {
      const sub = feed("ptc_not-a-token");
      expect(await within(sub.closed, 5000)).to.equal(4403);
    });

    it("closes the subscriber's socket within a second of its token being revoked", async () => {
      const auditor = await addUser(server, ["auditor"]);
      const sub = feed(auditor.token, { filter: { actorId: auditor.user.id } });
      await untilLive(
        sub,
        () => gql(server.url, USERS, { token: auditor.token }),
        (e) => ev(e).operation === "Query.users",
      );
      const revoked = await gql(server.url, `mutation($id: ID!) { revokeToken(id: $id) { id } }`, {
        token: auditor.token,
        variables: { id: auditor.tokenId },
      });
      expect(revoked.errors, JSON.stringify(revoked.errors)).to.equal(undefined);
      const started = Date.now();
      expect(await within(sub.closed, 1500)).to.equal(4403);
      expect(Date.now() - started).to.be.lessThan(1100);
    });

    it("closes the subscriber's socket when its user is locked", async () => {
      const auditor = await addUser(server, ["auditor"]);
      const sub = feed(auditor.token, { filter: { actorId: auditor.user.id } });
      await untilLive(
        sub,
        () => gql(server.url, USERS, { token: auditor.token }),
        (e) => ev(e).operation === "Query.users",
      );
      const locked = await gql(server.url, `mutation($id: ID!) { lockUser(id: $id, reason: "test") { status } }`, {
        token: server.adminToken,
        variables: { id: auditor.user.id },
      });
      expect(locked.errors, JSON.stringify(locked.errors)).to.equal(undefined);
      expect(await within(sub.closed, 1500)).to.equal(4403);
    });

    it("replays exactly the events missed while disconnected, then goes live without duplicates", async () => {
      const auditor = await addUser(server, ["auditor"]);
      const actor = await addUser(server, ["viewer"]);
      const filter = { actorId: actor.user.id };
      const first = feed(auditor.token, { filter });
      await untilLive(
        first,
        () => gql(server.url, USERS, { token: actor.token }),
        () => true,
      );
      await new Promise((r) => setTimeout(r, 200));
      const lastSeen = Math.max(...first.events.map((e) => ev(e).sequence));
      await first.dispose();

      for (let i = 0; i < 3; i++) await gql(server.url, i % 2 ? ROLES : USERS, { token: actor.token });
      const missed = await trail(server, filter, lastSeen);
      expect(missed).to.have.length(3);

      const second = feed(auditor.token, { filter, resumeAfter: String(lastSeen) });
      await second.waitFor((e) => ev(e).sequence === missed[missed.length - 1]);
      await gql(server.url, USERS, { token: actor.token });
      const all = await trail(server, filter, lastSeen);
      expect(all).to.have.length(4);
      await second.waitFor((e) => ev(e).sequence === all[3]);
      await new Promise((r) => setTimeout(r, 200));
      expect(second.events.map((e) => ev(e).sequence)).to.deep.equal(all);
    });

    it("refuses a resumeAfter that is not a sequence number at resumeAfter", async () => {
      const auditor = await addUser(server, ["auditor"]);
      const sub = feed(auditor.token, { resumeAfter: "abc" });
      await waitUntil(() => sub.errors.length > 0);
      expect(sub.errors[0].extensions).to.include({ code: "BAD_USER_INPUT", field: "resumeAfter" });
    });

    it("serves only subscriptions over WebSocket", async () => {
      const auditor = await addUser(server, ["auditor"]);
      const sub = subscribe(server, "{ me { id } }", { token: auditor.token });
      open.push(sub);
      await waitUntil(() => sub.errors.length > 0);
      expect(sub.errors[0].extensions).to.include({ code: "BAD_REQUEST" });
    });
  });
}

/** Sequences of the trail's events matching `filter` above `after`, oldest first. */
async function trail(server: TestServer, filter: Record<string, unknown>, after: number): Promise<number[]> {
  const res = await gql<{ auditEvents: { nodes: Array<{ sequence: number }> } }>(
    server.url,
    `query($f: AuditFilter) { auditEvents(filter: $f, first: 500) { nodes { sequence } } }`,
    { token: server.adminToken, variables: { f: filter } },
  );
  expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
  return res
    .data!.auditEvents.nodes.map((n) => n.sequence)
    .filter((s) => s > after)
    .sort((a, b) => a - b);
}

async function waitUntil(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`not within ${ms} ms`)), ms)),
  ]);
}
