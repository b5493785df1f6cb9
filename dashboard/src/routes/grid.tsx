/** The project grid. */
export function GridPage() {
  return <p className="text-sm text-zinc-500">The project grid: coming soon.</p>;
}
