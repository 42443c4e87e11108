/**
 * Where the user is: the page and item from the location hash
 * (`#/tasks/123`), so every view has an address to share and reload.
 */
import { signal } from "@preact/signals";

/** The dashboard's pages. */
export type PageName = "overview" | "nodes" | "tasks" | "vps" | "environments";

/** A page and, for detail views, the item's id. */
export interface Route {
  readonly page: PageName;
  readonly id?: string;
  /** The hash's query (`#/tasks?status=running`). */
  readonly params: Readonly<Record<string, string>>;
}

const PAGES: readonly PageName[] = ["overview", "nodes", "tasks", "vps", "environments"];

/** Parses `#/tasks/123` → {page: "tasks", id: "123"}, `#/tasks?node=a` → its params; anything unknown is the overview. */
export function parseRoute(hash: string): Route {
  const [path = "", query = ""] = hash.replace(/^#\/?/, "").split("?", 2);
  const [page, id] = path.split("/");
  const name = PAGES.find((candidate) => candidate === page) ?? "overview";
  const params = Object.fromEntries(new URLSearchParams(query));
  return id ? { page: name, id: decodeURIComponent(id), params } : { page: name, params };
}

/** The current route. */
export const route = signal<Route>(parseRoute(location.hash));
addEventListener("hashchange", () => {
  route.value = parseRoute(location.hash);
});

/** The link of a page (and item, and query). */
export function href(page: PageName, id?: string, params: Readonly<Record<string, string>> = {}): string {
  const query = new URLSearchParams(params).toString();
  return `#/${page}${id === undefined ? "" : `/${encodeURIComponent(id)}`}${query === "" ? "" : `?${query}`}`;
}
