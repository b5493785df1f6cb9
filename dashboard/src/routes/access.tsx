/** Service tokens and members. */
export function AccessPage() {
  return <p className="text-sm text-zinc-500">Service tokens and members: coming soon.</p>;
}
