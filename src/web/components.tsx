/**
 * Small pieces every page uses: status badges, times shown relative with
 * the absolute time on hover, meters, and the uPlot chart wrapper.
 */
import { useEffect, useRef } from "preact/hooks";
import uPlot, { type AlignedData, type Options } from "uplot";
import type { TaskStatus } from "../../gen/hakuriver/v1/types_pb.js";
import { now } from "./clock.js";
import { absoluteTime, relativeTime, taskStatusName } from "./format.js";

/** A task's status in its colour. */
export function StatusBadge(props: { readonly status: TaskStatus }) {
  const name = taskStatusName(props.status);
  return <span class={`status status-${name}`}>{name}</span>;
}

/** A node's state: online/offline, and drained. */
export function NodeBadge(props: { readonly status: string; readonly drained: boolean }) {
  return (
    <span>
      <span class={`status node-${props.status}`}>{props.status}</span>
      {props.drained && <span class="status node-drained">drained</span>}
    </span>
  );
}

/** "12 s ago", with the absolute time as its title. */
export function When(props: { readonly at: number | undefined }) {
  if (props.at === undefined) return <span class="muted">—</span>;
  return (
    <time dateTime={new Date(props.at).toISOString()} title={absoluteTime(props.at)}>
      {relativeTime(props.at, now.value)}
    </time>
  );
}

/** A horizontal meter of used out of total. */
export function Meter(props: { readonly used: number; readonly total: number; readonly label: string }) {
  const fraction = props.total > 0 ? Math.min(1, props.used / props.total) : 0;
  return (
    <div class="meter" title={props.label}>
      <div class="meter-fill" style={{ width: `${(fraction * 100).toFixed(1)}%` }} />
      <span class="meter-label">{props.label}</span>
    </div>
  );
}

/** A uPlot line chart; series and data come from the caller and are redrawn in place when they change. */
export function Chart(props: { readonly title: string; readonly series: readonly string[]; readonly data: AlignedData; readonly yMax?: number }) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const seriesKey = props.series.join("\u0000");

  useEffect(() => {
    const element = host.current;
    if (!element) return undefined;
    const palette = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563"];
    const options: Options = {
      title: props.title,
      width: Math.max(280, element.clientWidth),
      height: 180,
      scales: { y: { range: [0, props.yMax ?? 100] } },
      series: [{}, ...props.series.map((label, index) => ({ label, stroke: palette[index % palette.length], width: 2 }))],
      axes: [{}, { values: (_u: uPlot, ticks: number[]) => ticks.map((tick) => `${tick}%`) }],
    };
    const chart = new uPlot(options, props.data, element);
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(280, element.clientWidth), height: 180 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = undefined;
    };
  }, [seriesKey, props.title]);

  useEffect(() => {
    plot.current?.setData(props.data);
  }, [props.data]);

  return <div class="chart" ref={host} />;
}

/** The Host's refusal of one form field, shown only under the field it is about. */
export function FieldError<F extends string>(props: { readonly field: F; readonly error: { readonly field: F; readonly text: string } | undefined }) {
  if (props.error?.field !== props.field) return null;
  return (
    <span class="field-error" role="alert" data-testid={`error-${props.field}`}>
      {props.error.text}
    </span>
  );
}

/** An action's error beside its button; nothing when `text` is empty. */
export function ErrorText(props: { readonly text: string }) {
  if (props.text === "") return null;
  return (
    <span class="field-error" role="alert">
      {props.text}
    </span>
  );
}
