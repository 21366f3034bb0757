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
  });
});
