// Each `next` payload encoded to JSON once, however many sockets it goes to.
// SharedSubscribe hands every subscriber of one operation the same result
// object for an event; graphql-ws would still JSON.stringify it once per
// socket. Here the message replacer, called first with the whole message,
// builds a `next` message from its id and the payload already encoded (or
// encodes it, once per result object), sets it aside and answers a marker in
// place of the whole message (so JSON.stringify has nothing else to walk); the
// socket's send puts the message set aside back in place of the marker.
//
// Contract: graphql-ws stringifies a message and hands it to the socket's send
// in the same synchronous step, so the message set aside by the replacer is the
// one sent next. Only a message that is exactly the marker is replaced: nothing
// a client chooses (the id) can produce it, and the marker is random per server.
// A `next` message with any other field than id, type and payload is left to
// JSON.stringify whole.
import { randomUUID } from "node:crypto";
import type { WebSocket } from "ws";

export class SharedEncoding {
  private readonly encoded = new WeakMap<object, string>();
  private readonly marker = `\u0000message-${randomUUID()}`;
  /** The marker as JSON.stringify writes it. */
  private readonly quotedMarker = JSON.stringify(this.marker);
  /** The message JSON set aside for the message being sent. */
  private pending: string | null = null;

  /** For graphql-ws's jsonMessageReplacer: `this` is the object holding `key`. */
  readonly replacer = (_holder: unknown, key: string, value: unknown): unknown => {
    if (key !== "" || typeof value !== "object" || value === null) return value;
    const message = value as { id?: unknown; type?: unknown; payload?: unknown };
    const { id, payload } = message;
    if (
      message.type !== "next" ||
      typeof id !== "string" ||
      typeof payload !== "object" ||
      payload === null ||
      Array.isArray(payload) ||
      Object.keys(message).length !== 3
    )
      return value;
    let json = this.encoded.get(payload);
    if (json === undefined) this.encoded.set(payload, (json = JSON.stringify(payload)));
    this.pending = `{"id":${JSON.stringify(id)},"type":"next","payload":${json}}`;
    return this.marker;
  };

  /** Puts the set-aside message back into what `socket` sends. */
  wrap(socket: Pick<WebSocket, "send">): void {
    const send = socket.send.bind(socket) as (data: unknown, ...rest: unknown[]) => void;
    socket.send = ((data: unknown, ...rest: unknown[]) => {
      const message = this.pending;
      this.pending = null;
      send(message !== null && data === this.quotedMarker ? message : data, ...rest);
    }) as WebSocket["send"];
  }
}
