/**
 * One process spawn per turn of the event loop. `spawn` is synchronous
 * (fork and exec on the event loop's own thread: a millisecond or more
 * each, far more on a loaded machine), so a burst of RunTask commands, say
 * a few thousand zero-core tasks placed at once, spawned in one turn would
 * hold the loop for seconds: HTTP/2 pings unanswered, heartbeats late, and
 * the Host drops the stream (measured: a 4.5 s block, the node offline and
 * its tasks lost). Waiting for a turn of its own before each spawn lets the
 * control stream's I/O run between them.
 */

let lastTurn: Promise<void> = Promise.resolve();

/** Resolves on a later turn of the event loop than every earlier caller's, one caller per turn. */
export function spawnTurn(): Promise<void> {
  const turn = lastTurn.then(() => new Promise<void>((resolve) => setImmediate(resolve)));
  lastTurn = turn;
  return turn;
}
