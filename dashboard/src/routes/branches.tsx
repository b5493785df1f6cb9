/** Branches and mapping. */
export function BranchesPage() {
  return <p className="text-sm text-zinc-500">Branches and mapping: coming soon.</p>;
}
