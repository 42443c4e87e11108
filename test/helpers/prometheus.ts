/**
 * Reads a Prometheus text exposition with a real parser
 * (parse-prometheus-text-format) and finds series in it. The parser keeps
 * labels for counters and gauges; histograms are read per label set with
 * {@link histogramOf}.
 */
import parsePrometheusTextFormat from "parse-prometheus-text-format";

/** One metric family as the parser gives it. */
export interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly metrics: readonly {
    readonly value?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly buckets?: Readonly<Record<string, string>>;
    readonly count?: string;
    readonly sum?: string;
  }[];
}

/** Parses the text (throws on a line that is not the text format). */
export function parseExposition(text: string): Map<string, Family> {
  const families = parsePrometheusTextFormat(text) as Family[];
  return new Map(families.map((family) => [family.name, family]));
}

/** The value of the family's sample whose labels include `labels`; undefined when none matches. */
export function sampleValue(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined {
  const family = families.get(name);
  const sample = family?.metrics.find((m) => Object.entries(labels).every(([key, value]) => m.labels?.[key] === value));
  return sample?.value === undefined ? undefined : Number(sample.value);
}

/**
 * A histogram's count, sum and buckets for the label set that includes
 * `labels`. The parser flattens a histogram family into one sample and
 * drops its count and sum when they carry labels besides `le`, so the
 * family's lines for this label set are picked from the text with those
 * labels taken off, and that text is what the parser reads.
 */
export function histogramOf(text: string, name: string, labels: Record<string, string> = {}): { count: number; sum: number; buckets: Record<string, number> } | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  const lines = text.split("\n").filter((line) => {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? /.exec(line);
    if (!match || ![`${name}_bucket`, `${name}_sum`, `${name}_count`].includes(match[1]!)) return false;
    return wanted.every((pair) => (match[2] ?? "").includes(pair));
  });
  if (lines.length === 0) return undefined;
  const stripped = lines.map((line) => wanted.reduce((out, pair) => out.replace(new RegExp(`${pair.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")},?`), ""), line).replace(/\{,?\}|,\}/g, (m) => (m === ",}" ? "}" : "")));
  const family = parseExposition([`# HELP ${name} picked`, `# TYPE ${name} histogram`, ...stripped, ""].join("\n")).get(name);
  const sample = family?.metrics[0];
  if (!sample?.buckets) return undefined;
  return {
    count: Number(sample.count),
    sum: Number(sample.sum),
    buckets: Object.fromEntries(Object.entries(sample.buckets).map(([le, value]) => [le, Number(value)])),
  };
}
