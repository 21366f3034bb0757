// The floor for the HTTP benchmark: the same stack (express 5, @apollo/server,
// the express integration) answering `{ hello }` and a list of 10 objects.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer } from "@apollo/server";
import { expressMiddleware } from "@as-integrations/express5";
import express from "express";

const typeDefs = `
  type Item { id: ID! name: String! kind: String! tags: [String!]! }
  type Query { hello: String! items: [Item!]! }
`;

const ITEMS = Array.from({ length: 10 }, (_, i) => ({
  id: `item-${i}`,
  name: `name-${i}`,
  kind: i % 2 === 0 ? "even" : "odd",
  tags: ["a", "b"],
}));

async function main(): Promise<void> {
  const apollo = new ApolloServer({
    typeDefs,
    resolvers: { Query: { hello: () => "world", items: () => ITEMS } },
    stopOnTerminationSignals: true,
  });
  await apollo.start();
  const app = express();
  app.use("/graphql", express.json({ limit: "1mb" }), expressMiddleware(apollo));
  const server = createServer(app);
  server.listen(0, "127.0.0.1", () => {
    process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
  });
}

void main();
