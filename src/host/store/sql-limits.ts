/**
 * Limits of the SQLite build we run on, and how to stay inside them.
 */

/**
 * Most `?` parameters one statement may bind. better-sqlite3 12 compiles
 * SQLite with SQLITE_MAX_VARIABLE_NUMBER 32766 (SQLite's own default since
 * 3.32); a statement past it fails with "too many SQL variables".
 */
export const SQLITE_MAX_VARIABLES = 32_766;

/**
 * Splits rows into chunks small enough for one multi-row INSERT each:
 * every row binds one variable per column, so a chunk holds at most
 * `floor(SQLITE_MAX_VARIABLES / columns)` rows. The column count comes from
 * the rows themselves, so adding a column can never push a chunk past the limit.
 * @throws Error when the rows do not all have the same number of columns
 *   (a multi-row INSERT would bind more variables than counted).
 */
export function chunkRows<T extends object>(rows: readonly T[], maxVariables = SQLITE_MAX_VARIABLES): T[][] {
  if (rows.length === 0) return [];
  const columns = Object.keys(rows[0]!).length;
  if (columns === 0) throw new Error("cannot insert rows with no columns");
  if (columns > maxVariables) throw new Error(`a row of ${columns} columns binds more than ${maxVariables} variables`);
  const rowsPerChunk = Math.floor(maxVariables / columns);
  const chunks: T[][] = [];
  for (let start = 0; start < rows.length; start += rowsPerChunk) {
    const chunk = rows.slice(start, start + rowsPerChunk);
    if (chunk.some((row) => Object.keys(row).length !== columns)) throw new Error(`rows to insert must all have ${columns} columns`);
    chunks.push(chunk);
  }
  return chunks;
}

/** Splits keys into chunks of at most `maxVariables`, one `IN (...)` list each. */
export function chunkKeys<K>(keys: readonly K[], maxVariables = SQLITE_MAX_VARIABLES): K[][] {
  const chunks: K[][] = [];
  for (let start = 0; start < keys.length; start += maxVariables) chunks.push(keys.slice(start, start + maxVariables));
  return chunks;
}
