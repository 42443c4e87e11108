/** VPS page (being built). */
export function VpsPage(props: { readonly id?: string | undefined }) {
  return <section><h1>VPS {props.id}</h1></section>;
}
