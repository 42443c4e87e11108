/**
 * Types of parse-prometheus-text-format 1.1 (it ships none): its default
 * export parses a text exposition into metric families (prom2json's shape).
 */
declare module "parse-prometheus-text-format" {
  /** Parses the text; throws on a line that is not the text format. */
  export default function parsePrometheusTextFormat(text: string): unknown[];
}
