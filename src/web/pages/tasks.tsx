/** Tasks page (being built). */
export function TasksPage(props: { readonly id?: string | undefined }) {
  return <section><h1>Tasks {props.id}</h1></section>;
}
