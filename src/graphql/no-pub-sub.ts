// type-graphql insists on a PubSub as soon as a subscription exists, even when
// every subscription brings its own `subscribe` (ours do: src/domain/audit/audit-feed.ts).
// Topic-based subscriptions are not used here; this one refuses them loudly.
import type { PubSub } from "type-graphql";

export const NO_PUB_SUB: PubSub = {
  publish() {
    throw new Error("topic subscriptions are not used: give the subscription a `subscribe` function");
  },
  subscribe() {
    throw new Error("topic subscriptions are not used: give the subscription a `subscribe` function");
  },
};
