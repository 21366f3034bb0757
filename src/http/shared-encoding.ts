// Each `next` payload encoded to JSON once, however many sockets it goes to.
// SharedSubscribe hands every subscriber of one operation the same result
// object for an event; graphql-ws would still JSON.stringify it once per
// socket. Here the message replacer swaps a payload already encoded (or
// encodes it, once per result object) for a marker, and the socket's send
// puts the encoded bytes back in place of the marker.
//
// Contract: graphql-ws stringifies a message and hands it to the socket's send
// in the same synchronous step, so the payload set aside by the replacer is the
// one of the next message sent. Only a message that ends with the marker as
// its payload is rewritten: the id before it (chosen by the client) cannot
// forge one, and the marker is random per server.
import { randomUUID } from "node:crypto";
import type { WebSocket } from "ws";

export class SharedEncoding {
  private readonly encoded = new WeakMap<object, string>();
  private readonly marker = `\u0000payload-${randomUUID()}`;
  private readonly tail = `,"payload":${JSON.stringify(this.marker)}}`;
  /** The payload JSON set aside for the message being sent. */
  private pending: string | null = null;

  /** For graphql-ws's jsonMessageReplacer: `this` is the object holding `key`. */
  readonly replacer = (holder: unknown, key: string, value: unknown): unknown => {
    if (key !== "payload" || typeof value !== "object" || value === null || Array.isArray(value)) return value;
    if ((holder as { type?: unknown }).type !== "next") return value;
    let json = this.encoded.get(value);
    if (json === undefined) this.encoded.set(value, (json = JSON.stringify(value)));
    this.pending = json;
    return this.marker;
  };

  /** Puts the set-aside payload back into what `socket` sends. */
  wrap(socket: Pick<WebSocket, "send">): void {
    const send = socket.send.bind(socket) as (data: unknown, ...rest: unknown[]) => void;
    socket.send = ((data: unknown, ...rest: unknown[]) => {
      const payload = this.pending;
      this.pending = null;
      if (payload !== null && typeof data === "string" && data.endsWith(this.tail))
        data = `${data.slice(0, data.length - this.tail.length)},"payload":${payload}}`;
      send(data, ...rest);
    }) as WebSocket["send"];
  }
}
