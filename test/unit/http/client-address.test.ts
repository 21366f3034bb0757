// The client address comes through the engine's address parser, and trusted
// proxies are matched with the engine's networks: one notation everywhere.
import type { IncomingMessage } from "node:http";
import { expect } from "chai";
import { loadConfig } from "../../../src/config";
import { clientAddressResolver } from "../../../src/http/client-address";

const request = (peer: string, forwarded?: string) =>
  ({
    socket: { remoteAddress: peer },
    headers: forwarded === undefined ? {} : { "x-forwarded-for": forwarded },
  }) as unknown as IncomingMessage;

describe("client address", () => {
  it("takes the right-most untrusted X-Forwarded-For hop behind a proxy configured in TRUSTED_PROXIES", () => {
    const { trustedProxies } = loadConfig({ TRUSTED_PROXIES: "10.0.0.0/8, ::1" });
    const resolve = clientAddressResolver(trustedProxies);
    expect(resolve(request("10.1.2.3", "198.51.100.9, 10.0.0.5"))).to.equal("198.51.100.9");
    expect(resolve(request("::ffff:10.1.2.3", "203.0.113.4"))).to.equal("203.0.113.4");
    expect(resolve(request("::1", "2001:db8:0:0::7"))).to.equal("2001:db8::7");
  });

  it("ignores X-Forwarded-For from a peer outside the trusted networks", () => {
    const resolve = clientAddressResolver(["10.0.0.0/8"]);
    expect(resolve(request("192.0.2.1", "198.51.100.9"))).to.equal("192.0.2.1");
  });

  it("gives IPv4-mapped IPv6 peers as IPv4, and refuses what the engine would not parse", () => {
    const resolve = clientAddressResolver([]);
    expect(resolve(request("::ffff:192.0.2.1"))).to.equal("192.0.2.1");
    expect(resolve(request("010.0.0.1"))).to.equal(null);
  });
});
