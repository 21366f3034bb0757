import { expect } from "chai";
import WebSocket from "ws";
import { anEvent } from "../../support/audit-events";
import { databaseKinds } from "../../support/databases";
import { serverForSuite, type TestServer } from "../../support/server";
import { subscribe } from "../../support/subscriptions";

const MARK = "slow-subscriber";
const FEED = `subscription { auditEvents(filter: { operation: "${MARK}" }) { sequence metadata } }`;

/**
 * A graphql-transport-ws subscriber that stops reading its socket once its
 * subscription is live: the server's writes to it pile up unread.
 */
async function stalledSubscriber(server: TestServer): Promise<{ closed: Promise<number>; resume(): void }> {
  const socket = new WebSocket(server.url.replace(/^http/, "ws") + "/graphql", "graphql-transport-ws");
  const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.once("open", () => {
      socket.send(
        JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${server.adminToken}` } }),
      );
    });
    socket.on("message", (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { type: string };
      if (message.type === "connection_ack") {
        socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: FEED } }));
        // The start decision is audited before the feed listens: give it a moment to be live.
        setTimeout(resolve, 300);
      }
    });
  });
  const tcp = (socket as unknown as { _socket: { pause(): void; resume(): void } })._socket;
  tcp.pause();
  return { closed, resume: () => tcp.resume() };
}

for (const kind of databaseKinds()) {
  describe(`a subscriber that stops reading, on ${kind.name}`, function () {
    this.timeout(120_000);
    let server: TestServer;
    serverForSuite(kind, (s) => (server = s));

    it("is cut off with 4413 while the audit writer and a reading subscriber carry on with every event", async () => {
      const reader = subscribe(server, FEED, { token: server.adminToken });
      const stalled = await stalledSubscriber(server);
      // Rounds of 100 events of about 4 KB each, 16 MB in all: more than the socket buffers hold, so writes to
      // the stalled socket stop completing and its events wait in the server until it is cut off.
      const padding = "x".repeat(4_000);
      const rounds = 40;
      const total = rounds * 100;
      const written = [];
      for (let round = 0; round < rounds; round++) {
        written.push(
          ...(await Promise.all(
            Array.from({ length: 100 }, (_, j) =>
              server.app.services.audit.record(anEvent({ operation: MARK, metadata: { i: round * 100 + j, padding } })),
            ),
          )),
        );
      }
      expect(written).to.have.length(total);
      await reader.waitFor((e) => (e.auditEvents.metadata as { i: number } | null)?.i === total - 1, 60_000);
      expect(reader.events.filter((e) => e.auditEvents.metadata !== null)).to.have.length(total);
      stalled.resume();
      expect(await stalled.closed).to.equal(4413);
      await reader.dispose();
    });
  });
}
