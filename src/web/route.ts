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
}

const PAGES: readonly PageName[] = ["overview", "nodes", "tasks", "vps", "environments"];

/** Parses `#/tasks/123` → {page: "tasks", id: "123"}; anything unknown is the overview. */
export function parseRoute(hash: string): Route {
  const [page, id] = hash.replace(/^#\/?/, "").split("/");
  const name = PAGES.find((candidate) => candidate === page) ?? "overview";
  return id ? { page: name, id: decodeURIComponent(id) } : { page: name };
}

/** The current route. */
export const route = signal<Route>(parseRoute(location.hash));
addEventListener("hashchange", () => {
  route.value = parseRoute(location.hash);
});

/** The link of a page (and item). */
export function href(page: PageName, id?: string): string {
  return id === undefined ? `#/${page}` : `#/${page}/${encodeURIComponent(id)}`;
}
