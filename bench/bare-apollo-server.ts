// The floor for the HTTP benchmark: the same stack (express 5, @apollo/server,
// the express integration) answering `{ hello }` and nothing else.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer } from "@apollo/server";
import { expressMiddleware } from "@as-integrations/express5";
import express from "express";

async function main(): Promise<void> {
  const apollo = new ApolloServer({
    typeDefs: "type Query { hello: String! }",
    resolvers: { Query: { hello: () => "world" } },
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
