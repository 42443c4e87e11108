/**
 * A metric whose samples are computed at scrape time from figures someone
 * else counted (a runner's heartbeat), for the cases prom-client's own
 * classes cannot express: a counter set to a reported total, or a histogram
 * whose buckets arrive already counted. It implements the part of
 * prom-client's metric interface that the registry reads (`name`, `help`,
 * `type`, `get()`), so it renders in the same exposition as every other
 * series.
 */
import type { Metric } from "prom-client";

/** One sample: `suffix` is appended to the family name (`_bucket`, `_sum`, `_count` of a histogram). */
export interface Sample {
  readonly labels: Readonly<Record<string, string | number>>;
  readonly value: number;
  readonly suffix?: string;
}

/** A family's type, as the text format names it. */
export type SampledType = "counter" | "gauge" | "histogram";

/** Definition of a {@link SampledMetric}. */
export interface SampledMetricOptions {
  readonly name: string;
  readonly help: string;
  readonly type: SampledType;
  /** The samples now; called once per scrape. */
  readonly samples: () => readonly Sample[];
}

/** A metric computed per scrape; see the file comment. */
export class SampledMetric {
  readonly name: string;
  readonly help: string;
  readonly type: SampledType;
  /** How prom-client's cluster mode would merge workers (unused by a single process; named for completeness). */
  readonly aggregator = "sum";

  constructor(private readonly options: SampledMetricOptions) {
    this.name = options.name;
    this.help = options.help;
    this.type = options.type;
  }

  /** The family as prom-client's registry renders it. */
  async get(): Promise<{ name: string; help: string; type: SampledType; aggregator: string; values: { labels: Record<string, string | number>; value: number; metricName: string }[] }> {
    const values = this.options.samples().map((sample) => ({ labels: { ...sample.labels }, value: sample.value, metricName: this.name + (sample.suffix ?? "") }));
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** This metric as the registry's `registerMetric` types it (it reads only what this class has). */
  asMetric(): Metric {
    return this as unknown as Metric;
  }
}
