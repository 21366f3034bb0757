import { expect } from "chai";
import { databaseKinds } from "../../support/databases";
import { addUser } from "../../support/principals";
import { scim } from "../../support/scim";
import { gql, startServer, type TestServer } from "../../support/server";
import { subscribe } from "../../support/subscriptions";

const errorLines = (lines: string[]) =>
  lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.level === "error");

for (const kind of databaseKinds()) {
  describe(`client errors on ${kind.name}`, function () {
    this.timeout(60_000);
    let server: TestServer;
    let production: TestServer;
    const logs: string[] = [];
    const productionLogs: string[] = [];

    before(async () => {
      server = await startServer(kind, {}, undefined, { logLines: logs });
      production = await startServer(kind, { NODE_ENV: "production" }, undefined, { logLines: productionLogs });
    });
    after(async () => {
      await server?.close();
      await production?.close();
    });
    beforeEach(() => {
      logs.length = 0;
      productionLogs.length = 0;
    });

    it("answers a syntax error with 400 GRAPHQL_PARSE_FAILED, not logged as an internal error", async () => {
      const res = await gql(server.url, "{ me { id ", { token: server.adminToken });
      expect(res.status).to.equal(400);
      expect(res.errors?.[0]?.extensions?.code).to.equal("GRAPHQL_PARSE_FAILED");
      expect(res.errors?.[0]?.message).to.match(/^Syntax Error/);
      expect(errorLines(logs)).to.deep.equal([]);
    });

    it("answers a document over the token limit with 400 GRAPHQL_PARSE_FAILED", async () => {
      const query = `{ ${Array.from({ length: 3000 }, (_, i) => `a${i}: __typename`).join(" ")} }`;
      const res = await gql(server.url, query, { token: server.adminToken });
      expect(res.status).to.equal(400);
      expect(res.errors?.[0]?.extensions?.code).to.equal("GRAPHQL_PARSE_FAILED");
      expect(res.errors?.[0]?.message).to.match(/token/i);
      expect(errorLines(logs)).to.deep.equal([]);
    });

    it("does not log armor refusals, introspection refusals or bad variables at error level", async () => {
      const deep = await gql(
        server.url,
        `{ me ${"{ grants { role { policies { roles ".repeat(3)}{ name }${" } } } }".repeat(3)} }`,
        { token: server.adminToken },
      );
      expect(deep.status).to.equal(400);
      expect(deep.errors?.[0]?.extensions?.code, deep.raw).to.equal("GRAPHQL_VALIDATION_FAILED");
      const introspection = await gql(production.url, "{ __schema { types { name } } }", {
        token: production.adminToken,
      });
      expect(introspection.status).to.equal(400);
      expect(introspection.errors?.[0]?.extensions?.code).to.equal("GRAPHQL_VALIDATION_FAILED");
      const badVariable = await gql(
        server.url,
        "query($since: DateTime) { auditEvents(filter: { since: $since }) { nodes { id } } }",
        { token: server.adminToken, variables: { since: "yesterday" } },
      );
      expect(badVariable.status).to.equal(400);
      expect(badVariable.errors?.[0]?.extensions?.code).to.equal("BAD_USER_INPUT");
      expect(errorLines(logs)).to.deep.equal([]);
      expect(errorLines(productionLogs)).to.deep.equal([]);
    });

    it("refuses a subscription sent over HTTP with a clear 400", async () => {
      const res = await gql(server.url, "subscription { auditEvents { sequence } }", { token: server.adminToken });
      expect(res.status).to.equal(400);
      expect(res.errors?.[0]?.extensions?.code).to.equal("BAD_REQUEST");
      expect(res.errors?.[0]?.message).to.match(/WebSocket/);
      expect(errorLines(logs)).to.deep.equal([]);
    });

    it("answers a SCIM path that is not valid percent-encoding with a 400 in SCIM's error format", async () => {
      const res = await scim(server, server.adminToken, "GET", "/Groups/%%%");
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.include({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "400" });
      expect(errorLines(logs)).to.deep.equal([]);
    });

    it("hides field suggestions over WebSocket in production, as over HTTP", async () => {
      const auditor = await addUser(production, ["auditor"]);
      const http = await gql(production.url, "{ me { emial } }", { token: auditor.token });
      expect(http.errors?.[0]?.message).to.not.match(/Did you mean/);
      const sub = subscribe(production, "subscription { auditEvents { sequenc } }", { token: auditor.token });
      try {
        for (let i = 0; i < 100 && sub.errors.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
        expect(sub.errors[0]?.extensions?.code).to.equal("GRAPHQL_VALIDATION_FAILED");
        expect(sub.errors[0]?.message).to.contain("sequenc");
        expect(sub.errors[0]?.message).to.not.match(/Did you mean|sequence/);
      } finally {
        await sub.dispose();
      }
      // Outside production the hint stays: it helps whoever is writing the query.
      const devAuditor = await addUser(server, ["auditor"]);
      const dev = subscribe(server, "subscription { auditEvents { sequenc } }", { token: devAuditor.token });
      try {
        for (let i = 0; i < 100 && dev.errors.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
        expect(dev.errors[0]?.message).to.match(/Did you mean "sequence"/);
      } finally {
        await dev.dispose();
      }
    });
  });
}
