// SCIM calls for tests: JSON bodies sent as application/scim+json, answers
// parsed and checked to be SCIM's media type.
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import type { TestServer, UntypedData } from "./server";

export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
export const ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";

export interface ScimResponse<T = UntypedData> {
  status: number;
  /** The parsed answer (`{}` when it has no body), typed by the caller as what it expects. */
  body: T;
  headers: Headers;
  raw: string;
}

/** One call to /scim/v2`path`; `body` as JSON unless it is a string (sent as is). */
export async function scim<T = UntypedData>(
  server: TestServer,
  token: string | null,
  method: string,
  path: string,
  body?: unknown,
  contentType = "application/scim+json",
): Promise<ScimResponse<T>> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = contentType;
  const res = await fetch(`${server.url}/scim/v2${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const raw = await res.text();
  if (res.status !== 204) expect(res.headers.get("content-type"), raw).to.match(/^application\/scim\+json/);
  return { status: res.status, body: (raw === "" ? {} : JSON.parse(raw)) as T, headers: res.headers, raw };
}

/** Asserts a SCIM error of `status` (and `scimType` when given) that shows no stack trace or SQL. */
export function expectScimError(res: ScimResponse, status: number, scimType?: string): UntypedData {
  expect(res.status, res.raw).to.equal(status);
  expect(res.body.schemas).to.deep.equal([ERROR_SCHEMA]);
  expect(res.body.status).to.equal(String(status));
  if (scimType !== undefined) expect(res.body.scimType, res.raw).to.equal(scimType);
  expect(res.body.detail).to.be.a("string");
  expect(res.raw).to.not.match(/\bat .+\.js:\d+|SELECT |INSERT |UPDATE `|SQLITE_|ER_[A-Z_]+|QueryFailedError/);
  return res.body;
}

export const uniqueEmail = () => `scim-${randomUUID().slice(0, 8)}@example.com`;

export function aScimUser(patch: Record<string, unknown> = {}): Record<string, unknown> {
  const email = uniqueEmail();
  return {
    schemas: [USER_SCHEMA],
    userName: email,
    externalId: `ext-${randomUUID()}`,
    name: { givenName: "Ada", familyName: "Lovelace" },
    active: true,
    ...patch,
  };
}

export const patchOp = (...operations: Array<Record<string, unknown>>) => ({
  schemas: [PATCH_SCHEMA],
  Operations: operations,
});

/** The audit events after `since` of one operation. */
export { eventsSince } from "./access-model";
