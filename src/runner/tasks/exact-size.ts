/**
 * A memory size in the words a user typed it: `--memory 64Mi` reads back
 * `64 MiB`, `--memory 32M` reads back `32 MB`, never a rounded neighbour.
 */
import { formatBytes } from "../../shared/units.js";

const EXACT_UNITS: readonly (readonly [number, string])[] = [
  [1024 ** 4, "TiB"],
  [1e12, "TB"],
  [1024 ** 3, "GiB"],
  [1e9, "GB"],
  [1024 ** 2, "MiB"],
  [1e6, "MB"],
  [1024, "KiB"],
  [1e3, "KB"],
];

/**
 * The largest unit (1024- or 1000-based) that divides `bytes` exactly, as
 * `N UNIT`; sizes no unit divides are rendered by `formatBytes` (rounded).
 */
export function exactSize(bytes: number): string {
  for (const [factor, unit] of EXACT_UNITS) if (bytes >= factor && bytes % factor === 0) return `${bytes / factor} ${unit}`;
  return bytes < 1024 ? `${bytes} B` : formatBytes(bytes);
}
