import { expect } from "chai";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer } from "ws";
import { batchSends } from "../../../src/http/batched-sends";

interface Pair {
  server: WebSocket;
  transport: Duplex;
  client: WebSocket;
  /** Messages the client received, in order. */
  received: string[];
  /** What reached the transport's own write functions: one entry per write, with its number of chunks. */
  writes: number[];
  close(): Promise<void>;
}

/** A ws server socket (wrapped) and its client over loopback, with the server transport's writes counted. */
async function pair(): Promise<Pair> {
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
  const accepted = new Promise<{ server: WebSocket; transport: Duplex }>((resolve) =>
    wss.once("connection", (server, request) => resolve({ server, transport: request.socket })),
  );
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  const received: string[] = [];
  client.on("message", (data: Buffer) => received.push(data.toString()));
  await new Promise<void>((resolve) => client.once("open", () => resolve()));
  const { server, transport } = await accepted;
  const writes: number[] = [];
  const internal = transport as unknown as {
    _write: (chunk: unknown, encoding: string, cb: () => void) => void;
    _writev: (chunks: unknown[], cb: () => void) => void;
  };
  const write = internal._write.bind(transport);
  const writev = internal._writev.bind(transport);
  internal._write = (chunk, encoding, cb) => (writes.push(1), write(chunk, encoding, cb));
  internal._writev = (chunks, cb) => (writes.push(chunks.length), writev(chunks, cb));
  batchSends(server, transport);
  return {
    server,
    transport,
    client,
    received,
    writes,
    close: async () => {
      client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).to.equal(true);
}

describe("batchSends", () => {
  it("puts every message sent to a socket in one tick into one write, in order", async () => {
    const p = await pair();
    try {
      for (let i = 0; i < 5; i++) p.server.send(`event ${i}`);
      await until(() => p.received.length === 5);
      expect(p.received).to.deep.equal(["event 0", "event 1", "event 2", "event 3", "event 4"]);
      // Five frames of a header and a payload each, in one write.
      expect(p.writes).to.deep.equal([10]);
    } finally {
      await p.close();
    }
  });

  it("answers a send at once while the socket takes more, so the next message joins the same write", async () => {
    const p = await pair();
    try {
      const order: string[] = [];
      // As graphql-ws sends: the next message only once the previous one is answered.
      const sendAndWait = (text: string) =>
        new Promise<void>((resolve, reject) =>
          p.server.send(text, (err) => {
            order.push(`answered ${text}`);
            if (err) reject(err);
            else resolve();
          }),
        );
      const sent = (async () => {
        for (let i = 0; i < 3; i++) await sendAndWait(`event ${i}`);
      })();
      await sent;
      order.push(`writes so far: ${p.writes.length}`);
      await until(() => p.received.length === 3);
      expect(order).to.deep.equal(["answered event 0", "answered event 1", "answered event 2", "writes so far: 0"]);
      expect(p.writes).to.deep.equal([6]);
    } finally {
      await p.close();
    }
  });

  it("answers only once the bytes are written when the socket's buffer is past its high-water mark", async () => {
    const p = await pair();
    try {
      const big = "x".repeat(p.transport.writableHighWaterMark * 2);
      let answered = false;
      const done = new Promise<void>((resolve) =>
        p.server.send(big, () => {
          answered = true;
          resolve();
        }),
      );
      // Promise jobs of this tick run, the uncork has not: no answer yet.
      await Promise.resolve();
      await Promise.resolve();
      expect(answered).to.equal(false);
      await done;
      expect(p.writes.length).to.equal(1);
      await until(() => p.received.length === 1);
      expect(p.received[0]).to.have.length(big.length);
    } finally {
      await p.close();
    }
  });

  it("leaves sends without a callback and with options as ws takes them", async () => {
    const p = await pair();
    try {
      p.server.send(Buffer.from("binary"), { binary: false });
      p.server.send("text");
      await until(() => p.received.length === 2);
      expect(p.received).to.deep.equal(["binary", "text"]);
    } finally {
      await p.close();
    }
  });
});
