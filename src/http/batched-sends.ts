// One socket write per subscriber per batch of events, not one per event.
//
// graphql-ws sends each `next` message and waits for the socket's write
// callback before it takes the subscriber's next event, so every event cost a
// write system call per socket and a turn of the event loop before the next
// one, however many events one commit (or one message from another instance)
// brought at once. Here a subscriber's socket is corked at its first send of a
// tick and uncorked once the tick's promise jobs are done (a process.nextTick
// queued from a promise job runs after all of them, whether the first send came
// from a promise job or from a callback), so everything sent to it in that tick
// leaves in one write;
// and graphql-ws is answered at once while the socket takes more without
// buffering beyond its high-water mark.
//
// Back-pressure is unchanged where it matters: once a socket's buffer reaches
// its high-water mark (a subscriber that does not read), the write callback
// comes only when the bytes have gone, graphql-ws waits for it, events pile up
// in the subscriber's feed, and the feed cuts it off (4413) past its limit.
// A write that fails after it was answered closes the socket, which ends the
// subscription all the same.
import type { Duplex } from "node:stream";
import type { WebSocket } from "ws";

type SendCallback = (err?: Error) => void;
type SendOptions = Record<string, unknown>;

export function batchSends(socket: Pick<WebSocket, "send">, transport: Duplex): void {
  const send = socket.send.bind(socket) as (data: unknown, options: SendOptions, cb?: SendCallback) => void;
  let corked = false;
  const uncork = () => {
    corked = false;
    transport.uncork();
  };
  socket.send = ((data: unknown, optionsOrCb?: SendOptions | SendCallback, maybeCb?: SendCallback) => {
    const cb = typeof optionsOrCb === "function" ? optionsOrCb : maybeCb;
    const options = typeof optionsOrCb === "function" ? {} : (optionsOrCb ?? {});
    if (!corked && !transport.destroyed) {
      corked = true;
      transport.cork();
      queueMicrotask(() => process.nextTick(uncork));
    }
    if (cb === undefined) return send(data, options);
    let answered = false;
    send(data, options, (err) => {
      if (answered) return;
      answered = true;
      cb(err);
    });
    if (!answered && !transport.writableNeedDrain) {
      answered = true;
      queueMicrotask(() => cb());
    }
  }) as WebSocket["send"];
}
