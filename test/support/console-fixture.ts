// The people of the console's browser tests, made through the public API as
// an administrator would: Alice may ask for deployer, Bob reviews such
// requests (and may approve them: his role inherits deployer), and a
// console-demo policy to edit.
import { gql, type TestServer } from "./server";

export interface Person {
  id: string;
  email: string;
  token: string;
}

export interface ConsoleFixture {
  alice: Person;
  bob: Person;
}

const DOCUMENTS = [
  `kind: policy
name: console-demo
description: A policy the console tests edit
rules:
  - resource: job
    namespace: "demo/**"
    level: READ`,
  `kind: policy
name: console-review
description: Review access requests, seeing the requester's grants
rules:
  - resource: access_request
    capabilities: [list, read, review]
  - resource: grant
    capabilities: [list]`,
  `kind: role
name: console-requester
description: Looks around and may ask for deployer
policies: [console-demo]
inherits: [viewer]
request: { roles: [deployer] }`,
  `kind: role
name: console-reviewer
description: Reviews requests for deployer
policies: [console-review]
inherits: [deployer]
reviewRequests: { roles: [deployer] }`,
];

export async function call<T = Record<string, unknown>>(
  server: TestServer,
  query: string,
  variables: Record<string, unknown> = {},
  token = server.adminToken,
): Promise<T> {
  const res = await gql<T>(server.url, query, { token, variables });
  if (res.errors || !res.data) throw new Error(`${query.slice(0, 60)}: ${JSON.stringify(res.errors)}`);
  return res.data;
}

export async function person(server: TestServer, email: string, roles: string[]): Promise<Person> {
  const { createUser } = await call<{ createUser: { id: string } }>(
    server,
    "mutation($input: CreateUserInput!) { createUser(input: $input) { id } }",
    { input: { email, roles, displayName: email.split("@")[0] } },
  );
  const { createToken } = await call<{ createToken: { secret: string } }>(
    server,
    "mutation($input: CreateTokenInput!) { createToken(input: $input) { secret } }",
    { input: { userId: createUser.id, name: "console-tests" } },
  );
  return { id: createUser.id, email, token: createToken.secret };
}

export async function consoleFixture(server: TestServer): Promise<ConsoleFixture> {
  for (const document of DOCUMENTS) {
    const mutation = document.startsWith("kind: policy") ? "createPolicy" : "createRole";
    await call(server, `mutation($d: String!) { ${mutation}(document: $d) { name } }`, { d: document });
  }
  return {
    alice: await person(server, "alice@example.com", ["console-requester"]),
    bob: await person(server, "bob@example.com", ["console-reviewer"]),
  };
}
