// Outgoing topic aliases (MQTT 5 §3.3.2.3.4): a topic the player publishes again and again (status,
// view) goes out once by name with an alias, then as the alias alone. Only stable topics earn one: a
// topic gets its alias on its second publish, so one-shot topics never take a slot; those the caller
// knows to be one-shot (request/{uuid}, PublishOptions.oneShot) are not even remembered as seen.
// Memory: a table of at most MAXIMUM_OUTGOING_ALIASES topics per connection and a ring of SEEN_TOPICS
// topics seen once (about 1 KB of topic strings); nothing grows with the number of topics published.

export const MAXIMUM_OUTGOING_ALIASES = 8;
const SEEN_TOPICS = 16;

export class OutgoingAliases {
  /** Alias n is topics[n - 1] on this connection. */
  readonly #topics: string[] = [];
  /** Topics published once without an alias, oldest overwritten first. */
  readonly #seen: (string | undefined)[] = new Array<string | undefined>(SEEN_TOPICS).fill(undefined);
  #seenNext = 0;
  #limit = 0;

  /** A new connection: the broker knows no alias; it accepts `brokerMaximum` of them. */
  reset(brokerMaximum: number): void {
    this.#topics.length = 0;
    this.#limit = brokerMaximum < MAXIMUM_OUTGOING_ALIASES ? brokerMaximum : MAXIMUM_OUTGOING_ALIASES;
  }

  /** The alias the broker already knows for `topic`, or 0. */
  known(topic: string): number {
    return this.#topics.indexOf(topic) + 1;
  }

  /**
   * A new alias for `topic` to send with its name, or 0: none when the topic is published for the first
   * time (it is remembered instead) or the table is full.
   */
  assign(topic: string): number {
    const seen = this.#seen.indexOf(topic);
    if (seen < 0) {
      this.#seen[this.#seenNext] = topic;
      this.#seenNext = (this.#seenNext + 1) % SEEN_TOPICS;
      return 0;
    }
    if (this.#topics.length >= this.#limit) return 0;
    this.#topics.push(topic);
    return this.#topics.length;
  }

  /** The packet that would have taught the broker `alias` was not sent: the alias is free again. */
  forget(alias: number): void {
    if (alias === this.#topics.length) this.#topics.length = alias - 1;
  }
}
