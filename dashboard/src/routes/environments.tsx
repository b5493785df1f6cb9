/** Environments. */
export function EnvironmentsPage() {
  return <p className="text-sm text-zinc-500">Environments: coming soon.</p>;
}
