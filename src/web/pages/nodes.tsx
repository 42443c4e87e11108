/** Nodes page (being built). */
export function NodesPage() {
  return <section><h1>Nodes</h1></section>;
}
