// What the start-up line reports: the address the server is actually bound to
// (HOST and PORT as the operating system settled them, PORT=0 included), and a
// URL for /graphql that works from this machine.
import type { Server } from "node:http";

export interface BoundAddress {
  /** `127.0.0.1:4000`, `[::1]:4000`, `0.0.0.0:4000`. */
  address: string;
  port: number;
  /** The /graphql URL; a wildcard address (every interface) is reached through `localhost`. */
  graphql: string;
}

const WILDCARDS = new Set(["0.0.0.0", "::", "::ffff:0.0.0.0"]);

/** The address of a listening server; throws when it is not listening on TCP. */
export function boundAddress(server: Server): BoundAddress {
  const info = server.address();
  if (info === null || typeof info === "string") throw new Error("the server is not listening on a TCP port");
  const { address, port, family } = info;
  const host = family === "IPv6" || address.includes(":") ? `[${address}]` : address;
  const reachable = WILDCARDS.has(address) ? "localhost" : host;
  return { address: `${host}:${port}`, port, graphql: `http://${reachable}:${port}/graphql` };
}
