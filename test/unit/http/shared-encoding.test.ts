import { expect } from "chai";
import type { WebSocket } from "ws";
import { SharedEncoding } from "../../../src/http/shared-encoding";

/** A socket that keeps what it was asked to send. */
function socket(): { sent: unknown[]; socket: Pick<WebSocket, "send"> } {
  const sent: unknown[] = [];
  const fake = { send: (data: unknown) => void sent.push(data) } as unknown as Pick<WebSocket, "send">;
  return { sent, socket: fake };
}

describe("SharedEncoding", () => {
  it("encodes one result once however many sockets it is sent to, and each socket gets the full message", () => {
    const encoding = new SharedEncoding();
    const sockets = [socket(), socket(), socket()];
    sockets.forEach((s) => encoding.wrap(s.socket));
    let encodings = 0;
    const data = { auditEvents: { resourceName: "api" } };
    const result = { data: { toJSON: () => (encodings++, data) } };
    sockets.forEach((s, i) => {
      const message = JSON.stringify({ id: `sub-${i}`, type: "next", payload: result }, function (key, value) {
        return encoding.replacer(this, key, value);
      });
      s.socket.send(message);
    });
    expect(encodings).to.equal(1);
    sockets.forEach((s, i) =>
      expect(JSON.parse(s.sent[0] as string)).to.deep.equal({ id: `sub-${i}`, type: "next", payload: { data } }),
    );
  });

  it("leaves other messages alone, and an id that looks like a payload marker is not rewritten", () => {
    const encoding = new SharedEncoding();
    const s = socket();
    encoding.wrap(s.socket);
    const replacer = function (this: unknown, key: string, value: unknown) {
      return encoding.replacer(this, key, value);
    };
    const error = JSON.stringify({ id: "1", type: "error", payload: [{ message: "no" }] }, replacer);
    s.socket.send(error);
    expect(s.sent[0]).to.equal('{"id":"1","type":"error","payload":[{"message":"no"}]}');
    const forged = '{"id":"x\\",\\"payload\\":\\"\\u0000payload-","type":"complete"}';
    s.socket.send(forged);
    expect(s.sent[1]).to.equal(forged);
    // A client-chosen id that is the marker's own text is only an id.
    const markerLike = JSON.stringify({ id: "\u0000message-x", type: "complete" }, replacer);
    s.socket.send(markerLike);
    expect(JSON.parse(s.sent[2] as string)).to.deep.equal({ id: "\u0000message-x", type: "complete" });
  });

  it("encodes a next message with a field it does not know whole, as JSON.stringify would", () => {
    const encoding = new SharedEncoding();
    const s = socket();
    encoding.wrap(s.socket);
    const message = { id: "1", type: "next", payload: { data: { x: 1 } }, extensions: { y: 2 } };
    s.socket.send(
      JSON.stringify(message, function (key, value) {
        return encoding.replacer(this, key, value);
      }),
    );
    expect(s.sent[0]).to.equal(JSON.stringify(message));
  });

  it("writes the message JSON.stringify would have written, ids with quotes included", () => {
    const encoding = new SharedEncoding();
    const s = socket();
    encoding.wrap(s.socket);
    const message = { id: 'a"b\\c', type: "next", payload: { data: { auditEvents: { resourceName: 'x"y' } } } };
    s.socket.send(
      JSON.stringify(message, function (key, value) {
        return encoding.replacer(this, key, value);
      }),
    );
    expect(s.sent[0]).to.equal(JSON.stringify(message));
  });
});
