/**
 * Exponential backoff with full jitter (the AWS architecture blog's "Full
 * Jitter"): the n-th consecutive failure waits a random time in
 * [base·2^(n-1)/2, base·2^(n-1)], capped. Half the span is kept as a floor so
 * a run of unlucky draws cannot turn into a hot retry loop; the randomness
 * keeps a shop's terminals from retrying in step after an outage.
 */
export class Backoff {
  private failures = 0;

  constructor(
    private readonly baseMs: number,
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** consecutive failures so far */
  get count(): number {
    return this.failures;
  }

  /** one more failure: how long to wait before the next attempt, ms */
  fail(): number {
    this.failures++;
    const ceiling = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(this.failures - 1, 30));
    return Math.round(ceiling / 2 + this.random() * (ceiling / 2));
  }

  reset(): void {
    this.failures = 0;
  }
}
