// Two server processes on one MariaDB database and one Redis (docs/audit.md,
// §10): what happens on one is in force on the other within a second, and
// every decision either makes lands once in the one chain.
import { expect } from "chai";
import { generateSecret, TOKEN_PREFIX } from "../../../src/domain/credentials/secret-format";
import { databaseKinds, type TestDatabase } from "../../support/databases";
import { privateRedis, startInstance, type Instance, type PrivateRedis } from "../../support/instances";
import { gql } from "../../support/server";
import { describeIf } from "../../support/skip-reasons";
import { subscribe } from "../../support/subscriptions";

type Created = { createUser: { id: string } };
type Issued = { createToken: { token: { id: string }; secret: string } };
type Can = { can: { allowed: boolean } };

const mysql = databaseKinds().find((kind) => kind.name === "mysql");
const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const withMariaDb = describeIf(
  mysql,
  "TEST_MYSQL_URL is not set: the two-instance tests need MariaDB (and Redis at TEST_REDIS_URL)",
);

/** Polls `probe` every 25 ms until it holds; the elapsed milliseconds, or a failure after `ms`. */
async function within(ms: number, probe: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await probe()) return Date.now() - start;
    if (Date.now() - start > ms) throw new Error(`did not hold within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function clusterMode(instance: Instance): Promise<string> {
  const res = await fetch(`${instance.url}/readyz`);
  return ((await res.json()) as { checks: { cluster: string } }).checks.cluster;
}

withMariaDb("two instances on MariaDB and Redis", function () {
  this.timeout(120_000);
  let db: TestDatabase;
  let a: Instance;
  let b: Instance;
  const admin = generateSecret(TOKEN_PREFIX);

  before(async () => {
    db = await mysql!.create();
    const env = { DATABASE_URL: db.url, REDIS_URL, PORTCULLIS_BOOTSTRAP_TOKEN: admin };
    [a, b] = await Promise.all([startInstance(env), startInstance(env)]);
    await within(5000, async () => (await clusterMode(a)) === "redis" && (await clusterMode(b)) === "redis");
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
  });

  async function createUser(email: string, roles: string[]): Promise<string> {
    const res = await gql<Created>(a.url, "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }", {
      token: admin,
      variables: { i: { email, roles } },
    });
    expect(res.errors, res.raw).to.equal(undefined);
    return res.data!.createUser.id;
  }

  async function issueToken(userId: string): Promise<{ id: string; secret: string }> {
    const res = await gql<Issued>(
      a.url,
      "mutation($i: CreateTokenInput!) { createToken(input: $i) { token { id } secret } }",
      {
        token: admin,
        variables: { i: { name: "t", userId } },
      },
    );
    expect(res.errors, res.raw).to.equal(undefined);
    return { id: res.data!.createToken.token.id, secret: res.data!.createToken.secret };
  }

  it("refuses on B, within a second, a token revoked on A", async () => {
    const userId = await createUser("revoked@example.com", ["viewer"]);
    const token = await issueToken(userId);
    expect(
      (await gql<{ me: { email: string } }>(b.url, "{ me { email } }", { token: token.secret })).data?.me.email,
    ).to.equal("revoked@example.com");
    const revoked = await gql(a.url, "mutation($id: ID!) { revokeToken(id: $id) { id } }", {
      token: admin,
      variables: { id: token.id },
    });
    expect(revoked.errors, revoked.raw).to.equal(undefined);
    const elapsed = await within(
      1000,
      async () =>
        (await gql(b.url, "{ me { email } }", { token: token.secret })).errors?.[0]?.extensions?.code ===
        "UNAUTHENTICATED",
    );
    expect(elapsed).to.be.at.most(1000);
  });

  it("decides on B, within a second, with a grant given on A", async () => {
    const userId = await createUser("promoted@example.com", ["viewer"]);
    const question = `query($u: ID!) { can(subject: { userId: $u }, action: "submit", resource: { type: "job", namespace: "prod", name: "api" }) { allowed reason } }`;
    const before = await gql(b.url, question, { token: admin, variables: { u: userId } });
    expect(before.data?.can).to.deep.equal({ allowed: false, reason: "NO_MATCHING_RULE" });
    const granted = await gql(a.url, "mutation($i: GrantInput!) { grantRole(input: $i) { id } }", {
      token: admin,
      variables: { i: { userId, role: "deployer" } },
    });
    expect(granted.errors, granted.raw).to.equal(undefined);
    const elapsed = await within(
      1000,
      async () =>
        (await gql<Can>(b.url, question, { token: admin, variables: { u: userId } })).data?.can.allowed === true,
    );
    expect(elapsed).to.be.at.most(1000);
  });

  it("delivers a deny caused on A to a subscriber on B", async () => {
    const userId = await createUser("denied@example.com", []);
    const token = await issueToken(userId);
    const feed = subscribe(
      b,
      "subscription { auditEvents(filter: { decision: DENY }) { sequence operation decision actorEmail requestId } }",
      { token: admin },
    );
    try {
      // Live once a deny caused on B itself arrives; then the one from A.
      await within(5000, async () => {
        await gql(b.url, "{ users { id } }", { token: token.secret });
        return feed.events.length > 0;
      });
      const seen = feed.events.length;
      const denied = await gql(a.url, "{ users { id } }", { token: token.secret });
      expect(denied.errors?.[0]?.extensions?.code).to.equal("FORBIDDEN");
      const event = await feed.waitFor((e) => e.auditEvents.requestId === denied.headers.get("x-request-id"), 5000);
      expect(feed.events.indexOf(event)).to.be.at.least(seen);
      expect(event.auditEvents).to.include({
        operation: "Query.users",
        decision: "DENY",
        actorEmail: "denied@example.com",
      });
      expect(feed.events.every((e) => e.auditEvents.decision === "DENY")).to.equal(true);
    } finally {
      await feed.dispose();
    }
  });

  it("records exactly 10,000 decisions made by concurrent clients on both instances, in one intact chain", async () => {
    const userId = await createUser("load@example.com", ["viewer"]);
    const token = await issueToken(userId);
    const headBefore = await gql<{ auditEvents: { nodes: Array<{ sequence: number }> } }>(
      a.url,
      "{ auditEvents(first: 1) { nodes { sequence } } }",
      { token: admin },
    );
    expect(headBefore.errors, headBefore.raw).to.equal(undefined);
    const startSequence = headBefore.data?.auditEvents.nodes[0]?.sequence ?? 0;
    const question = `{ can(action: "read", resource: { type: "job", namespace: "prod", name: "api" }) { allowed } }`;
    let next = 0;
    let allowed = 0;
    const client = async (index: number) => {
      const target = index % 2 === 0 ? a : b;
      while (next < 10_000) {
        next++;
        const res = await gql<Can>(target.url, question, { token: token.secret });
        if (res.data?.can.allowed === true) allowed++;
      }
    };
    await Promise.all(Array.from({ length: 40 }, (_, i) => client(i)));
    expect(allowed).to.equal(10_000);
    const checks = await countEvents(a, admin, { actorEmail: "load@example.com", operation: "check" }, startSequence);
    expect(checks.count).to.equal(10_000);
    expect(checks.distinct).to.equal(10_000);
    const chain = await gql<{ verifyAuditChain: { ok: boolean; checked: number; firstBrokenSequence: number | null } }>(
      b.url,
      "{ verifyAuditChain { ok checked firstBrokenSequence } }",
      { token: admin },
    );
    expect(chain.data?.verifyAuditChain).to.include({ ok: true, firstBrokenSequence: null });
    expect(chain.data?.verifyAuditChain.checked).to.be.at.least(startSequence + 10_000);
  });
});

/** Counts events matching `filter` above `after` through the export, and how many distinct sequences they have. */
async function countEvents(
  instance: Instance,
  token: string,
  filter: Record<string, string>,
  after: number,
): Promise<{ count: number; distinct: number }> {
  const query = new URLSearchParams(filter).toString();
  const res = await fetch(`${instance.url}/audit/export?${query}`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).to.equal(200);
  const sequences = (await res.text())
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => (JSON.parse(line) as { sequence: number }).sequence)
    .filter((s) => s > after);
  return { count: sequences.length, distinct: new Set(sequences).size };
}

withMariaDb("two instances when Redis goes away", function () {
  this.timeout(120_000);
  let db: TestDatabase;
  let redis: PrivateRedis;
  let a: Instance;
  let b: Instance;
  const admin = generateSecret(TOKEN_PREFIX);

  before(async () => {
    db = await mysql!.create();
    redis = await privateRedis();
    const env = { DATABASE_URL: db.url, REDIS_URL: redis.url, PORTCULLIS_BOOTSTRAP_TOKEN: admin };
    [a, b] = await Promise.all([startInstance(env), startInstance(env)]);
    await within(5000, async () => (await clusterMode(a)) === "redis" && (await clusterMode(b)) === "redis");
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
    await db?.drop();
  });

  it("falls back to polling the database, says so, keeps revocations and events flowing, and returns to Redis", async () => {
    const created = await gql<Created>(a.url, "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }", {
      token: admin,
      variables: { i: { email: "fallback@example.com", roles: ["viewer"] } },
    });
    const issued = await gql<Issued>(
      a.url,
      "mutation($i: CreateTokenInput!) { createToken(input: $i) { token { id } secret } }",
      { token: admin, variables: { i: { name: "t", userId: created.data!.createUser.id } } },
    );
    const { token, secret } = issued.data!.createToken;
    const feed = subscribe(b, "subscription { auditEvents(filter: { decision: DENY }) { requestId } }", {
      token: admin,
    });
    try {
      await within(5000, async () => {
        await gql(b.url, "{ users { id } }", { token: secret });
        return feed.events.length > 0;
      });

      await redis.stop();
      await within(
        5000,
        async () => (await clusterMode(a)).startsWith("polling") && (await clusterMode(b)).startsWith("polling"),
      );
      // The warning is written as the mode changes, but reaches this process through a pipe that a
      // busy machine may read after /readyz has answered.
      await within(2000, () => Promise.resolve(b.log().includes("cluster bus unreachable: polling the database")));

      // A deny on A reaches B's subscriber through the database.
      const denied = await gql(a.url, "{ users { id } }", { token: secret });
      const requestId = denied.headers.get("x-request-id");
      await feed.waitFor((e) => e.auditEvents.requestId === requestId, 5000);

      // A revocation on A is in force on B within the polling bound.
      await gql(a.url, "mutation($id: ID!) { revokeToken(id: $id) { id } }", {
        token: admin,
        variables: { id: token.id },
      });
      const elapsed = await within(
        5000,
        async () =>
          (await gql(b.url, "{ me { email } }", { token: secret })).errors?.[0]?.extensions?.code === "UNAUTHENTICATED",
      );
      expect(elapsed).to.be.at.most(5000);

      await redis.start();
      await within(10_000, async () => (await clusterMode(a)) === "redis" && (await clusterMode(b)) === "redis");
      expect(b.log()).to.contain("cluster bus is back");
    } finally {
      await feed.dispose();
    }
  });
});
