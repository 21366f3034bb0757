// The subscribers of `bench:fanout`, in a process of their own (forked by
// fanout.bench.ts, one per server instance) so that their CPU is counted apart
// from the load generator's and the servers'. Each subscriber speaks the
// graphql-transport-ws protocol over a plain `ws` socket: connection_init with
// the bearer, one `subscribe`, then every `next` is parsed once and its
// latency (receipt minus the event's `time`) kept when its resource name is
// the current phase's. A `ping` is answered; anything that ends a subscription
// (`error`, `complete`, a closed socket) counts as closed early.
//
// Parent → child: { phase } starts counting a phase afresh; "take" asks for the
// latencies since the last take; "stop" closes every socket.
// Child → parent: { ready: true } once every subscriber has seen an event;
// { latencies, received, closed } for "take"; { stopped: true } for "stop".
import WebSocket from "ws";

export interface SubscriberOptions {
  url: string;
  token: string;
  email: string;
  count: number;
}

export interface Taken {
  latencies: number[];
  received: number;
  closed: number;
}

interface NextMessage {
  type?: string;
  id?: string;
  payload?: { data?: { auditEvents?: { time?: string; resourceName?: string } } };
}

function run(options: SubscriberOptions, send: (message: unknown) => void): void {
  const query = `subscription { auditEvents(filter: { decision: DENY, actorEmail: ${JSON.stringify(options.email)} }) { time resourceName } }`;
  let latencies: number[] = [];
  let received = 0;
  let closed = 0;
  let ready = 0;
  let phase: string | null = null;
  // Every subscriber receives the same event: its time is parsed once.
  let lastTime = "";
  let lastTimeMs = 0;
  const sockets: WebSocket[] = [];

  for (let i = 0; i < options.count; i++) {
    const socket = new WebSocket(options.url.replace(/^http/, "ws") + "/graphql", "graphql-transport-ws", {
      perMessageDeflate: false,
      skipUTF8Validation: true,
    });
    sockets.push(socket);
    let first = true;
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      closed++;
    };
    socket.on("open", () =>
      socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${options.token}` } })),
    );
    socket.on("message", (data: Buffer) => {
      const now = Date.now();
      const message = JSON.parse(data.toString()) as NextMessage;
      if (message.type === "next") {
        if (first) {
          first = false;
          if (++ready === options.count) send({ ready: true });
        }
        const event = message.payload?.data?.auditEvents;
        if (event?.time === undefined || event.resourceName !== phase) return;
        if (event.time !== lastTime) {
          lastTime = event.time;
          lastTimeMs = Date.parse(lastTime);
        }
        received++;
        latencies.push(now - lastTimeMs);
      } else if (message.type === "connection_ack") {
        socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query } }));
      } else if (message.type === "ping") {
        socket.send(JSON.stringify({ type: "pong" }));
      } else if (message.type === "error" || message.type === "complete") {
        end();
      }
    });
    socket.on("close", end);
    socket.on("error", () => undefined);
  }

  const stop = async () => {
    const gone = sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          if (socket.readyState === WebSocket.CLOSED) return resolve();
          socket.once("close", () => resolve());
          socket.close(1000);
        }),
    );
    await Promise.all(gone);
    send({ stopped: true });
  };

  process.on("message", (message: unknown) => {
    if (typeof message === "object" && message !== null && "phase" in message) {
      phase = (message as { phase: string }).phase;
      latencies = [];
      received = 0;
    } else if (message === "take") {
      const taken: Taken = { latencies, received, closed };
      send(taken);
      latencies = [];
      received = 0;
    } else if (message === "stop") void stop();
  });
}

if (require.main === module && process.send) {
  const options = JSON.parse(process.argv[2]) as SubscriberOptions;
  const send = (message: unknown) => process.send?.(message);
  run(options, send);
}
