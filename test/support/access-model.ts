// Helpers for the policy, role and resource-type tests: one mutation call that
// must succeed or must fail, and the change records written since a point.
import { expect } from "chai";
import type { AuditEventRecord } from "../../src/domain/audit/audit-event";
import { gql, type TestServer, type UntypedData } from "./server";

/** Runs a query that must succeed; returns its data (typed by the caller as what the query selects). */
export async function ok<T = UntypedData>(
  server: TestServer,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const res = await gql<T>(server.url, query, { token, variables });
  expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
  return res.data!;
}

/** Runs a query that must fail; returns its first error (message and extensions). */
export async function refused(
  server: TestServer,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
) {
  const res = await gql(server.url, query, { token, variables });
  expect(res.errors, `expected an error, got ${res.raw}`).to.be.an("array").with.length.above(0);
  return { message: res.errors![0].message, extensions: res.errors![0].extensions ?? {} };
}

export async function auditHead(server: TestServer): Promise<number> {
  return (await server.app.storage.audit.head()).sequence;
}

/** Every event written after `since`, optionally of one operation. */
export async function eventsSince(server: TestServer, since: number, operation?: string): Promise<AuditEventRecord[]> {
  const head = await auditHead(server);
  if (head <= since) return [];
  const events = await server.app.storage.audit.range(since + 1, head);
  return operation === undefined ? events : events.filter((e) => e.operation === operation);
}

/** Change records (action `change`) written after `since`, optionally of one operation. */
export async function changesSince(server: TestServer, since: number, operation?: string): Promise<AuditEventRecord[]> {
  return (await eventsSince(server, since, operation)).filter((e) => e.action === "change");
}

/** A policy that lets its holders write policies and roles, and do anything to jobs under prod, nothing else. */
export const LIMITED_AUTHOR_POLICY = `kind: policy
name: limited-author
rules:
  - resource: policy
    capabilities: [list, read, create, update, delete]
  - resource: role
    capabilities: [list, read, create, update, delete]
  - resource: resource_type
    capabilities: [list, read, create]
  - resource: job
    namespace: "prod/**"
    capabilities: ["*"]
`;
export const LIMITED_AUTHOR_ROLE = "kind: role\nname: limited-author\npolicies: [limited-author]\n";

/** The change record an event carries. */
export function changeOf<T = UntypedData>(event: AuditEventRecord | undefined): T {
  expect(event, "a change event").to.not.equal(undefined);
  return (event!.metadata as { change: T }).change;
}
