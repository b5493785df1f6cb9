/** Your account: personal tokens and sessions. */
export function SettingsPage() {
  return <p className="text-sm text-zinc-500">Your account: personal tokens and sessions: coming soon.</p>;
}
