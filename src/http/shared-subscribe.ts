// graphql's `subscribe`, with each event's result computed once per distinct
// operation instead of once per subscriber. A hundred integrations watching
// `auditEvents(filter: { decision: DENY })` with the same selection would
// otherwise execute the same selection set a hundred times for every event.
//
// Contract: a subscription field's result for an event must not depend on who
// subscribed (who may see the event is decided before it is yielded, by the
// feed). The operation is identified by its text, variables and name, which
// the subscription server records for each document it parses.
import { createSourceEventStream, execute, type DocumentNode, type ExecutionArgs, type ExecutionResult } from "graphql";

type Results = Map<string, ExecutionResult | Promise<ExecutionResult>>;

export class SharedSubscribe {
  private readonly keys = new WeakMap<DocumentNode, string>();
  /** Keyed by the event object itself: every subscriber of one instance receives the same object. */
  private readonly results = new WeakMap<object, Results>();

  /** Records which operation a parsed document is. */
  identify(document: DocumentNode, query: string, variables: unknown, operationName: string | null | undefined): void {
    this.keys.set(document, JSON.stringify([query, variables ?? null, operationName ?? null]));
  }

  readonly subscribe = async (
    args: ExecutionArgs,
  ): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> => {
    const source = await createSourceEventStream(args);
    if (!isAsyncIterable(source)) return source;
    const key = this.keys.get(args.document);
    const run = (payload: unknown) => execute({ ...args, rootValue: payload });
    return mapEvents(source, (payload) => {
      if (key === undefined || typeof payload !== "object" || payload === null) return run(payload);
      let perEvent = this.results.get(payload);
      if (!perEvent) this.results.set(payload, (perEvent = new Map() as Results));
      let result = perEvent.get(key);
      if (result === undefined) perEvent.set(key, (result = run(payload)));
      return result;
    });
  };
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value;
}

/** Maps each value; `return` reaches the source, so a closed subscriber stops its feed at once. */
function mapEvents(
  source: AsyncIterable<unknown>,
  map: (payload: unknown) => ExecutionResult | Promise<ExecutionResult>,
): AsyncIterableIterator<ExecutionResult> {
  const iterator = source[Symbol.asyncIterator]();
  const finish = async (): Promise<IteratorResult<ExecutionResult>> => {
    await iterator.return?.();
    return { done: true, value: undefined };
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      const step = await iterator.next();
      return step.done ? { done: true, value: undefined } : { done: false, value: await map(step.value) };
    },
    return: finish,
    async throw(error?: unknown) {
      await finish();
      throw error;
    },
  };
}
