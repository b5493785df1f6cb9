/** Users (instance admins). */
export function UsersPage() {
  return <p className="text-sm text-zinc-500">Users (instance admins): coming soon.</p>;
}
