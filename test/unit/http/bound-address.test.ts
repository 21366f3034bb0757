import { createServer, type Server } from "node:http";
import { expect } from "chai";
import { boundAddress } from "../../../src/http/bound-address";

async function listening(host: string): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, resolve);
  });
  return server;
}

describe("boundAddress", () => {
  const servers: Server[] = [];
  after(async () => {
    for (const s of servers) await new Promise((resolve) => s.close(resolve));
  });

  it("reports the address and the port the system picked for PORT=0", async () => {
    const server = await listening("127.0.0.1");
    servers.push(server);
    const port = (server.address() as { port: number }).port;
    expect(port).to.be.greaterThan(0);
    expect(boundAddress(server)).to.deep.equal({
      address: `127.0.0.1:${port}`,
      port,
      graphql: `http://127.0.0.1:${port}/graphql`,
    });
  });

  it("reports a wildcard bind as such, with a /graphql URL through localhost", async () => {
    const server = await listening("0.0.0.0");
    servers.push(server);
    const { address, port, graphql } = boundAddress(server);
    expect(address).to.equal(`0.0.0.0:${port}`);
    expect(graphql).to.equal(`http://localhost:${port}/graphql`);
  });

  it("refuses a server that is not listening", () => {
    expect(() => boundAddress(createServer())).to.throw(/not listening/);
  });
});
