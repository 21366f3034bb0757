// The compiled policy state of this instance, and the version of the stored
// state it reflects. Writes update it incrementally after they commit, so a
// write and the next request see the same state.
import { Engine } from "../../engine";
import { loadPolicyState } from "../policy-state";
import type { Repositories } from "../ports/storage.port";
import { noMetrics, secondsSince, type EngineMetrics } from "../../observability/metric-ports";

type Source = Pick<
  Repositories,
  "resourceTypes" | "policies" | "roles" | "grants" | "users" | "tokens" | "policyState"
>;

export class PolicyRuntime {
  private constructor(
    private current: Engine,
    private loadedVersion: number,
    private readonly now?: () => Date,
    private readonly metrics: EngineMetrics = noMetrics,
  ) {}

  static async load(repos: Source, now?: () => Date, metrics: EngineMetrics = noMetrics): Promise<PolicyRuntime> {
    const version = await repos.policyState.version();
    const state = await loadPolicyState(repos);
    const started = process.hrtime.bigint();
    const engine = Engine.compile(state, now ? { now } : {});
    metrics.compiled(secondsSince(started));
    return new PolicyRuntime(engine, version, now, metrics);
  }

  engine(): Engine {
    return this.current;
  }

  /** The stored policy-state version this engine reflects. */
  version(): number {
    return this.loadedVersion;
  }

  /** Recompiles from storage (another instance wrote, or an incremental update failed). */
  async reload(repos: Source): Promise<void> {
    const version = await repos.policyState.version();
    const state = await loadPolicyState(repos);
    const started = process.hrtime.bigint();
    this.current = Engine.compile(state, this.now ? { now: this.now } : {});
    this.metrics.compiled(secondsSince(started));
    this.loadedVersion = version;
  }

  /** Records that the state now reflects `version` (after an incremental update). */
  advanceTo(version: number): void {
    this.loadedVersion = version;
  }
}
