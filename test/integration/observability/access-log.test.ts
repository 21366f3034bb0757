import { expect } from "chai";
import { createLogger } from "../../../src/observability/logger";
import { databaseKinds } from "../../support/databases";
import { gql, startServer, type TestServer } from "../../support/server";
import { subscribe } from "../../support/subscriptions";

const [sqlite] = databaseKinds();

const CAN = `query MyCheck { can(action: "read", resource: { type: "system", namespace: "system", name: "x" }) { allowed } }`;

/** One JSON log line: the fields these tests read, and whatever else pino wrote. */
type LogLine = {
  message?: string;
  requestId?: string;
  level?: string;
  req?: { method?: string; path?: string; headers?: Record<string, string> };
  [field: string]: unknown;
};

describe("access log", function () {
  this.timeout(60_000);
  let server: TestServer;
  const lines: LogLine[] = [];
  before(async () => {
    server = await startServer(sqlite, {}, undefined, {
      logger: createLogger("debug", (line) => lines.push(JSON.parse(line) as LogLine)),
    });
  });
  after(async () => {
    await server?.close();
  });

  const accessLine = async (requestId: string) => {
    // The line is written when the response finishes, which may be just after the client has read it.
    for (let i = 0; i < 50; i++) {
      const found = lines.find((l) => l.message === "request" && l.requestId === requestId);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no access line for ${requestId}`);
  };

  it("writes one line per request with the inbound X-Request-Id, the actor and the operation; audit and header carry the same id", async () => {
    const requestId = "client-req.42:abc";
    const res = await gql(server.url, CAN, { token: server.adminToken, headers: { "x-request-id": requestId } });
    expect(res.status).to.equal(200);
    expect(res.headers.get("x-request-id")).to.equal(requestId);
    const line = await accessLine(requestId);
    expect(line).to.include({
      level: "info",
      actorId: (server.app.bootstrap as { adminId: string }).adminId,
      operation: "can",
      operationName: "MyCheck",
    });
    expect(line.req).to.deep.equal({ method: "POST", path: "/graphql" });
    expect(line.res).to.deep.equal({ status: 200 });
    expect(line.durationMs).to.be.a("number").and.at.least(0);
    expect(lines.filter((l) => l.message === "request" && l.requestId === requestId)).to.have.length(1);
    const page = await server.app.services.auditTrail.search({ operation: "check" }, 100, null);
    expect(page.nodes.filter((e) => e.requestId === requestId).map((e) => e.action)).to.deep.equal(["read"]);
  });

  it("uses a WebSocket handshake's X-Request-Id for the audit of its authentication", async () => {
    const feed = subscribe(server, "subscription { auditEvents { operation } }", {
      token: "ptc_not-a-token",
      headers: { "x-request-id": "ws-handshake-1" },
    });
    await feed.closed;
    const page = await server.app.services.auditTrail.search({ operation: "authenticate" }, 100, null);
    expect(page.nodes.filter((e) => e.requestId === "ws-handshake-1").map((e) => e.decision)).to.deep.equal(["DENY"]);
  });

  it("makes its own id when the inbound one is not well-formed", async () => {
    for (const bad of ["has spaces", "x".repeat(129), "semi;colon"]) {
      const res = await fetch(`${server.url}/healthz`, { headers: { "x-request-id": bad } });
      const id = res.headers.get("x-request-id")!;
      expect(id).to.match(/^[0-9a-f-]{36}$/);
      const line = await accessLine(id);
      expect(line).to.include({ actorId: null });
      expect(line.req).to.deep.equal({ method: "GET", path: "/healthz" });
      expect(JSON.stringify(lines)).to.not.contain(bad);
    }
  });

  it("logs the path without its query string, never the credentials, and client mistakes at debug without a stack", async () => {
    const before = lines.length;
    const res = await fetch(`${server.url}/graphql?code=secret-code`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${server.adminToken}`,
        cookie: "portcullis_session=pts_cookievalue",
      },
      body: JSON.stringify({ query: "{ noSuchField }" }),
    });
    expect(res.status).to.equal(400);
    const id = res.headers.get("x-request-id")!;
    const line = await accessLine(id);
    expect(line.req?.path).to.equal("/graphql");
    expect(line.level).to.equal("info");
    const written = JSON.stringify(lines.slice(before));
    expect(written).to.not.contain("secret-code");
    expect(written).to.not.contain(server.adminToken.slice(4));
    expect(written).to.not.contain("cookievalue");
    const mistake = lines.slice(before).find((l) => l.message === "client error" && l.requestId === id);
    expect(mistake).to.include({ level: "debug", code: "GRAPHQL_VALIDATION_FAILED" });
    expect(JSON.stringify(mistake)).to.not.contain("    at ");
  });

  it("redacts secret-named fields and headers by path", () => {
    const captured: string[] = [];
    const logger = createLogger("info", (line) => captured.push(line));
    logger.info("tried", {
      token: "ptc_abc",
      user: { password: "hunter2" },
      req: { headers: { authorization: "Bearer x", cookie: "c=1" } },
      tokenId: "t-1",
    });
    const line = JSON.parse(captured[0]) as LogLine & {
      user: { password: string };
      req: { headers: Record<string, string> };
    };
    expect(line).to.include({ token: "[redacted]", tokenId: "t-1", message: "tried" });
    expect(line.user.password).to.equal("[redacted]");
    expect(line.req.headers).to.deep.equal({ authorization: "[redacted]", cookie: "[redacted]" });
  });

  it("keeps LOG_LEVEL: below the level nothing is written", () => {
    const captured: string[] = [];
    const logger = createLogger("warn", (line) => captured.push(line));
    logger.info("quiet");
    logger.debug("quieter");
    logger.warn("heard", { n: 1 });
    expect(captured.map((l) => (JSON.parse(l) as { message: string }).message)).to.deep.equal(["heard"]);
  });
});
