/**
 * A Preact hook over TanStack's virtual-core: which rows of a long list are
 * in (or near) view of a scrolling element, so a table of 10,000 tasks
 * renders a few dozen rows at a time.
 */
import { elementScroll, observeElementOffset, observeElementRect, Virtualizer, type VirtualItem } from "@tanstack/virtual-core";
import { useEffect, useLayoutEffect, useReducer, useState } from "preact/hooks";

/** The rows to render and the height of the whole list. */
export interface VisibleRows {
  readonly items: readonly VirtualItem[];
  readonly totalHeight: number;
}

/** Rows of `rowHeight` px inside the element `scroller` points at; re-renders on scroll and resize. */
export function useVirtualRows(count: number, rowHeight: number, scroller: { readonly current: HTMLElement | null }): VisibleRows {
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const [virtualizer] = useState(
    () =>
      new Virtualizer<HTMLElement, HTMLElement>({
        count,
        getScrollElement: () => scroller.current,
        estimateSize: () => rowHeight,
        overscan: 10,
        scrollToFn: elementScroll,
        observeElementRect,
        observeElementOffset,
        onChange: () => rerender(0),
      }),
  );
  virtualizer.setOptions({ ...virtualizer.options, count });
  useEffect(() => virtualizer._didMount(), []);
  useLayoutEffect(() => {
    virtualizer._willUpdate();
  });
  return { items: virtualizer.getVirtualItems(), totalHeight: virtualizer.getTotalSize() };
}
