// Every non-GraphQL route answers errors in the API's own shape, with the
// request id the x-request-id header carries (SCIM keeps SCIM's format).
import { expect } from "chai";
import { databaseKinds } from "../../support/databases";
import { serverForSuite, type TestServer } from "../../support/server";

interface ErrorBody {
  errors: Array<{ message: string; extensions: { code: string; requestId: string } & Record<string, unknown> }>;
}

describe("error bodies of the non-GraphQL routes", function () {
  this.timeout(60_000);
  let server: TestServer;
  serverForSuite(databaseKinds()[0], (s) => (server = s));

  async function errorOf(res: Response, status: number, code: string): Promise<ErrorBody["errors"][number]> {
    expect(res.status).to.equal(status);
    expect(res.headers.get("content-type")).to.match(/^application\/json/);
    const body = (await res.json()) as ErrorBody;
    expect(Object.keys(body)).to.deep.equal(["errors"]);
    expect(body.errors).to.have.length(1);
    const [error] = body.errors;
    expect(error.extensions.code).to.equal(code);
    expect(error.extensions.requestId).to.be.a("string").and.equal(res.headers.get("x-request-id"));
    expect(error.message).to.be.a("string").and.not.equal("");
    return error;
  }

  it("a path that does not exist: 404 NOT_FOUND", async () => {
    const error = await errorOf(await fetch(`${server.url}/no-such-path`), 404, "NOT_FOUND");
    expect(error.message).to.equal("not found");
  });

  it("a body that is not JSON: 400 BAD_REQUEST", async () => {
    await errorOf(
      await fetch(`${server.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{not json",
      }),
      400,
      "BAD_REQUEST",
    );
  });

  it("/audit/export without a credential: 401 UNAUTHENTICATED", async () => {
    await errorOf(await fetch(`${server.url}/audit/export`), 401, "UNAUTHENTICATED");
  });

  it("/audit/export with a bad parameter: 400 BAD_USER_INPUT naming the field", async () => {
    const res = await fetch(`${server.url}/audit/export?since=yesterday`, {
      headers: { authorization: `Bearer ${server.adminToken}` },
    });
    const error = await errorOf(res, 400, "BAD_USER_INPUT");
    expect(error.extensions.field).to.equal("since");
  });

  it("/auth/logout with a token: 401 UNAUTHENTICATED", async () => {
    await errorOf(
      await fetch(`${server.url}/auth/logout`, {
        method: "POST",
        headers: { authorization: `Bearer ${server.adminToken}` },
      }),
      401,
      "UNAUTHENTICATED",
    );
  });

  it("keeps an inbound X-Request-Id in the body", async () => {
    const res = await fetch(`${server.url}/no-such-path`, { headers: { "x-request-id": "req-0123456789abcdef" } });
    expect((await errorOf(res, 404, "NOT_FOUND")).extensions.requestId).to.equal("req-0123456789abcdef");
  });
});
