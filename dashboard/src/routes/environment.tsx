/** An environment. */
export function EnvironmentPage() {
  return <p className="text-sm text-zinc-500">An environment: coming soon.</p>;
}
