import { expect } from "chai";
import { databaseKinds } from "../../support/databases";
import { gql, startServer, type TestServer } from "../../support/server";
import { subscribe } from "../../support/subscriptions";

const [sqlite] = databaseKinds();

describe("request hardening", function () {
  this.timeout(60_000);
  let server: TestServer;
  let production: TestServer;
  before(async () => {
    server = await startServer(sqlite);
    production = await startServer(sqlite, { NODE_ENV: "production" });
  });
  after(async () => {
    await server?.close();
    await production?.close();
  });

  it("refuses a query nested deeper than ten levels", async () => {
    const deep =
      "{ me { grants { role { policies { roles { inherits { policies { roles { inherits { inherits { name } } } } } } } } } } }";
    const res = await gql(server.url, deep, { token: server.adminToken });
    expect(res.status).to.equal(400);
    expect(res.errors?.[0]?.extensions?.code).to.equal("GRAPHQL_VALIDATION_FAILED");
    expect(res.errors?.[0]?.message).to.match(/depth/);
  });

  it("refuses a query with more than thirty aliases", async () => {
    const query = `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: me { id }`).join(" ")} }`;
    const res = await gql(server.url, query, { token: server.adminToken });
    expect(res.errors?.[0]?.message).to.match(/Aliases limit/);
  });

  it("applies the same limits to subscriptions over WebSocket", async () => {
    const aliases = Array.from({ length: 31 }, (_, i) => `a${i}: id`).join(" ");
    const sub = subscribe(server, `subscription { auditEvents { ${aliases} } }`, { token: server.adminToken });
    try {
      const deadline = Date.now() + 5000;
      while (sub.errors.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(sub.errors[0]?.message).to.match(/Aliases limit/);
      expect(sub.events).to.deep.equal([]);
    } finally {
      await sub.dispose();
    }
  });

  it("refuses a batch of operations in one request", async () => {
    const res = await fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${server.adminToken}` },
      body: JSON.stringify([{ query: "{ me { id } }" }, { query: "{ me { id } }" }]),
    });
    expect(res.status).to.equal(400);
  });

  it("refuses a GET query that a browser could send cross-site (CSRF prevention)", async () => {
    const res = await fetch(`${server.url}/graphql?query=${encodeURIComponent("{ me { id } }")}`, {
      headers: { authorization: `Bearer ${server.adminToken}` },
    });
    expect(res.status).to.equal(400);
    expect(await res.text()).to.match(/CSRF|preflight/i);
  });

  it("hides the schema in production: no introspection, no field suggestions", async () => {
    const introspection = await gql(production.url, "{ __schema { types { name } } }", {
      token: production.adminToken,
    });
    expect(introspection.data ?? null).to.equal(null);
    expect(introspection.errors?.[0]?.message).to.match(/introspection/i);
    const typo = await gql(production.url, "{ me { emial } }", { token: production.adminToken });
    expect(typo.errors?.[0]?.message).to.not.match(/Did you mean/);
    const development = await gql(server.url, "{ me { emial } }", { token: server.adminToken });
    expect(development.errors?.[0]?.message).to.match(/Did you mean "email"/);
  });
});
