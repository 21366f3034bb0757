import { expect } from "chai";
import { ConfigError, loadConfig } from "../../../src/config";

describe("observability configuration", () => {
  it("logs JSON and serves /metrics on the main port by default", () => {
    const config = loadConfig({});
    expect(config.logFormat).to.equal("json");
    expect(config.metricsPort).to.equal(null);
  });

  it("reads LOG_FORMAT and METRICS_PORT", () => {
    const config = loadConfig({ LOG_FORMAT: "pretty", METRICS_PORT: "9464" });
    expect(config.logFormat).to.equal("pretty");
    expect(config.metricsPort).to.equal(9464);
    expect(loadConfig({ METRICS_PORT: "0" }).metricsPort).to.equal(0);
  });

  for (const [env, variable] of [
    [{ LOG_FORMAT: "xml" }, "LOG_FORMAT"],
    [{ METRICS_PORT: "nine" }, "METRICS_PORT"],
    [{ METRICS_PORT: "70000" }, "METRICS_PORT"],
  ] as const) {
    it(`refuses ${JSON.stringify(env)} naming ${variable}`, () => {
      expect(() => loadConfig(env))
        .to.throw(ConfigError)
        .with.property("message")
        .that.match(new RegExp(`^${variable}: `));
    });
  }
});
