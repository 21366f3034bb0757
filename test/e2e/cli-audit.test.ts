// `portcullis audit …` end to end: search, export, verify (the server's chain and
// an exported file recomputed by the CLI), and tail over graphql-ws.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { ndjsonEvents, type AuditEventView } from "../support/audit-events";
import { CliHome, type CliResult } from "../support/cli";
import { databaseKinds } from "../support/databases";
import { freePort } from "../support/oidc-flows";
import { addUser, type TestUser } from "../support/principals";
import { gql, serverForSuite, startServer, type TestServer } from "../support/server";

const sqlite = databaseKinds()[0];

function ok(result: CliResult): CliResult {
  expect(result.code, `exit code; stderr: ${result.stderr}`).to.equal(0);
  return result;
}

/** A denied check the caller is allowed to ask: an audited DENY. */
const deny = (server: Pick<TestServer, "url" | "adminToken">, who: TestUser, name: string) =>
  gql(
    server.url,
    `query($e: String!, $n: String!) { can(action: "delete", resource: { type: "job", namespace: "prod", name: $n }, subject: { email: $e }) { allowed } }`,
    { token: server.adminToken, variables: { e: who.user.email, n: name } },
  );

describe("portcullis audit", function () {
  this.timeout(60_000);
  let server: TestServer;
  serverForSuite(sqlite, (s) => (server = s));
  let admin: CliHome;
  let viewer: TestUser;

  before(async () => {
    viewer = await addUser(server, ["viewer"]);
    admin = new CliHome({ PORTCULLIS_URL: server.url, PORTCULLIS_TOKEN: server.adminToken });
    await deny(server, viewer, "searchable");
  });
  after(() => admin.remove());

  it("search filters by decision, user, resource and time, as a table, JSON or NDJSON", async () => {
    const ndjson = ok(
      await admin.run([
        "audit",
        "search",
        "--decision",
        "deny",
        "--resource",
        "job",
        "--name",
        "searchable",
        "--since",
        "1h",
        "--format",
        "ndjson",
      ]),
    ).stdout;
    const events = ndjsonEvents(ndjson);
    expect(events).to.have.length(1);
    expect(events[0]).to.deep.include({
      decision: "DENY",
      operation: "check",
      action: "delete",
      resourceName: "searchable",
      subjectId: viewer.user.id,
    });
    const json = JSON.parse(
      ok(await admin.run(["audit", "search", "--user", "admin@portcullis.local", "--limit", "2", "-o", "json"])).stdout,
    ) as AuditEventView[];
    expect(json).to.have.length(2);
    expect(json.every((e) => e.actorEmail === "admin@portcullis.local")).to.equal(true);
    expect(ok(await admin.run(["audit", "search", "--decision", "deny", "--name", "searchable"])).stdout).to.match(
      /DENY .*check .*delete .*job\/prod\/searchable .*NO_MATCHING_RULE/,
    );
    expect(
      JSON.parse(ok(await admin.run(["audit", "search", "--until", "2000-01-01", "-o", "json"])).stdout),
    ).to.deep.equal([]);
    const bad = await admin.run(["audit", "search", "--since", "last tuesday"]);
    expect([bad.code, bad.stdout]).to.deep.equal([2, ""]);
    expect(bad.stderr).to.contain("'last tuesday' is neither a duration");
  });

  it("export streams NDJSON that verify recomputes locally; a changed, removed or reordered line is found", async () => {
    const exported = ok(await admin.run(["audit", "export", "--since", "1d"]));
    expect(exported.stderr).to.equal(""); // no progress when stderr is not a terminal
    const lines = exported.stdout.trim().split("\n");
    expect(lines.length).to.be.greaterThan(3);
    expect(ndjsonEvents(lines[0])[0].sequence).to.equal(1);
    const file = join(admin.dir, "audit.ndjson");
    writeFileSync(file, exported.stdout);
    const verified = ok(await admin.run(["audit", "verify", file]));
    expect(verified.stdout).to.match(
      new RegExp(`^ok: ${lines.length} events, sequences 1–${lines.length}, chain intact; head [0-9a-f]{64}\\n$`),
    );
    expect(JSON.parse(ok(await admin.run(["audit", "verify", file, "-o", "json"])).stdout)).to.deep.include({
      ok: true,
      checked: lines.length,
      head: ndjsonEvents(lines.at(-1)!)[0].hash,
    });

    const altered = lines.map((l, i) => (i === 2 ? JSON.stringify({ ...JSON.parse(l), sourceIp: "10.9.9.9" }) : l));
    writeFileSync(file, altered.join("\n") + "\n");
    const changed = await admin.run(["audit", "verify", file]);
    expect([changed.code, changed.stdout]).to.deep.equal([
      1,
      "broken: line 3 (sequence 3): hash does not match the event's content (the event was altered)\n",
    ]);

    writeFileSync(file, [lines[0], lines[2], lines[1], ...lines.slice(3)].join("\n") + "\n");
    const reordered = await admin.run(["audit", "verify", file]);
    expect(reordered.code).to.equal(1);
    expect(reordered.stdout).to.match(/^broken: line 3 \(sequence 2\): sequence 2 after 3/);

    writeFileSync(file, [lines[0], ...lines.slice(2)].join("\n") + "\n");
    const cut = await admin.run(["audit", "verify", file]);
    expect([cut.code, cut.stdout]).to.deep.equal([
      1,
      "incomplete: events missing at sequences 2–2; the file is filtered or cut (use --partial to accept that)\n",
    ]);
    expect(ok(await admin.run(["audit", "verify", file, "--partial"])).stdout).to.match(
      /^ok: .* except across the gaps 2–2/,
    );

    const filtered = ok(await admin.run(["audit", "export", "--decision", "deny"])).stdout;
    expect(
      filtered
        .trim()
        .split("\n")
        .every((l) => ndjsonEvents(l)[0].decision === "DENY"),
    ).to.equal(true);
    expect((await admin.run(["audit", "verify", join(admin.dir, "missing.ndjson")])).code).to.equal(2);
  });

  it("verify without a file asks the server to verify its chain", async () => {
    expect(ok(await admin.run(["audit", "verify"])).stdout).to.match(
      /^ok: the server's chain holds \(\d+ events checked\)\n$/,
    );
  });

  it("export and tail without audit:read exit 1", async () => {
    const nobody = await addUser(server, []);
    const home = new CliHome({ PORTCULLIS_URL: server.url, PORTCULLIS_TOKEN: nobody.token });
    try {
      const exported = await home.run(["audit", "export"]);
      expect([exported.code, exported.stdout]).to.deep.equal([1, ""]);
      expect(exported.stderr).to.match(/^portcullis: denied: audit:read \(NO_MATCHING_RULE\)/);
      const tail = await home.run(["audit", "tail"]);
      expect(tail.code).to.equal(1);
      expect(tail.stderr).to.contain("denied: audit:read");
    } finally {
      home.remove();
    }
  });

  it("tail --deny prints a deny within a second, and only denies", async () => {
    const tail = admin.spawn(["audit", "tail", "--deny", "-o", "json"]);
    try {
      await tail.until(/connected to /, "stderr");
      await new Promise((r) => setTimeout(r, 200)); // the subscribe message follows the connection's acknowledgement
      await gql(server.url, "{ me { email } }", { token: server.adminToken }); // allowed: must not show
      const started = Date.now();
      await deny(server, viewer, "tailed");
      await tail.until(/"resourceName":"tailed"/, "stdout", 1000);
      expect(Date.now() - started).to.be.lessThan(1000);
      const events = ndjsonEvents((await stopped(tail)).stdout);
      expect(events.every((e) => e.decision === "DENY")).to.equal(true);
    } finally {
      tail.child.kill("SIGINT");
    }
  });

  it("tail reconnects after the server restarts and resumes after the last event, losing and repeating none", async () => {
    const port = await freePort();
    const first = await startServer(sqlite, { PORT: String(port) });
    const db = first.db;
    const token = first.adminToken;
    let second: TestServer | undefined;
    const home = new CliHome({ PORTCULLIS_URL: first.url, PORTCULLIS_TOKEN: token });
    const who = await addUser(first, ["viewer"]);
    const tail = home.spawn(["audit", "tail", "--deny", "--resource", "job", "-o", "json"]);
    try {
      await tail.until(/connected to /, "stderr");
      await new Promise((r) => setTimeout(r, 200));
      await deny(first, who, "before-restart");
      await tail.until(/before-restart/);
      await first.app.close();
      second = await startServer(sqlite, { PORT: String(port) }, db);
      await deny({ url: second.url, adminToken: token }, who, "while-away");
      await tail.until(/reconnected; resuming after sequence \d+/, "stderr", 15_000);
      await new Promise((r) => setTimeout(r, 200));
      await deny({ url: second.url, adminToken: token }, who, "after-restart");
      await tail.until(/after-restart/, "stdout", 5000);
      const names = ndjsonEvents((await stopped(tail)).stdout).map((e) => e.resourceName);
      expect(names).to.deep.equal(["before-restart", "while-away", "after-restart"]);
    } finally {
      tail.child.kill("SIGINT");
      home.remove();
      await second?.close();
      await db.drop();
    }
  });
});

/** Stops a tail with Ctrl-C and expects it to end cleanly. */
async function stopped(run: ReturnType<CliHome["spawn"]>): Promise<CliResult> {
  run.child.kill("SIGINT");
  const result = await run.done;
  expect(result.code, result.stderr).to.equal(0);
  return result;
}
