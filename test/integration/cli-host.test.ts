// The commands run on the server's host, as the built bin, in a child process:
// token-format (local only) and bootstrap --reissue (on a database a server created).
import { expect } from "chai";
import { checkSecret, generateSecret, TOKEN_PREFIX } from "../../src/domain/credentials/secret-format";
import { CliHome } from "../support/cli";
import { databaseKinds } from "../support/databases";
import { gql, startServer } from "../support/server";

const SECRET = /^(ptc_[0-9A-Za-z]{46})\n$/;

describe("portcullis token-format", function () {
  this.timeout(30_000);
  const home = new CliHome();
  after(() => home.remove());

  it("--generate prints a valid token secret alone on stdout, a new one each time", async () => {
    const [a, b] = await Promise.all([
      home.run(["token-format", "--generate"]),
      home.run(["token-format", "--generate"]),
    ]);
    for (const r of [a, b]) {
      expect(r.code).to.equal(0);
      expect(r.stderr).to.equal("");
      expect(r.stdout).to.match(SECRET);
      expect(checkSecret(r.stdout.trim(), TOKEN_PREFIX)).to.deep.equal({ ok: true, prefix: TOKEN_PREFIX });
    }
    expect(a.stdout).to.not.equal(b.stdout);
  });

  it("--check says whether stdin has the format, exits 0 or 1, and never prints the secret", async () => {
    const good = generateSecret(TOKEN_PREFIX);
    const ok = await home.run(["token-format", "--check"], { stdin: good + "\n" });
    expect(ok).to.deep.include({ code: 0, stdout: "valid token secret\n", stderr: "" });

    const tampered = good.slice(0, -1) + (good.endsWith("0") ? "1" : "0");
    const badSum = await home.run(["token-format", "--check"], { stdin: tampered });
    expect(badSum.code).to.equal(1);
    expect(badSum.stderr).to.match(/checksum does not match/);
    expect(badSum.stdout + badSum.stderr).to.not.include(tampered.slice(4));

    const session = await home.run(["token-format", "--check"], { stdin: generateSecret("pts_") });
    expect(session.code).to.equal(1);
    expect(session.stderr).to.match(/expected ptc_ followed by 46 base62 characters/);
  });

  it("wants exactly one of --generate and --check", async () => {
    expect((await home.run(["token-format"])).code).to.equal(2);
    expect((await home.run(["token-format", "--generate", "--check"])).code).to.equal(2);
  });
});

for (const kind of databaseKinds()) {
  describe(`portcullis bootstrap --reissue on ${kind.name}`, function () {
    this.timeout(120_000);
    const home = new CliHome();
    after(() => home.remove());

    it("refuses an empty database and changes nothing", async () => {
      const db = await kind.create();
      try {
        const res = await home.run(["bootstrap", "--reissue"], { env: { DATABASE_URL: db.url } });
        expect(res.code).to.equal(1);
        expect(res.stdout).to.equal("");
        expect(res.stderr).to.match(/start the server once/);
      } finally {
        await db.drop();
      }
    });

    it("revokes the built-in admin's break-glass token, prints a new one once, audits it in the chain, and a running server refuses the old one at once", async () => {
      const email = "root@example.com";
      const server = await startServer(kind, { PORTCULLIS_ADMIN_EMAIL: email });
      try {
        const old = server.adminToken;
        expect(
          (await gql<{ me: { email: string } }>(server.url, "{ me { email } }", { token: old })).data?.me.email,
        ).to.equal(email);
        const versionBefore = await server.app.storage.policyState.version();

        const res = await home.run(["bootstrap", "--reissue"], {
          env: { DATABASE_URL: server.db.url, PORTCULLIS_ADMIN_EMAIL: email },
        });
        expect(res.code, res.stderr).to.equal(0);
        expect(res.stdout).to.match(SECRET);
        const fresh = SECRET.exec(res.stdout)![1];
        expect(fresh).to.not.equal(old);
        expect(res.stderr).to.match(/revoked 1 break-glass token/);
        expect(res.stderr).to.not.include(fresh);
        expect(await server.app.storage.policyState.version()).to.equal(versionBefore + 1);

        // The running server refuses the old secret (its credential cache lasts at most 1 s) and knows the new one's owner.
        await new Promise((r) => setTimeout(r, 1100));
        const refused = await gql(server.url, "{ me { email } }", { token: old });
        expect(refused.errors?.[0]?.extensions?.code).to.equal("UNAUTHENTICATED");
        const me = await gql<{
          me: { email: string; tokens: Array<{ breakGlass: boolean; revokedAt: string | null }> };
        }>(server.url, "{ me { email tokens { breakGlass revokedAt } } }", { token: fresh });
        expect(me.errors, JSON.stringify(me.errors)).to.equal(undefined);
        expect(me.data?.me.email).to.equal(email);
        const tokens = me.data!.me.tokens.map((t) => ({
          ...t,
          revoked: t.revokedAt !== null,
          revokedAt: undefined,
        }));
        expect(tokens).to.have.deep.members([
          { breakGlass: true, revoked: true, revokedAt: undefined },
          { breakGlass: true, revoked: false, revokedAt: undefined },
        ]);

        const event = (await server.app.storage.audit.searchBefore({}, null, 20)).find(
          (e) => e.operation === "bootstrap.reissue",
        );
        expect(event).to.deep.include({
          actorId: "system:bootstrap-reissue",
          operation: "bootstrap.reissue",
          decision: "ALLOW",
        });
        expect(JSON.stringify(event!.metadata)).to.not.include(fresh.slice(4, -4));
        // A server started afterwards (or one that learns of the new state version over Redis) acts on the new secret.
        await server.app.close();
        const again = await startServer(kind, {}, server.db);
        try {
          expect(
            (await gql<{ me: { email: string } }>(again.url, "{ me { email } }", { token: fresh })).data?.me.email,
          ).to.equal(email);
          expect(
            (await gql<{ me: { email: string } }>(again.url, "{ me { email } }", { token: old })).errors?.[0]
              ?.extensions?.code,
          ).to.equal("UNAUTHENTICATED");
          const verified = await gql(again.url, "{ verifyAuditChain(full: true) { ok firstBrokenSequence } }", {
            token: fresh,
          });
          expect(verified.data?.verifyAuditChain, JSON.stringify(verified.errors)).to.deep.equal({
            ok: true,
            firstBrokenSequence: null,
          });
        } finally {
          await again.close();
        }
      } finally {
        await server.db.drop();
      }
    });

    it("refuses when PORTCULLIS_ADMIN_EMAIL names no user, and changes nothing", async () => {
      const server = await startServer(kind);
      try {
        const head = await server.app.storage.audit.head();
        const res = await home.run(["bootstrap", "--reissue"], {
          env: { DATABASE_URL: server.db.url, PORTCULLIS_ADMIN_EMAIL: "nobody@example.com" },
        });
        expect(res.code).to.equal(1);
        expect(res.stdout).to.equal("");
        expect(res.stderr).to.match(/nobody@example\.com/);
        expect(await server.app.storage.audit.head()).to.deep.equal(head);
        expect(
          (await gql<{ me: { email: string } }>(server.url, "{ me { email } }", { token: server.adminToken })).data?.me
            .email,
        ).to.equal("admin@portcullis.local");
      } finally {
        await server.close();
      }
    });
  });
}
