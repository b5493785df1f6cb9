import { Link } from "@tanstack/react-router";
import { EmptyState } from "../components/ui.js";

export function NotFound() {
  return (
    <main className="p-6">
      <EmptyState title="There is no page here">
        <Link to="/" className="text-indigo-600 underline">
          Back to your projects
        </Link>
      </EmptyState>
    </main>
  );
}
