import { expect } from "chai";
import { ok, refused } from "../../support/access-model";
import { databaseKinds } from "../../support/databases";
import { addRole, addUser, type TestUser } from "../../support/principals";
import { gql, serverForSuite, type TestServer } from "../../support/server";

const REPLAY = `mutation($d: String!, $dry: Boolean) { applyBundle(document: $d, dryRun: $dry) {
  replay(replayDays: 7) { since replayed allowToDeny denyToAllow
    allowToDenyFlips { event { sequence operation actorId subjectId action resourceType resourceNamespace resourceName decision } now { allowed reason explanation } }
    denyToAllowFlips { event { sequence operation actorId subjectId action resourceType resourceNamespace resourceName decision } now { allowed reason explanation } } } } }`;
const CAN = `query($s: SubjectInput, $a: String!, $r: ResourceInput!, $c: CheckContextInput) { can(subject: $s, action: $a, resource: $r, context: $c) { allowed } }`;

const OPS_POLICY = (rules: string) => `kind: policy\nname: ops-replay\nrules:\n${rules}`;
const BEFORE = OPS_POLICY(`  - resource: job
    namespace: "prod/**"
    capabilities: [restart, read]
  - resource: app
    labels: { team: pay }
    capabilities: [deploy]
  - resource: db
    capabilities: [query]
    when: { mfa: true }
`);
const AFTER = OPS_POLICY(`  - resource: job
    namespace: "prod/**"
    capabilities: [read]
  - resource: app
    labels: { team: [pay, core] }
    capabilities: [deploy]
  - resource: db
    capabilities: [query]
  - resource: role
    capabilities: [list]
`);

interface Question {
  subject: TestUser;
  action: string;
  resource: { type: string; namespace: string; name: string; labels: Array<{ key: string; value: string }> };
  context: { mfa: boolean; sourceIp: string | null };
}

/** A flip's event as REPLAY selects it. */
type FlipEvent = {
  sequence: number;
  operation: string;
  actorId: string | null;
  subjectId: string | null;
  action: string | null;
  resourceType: string | null;
  resourceNamespace: string | null;
  resourceName: string | null;
  decision: string;
};
type Flip = { event: FlipEvent; now: { allowed: boolean; reason: string; explanation: string[] } };
/** The plan's replay as REPLAY selects it. */
type ReplayReport = {
  since: string;
  replayed: number;
  allowToDeny: number;
  denyToAllow: number;
  allowToDenyFlips: Flip[];
  denyToAllowFlips: Flip[];
};

/** What each recorded decision was about, to compare flips on. */
const keyOfCheck = (q: Question) =>
  JSON.stringify(["check", q.subject.user.id, q.action, q.resource.type, q.resource.namespace, q.resource.name]);
const keyOfEvent = (e: FlipEvent) =>
  e.operation === "check"
    ? JSON.stringify(["check", e.subjectId, e.action, e.resourceType, e.resourceNamespace, e.resourceName])
    : JSON.stringify([e.operation, e.actorId, e.action, e.resourceType, e.resourceName]);

for (const kind of databaseKinds()) {
  describe(`applyBundle replay on ${kind.name}`, function () {
    this.timeout(120_000);
    let server: TestServer;
    serverForSuite(kind, (s) => (server = s));

    it("finds exactly the flips a brute-force re-check after applying finds, for checks and guard decisions", async () => {
      const admin = server.adminToken;
      await addRole(server, BEFORE, "kind: role\nname: ops-replay\npolicies: [ops-replay]\n");
      const everywhere = await addUser(server, ["ops-replay"]);
      const scoped = await addUser(server, ["ops-replay"], { scope: "prod/web" });
      const viewer = await addUser(server, ["viewer"]);
      const label = (key: string, value: string) => [{ key, value }];
      const questions: Question[] = [];
      for (const subject of [everywhere, scoped, viewer]) {
        for (const [action, type, namespace, name, labels] of [
          ["restart", "job", "prod/web", "api", []],
          ["read", "job", "prod/web", "api", []],
          ["restart", "job", "staging", "api", []],
          ["deploy", "app", "prod/web", "shop", label("team", "pay")],
          ["deploy", "app", "prod/web", "core-svc", label("team", "core")],
          ["deploy", "app", "prod/web", "misc", []],
          ["query", "db", "prod", "orders", []],
        ] as const) {
          questions.push({
            subject,
            action,
            resource: { type, namespace, name, labels: [...labels] },
            context: { mfa: false, sourceIp: "10.1.2.3" },
          });
        }
      }
      const ask = async (q: Question) =>
        (
          await ok<{ can: { allowed: boolean } }>(server, admin, CAN, {
            s: { userId: q.subject.user.id },
            a: q.action,
            r: q.resource,
            c: q.context,
          })
        ).can.allowed;
      const before = new Map<string, boolean>();
      for (const q of questions) before.set(keyOfCheck(q), await ask(q));
      // Guard decisions of three callers: listing roles and policies.
      const calls = [
        { user: everywhere, field: "roles" },
        { user: scoped, field: "roles" },
        { user: viewer, field: "roles" },
        { user: everywhere, field: "policies" },
      ];
      const call = async (c: (typeof calls)[number]) =>
        (await gql(server.url, `{ ${c.field} { name } }`, { token: c.user.token })).errors === undefined;
      const guardKey = (c: (typeof calls)[number]) =>
        JSON.stringify([`Query.${c.field}`, c.user.user.id, "list", c.field === "roles" ? "role" : "policy", ""]);
      for (const c of calls) before.set(guardKey(c), await call(c));

      const report = (
        await ok<{ applyBundle: { replay: ReplayReport } }>(server, admin, REPLAY, { d: AFTER, dry: true })
      ).applyBundle.replay;

      await ok(server, admin, `mutation($d: String!) { applyBundle(document: $d, dryRun: false) { applied } }`, {
        d: AFTER,
      });
      const expected = { allowToDeny: [] as string[], denyToAllow: [] as string[] };
      for (const q of questions) {
        const was = before.get(keyOfCheck(q))!;
        const now = await ask(q);
        if (was !== now) (was ? expected.allowToDeny : expected.denyToAllow).push(keyOfCheck(q));
      }
      for (const c of calls) {
        const was = before.get(guardKey(c))!;
        const now = await call(c);
        if (was !== now) (was ? expected.allowToDeny : expected.denyToAllow).push(guardKey(c));
      }
      expect(expected.allowToDeny.length + expected.denyToAllow.length, "the bundle flips something").to.be.greaterThan(
        5,
      );
      expect(report.allowToDenyFlips.map((f) => keyOfEvent(f.event))).to.have.members(expected.allowToDeny);
      expect(report.denyToAllowFlips.map((f) => keyOfEvent(f.event))).to.have.members(expected.denyToAllow);
      expect(report.allowToDeny).to.equal(expected.allowToDeny.length);
      expect(report.denyToAllow).to.equal(expected.denyToAllow.length);
      expect(report.replayed).to.be.at.least(questions.length + calls.length);
      const flip = report.allowToDenyFlips.find((f) => f.event.operation === "check" && f.event.action === "restart")!;
      expect(flip.event.decision).to.equal("ALLOW");
      expect(flip.now).to.deep.include({ allowed: false, reason: "NO_MATCHING_RULE" });
      const sequences = report.allowToDenyFlips.map((f) => f.event.sequence);
      expect(sequences).to.deep.equal([...sequences].sort((a, b) => a - b));
    });

    it("needs audit:read: a caller who may plan but not read the trail is refused the replay", async () => {
      await addRole(
        server,
        "kind: policy\nname: planner\nrules:\n  - resource: policy\n    capabilities: [list, read, create, update]\n",
        "kind: role\nname: planner\npolicies: [planner]\n",
      );
      const planner = await addUser(server, ["planner"]);
      const { extensions } = await refused(server, planner.token, REPLAY, {
        d: "kind: policy\nname: planned\nrules: []\n",
        dry: true,
      });
      expect(extensions).to.deep.include({ code: "FORBIDDEN", capability: "audit:read" });
    });
  });
}
