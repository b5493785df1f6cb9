/**
 * A project's secret requests (the "Requests" tab): pending ones first, then the rest newest first, each with its
 * link and status, and Cancel for pending ones (the asker, or whoever may write the environment).
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useParams } from "@tanstack/react-router";
import { formatDate, TableBox, TableHead, tableClass, tdClass } from "../components/tokens.js";
import { Button, EmptyState, ErrorState, FormError, PageHeader, Spinner } from "../components/ui.js";
import { api, expect, type SecretRequestFieldsFragment } from "../lib/api.js";
import { SecretRequestStatus } from "./secret-request.js";

const requestsKey = (slug: string) => ["project", slug, "secret-requests"] as const;

/** Pending first, then newest first. */
function ordered(rows: SecretRequestFieldsFragment[]) {
  const rank = (r: SecretRequestFieldsFragment) => (r.status === "PENDING" ? 0 : 1);
  return [...rows].sort((a, b) => rank(a) - rank(b) || b.createdAt.localeCompare(a.createdAt));
}

export function SecretRequestsPage() {
  const { project: slug } = useParams({ from: "/app/projects/$project/requests" });
  const requests = useQuery({
    queryKey: requestsKey(slug),
    queryFn: async () => {
      const project = (await api.ProjectSecretRequests({ project: slug, first: 500 })).project;
      if (!project) throw new Error(`No project "${slug}", or you have no access to it.`);
      return ordered(project.secretRequests.nodes);
    },
  });
  return (
    <div>
      <PageHeader
        title="Secret requests"
        subtitle={
          <>
            Links asking a person to type a secret's value (<code>envplane secrets request KEY --env ENV</code>, or an
            agent's request_secret). The asker sees only the status.
          </>
        }
      />
      {requests.isPending ? (
        <Spinner />
      ) : requests.isError ? (
        <ErrorState error={requests.error} retry={() => requests.refetch()} />
      ) : requests.data.length === 0 ? (
        <EmptyState title="No secret requests">
          Ask for a secret with <code>envplane secrets request KEY --env ENV</code>: whoever opens the link signed in
          types the value, and nobody else ever sees it.
        </EmptyState>
      ) : (
        <TableBox label="Secret requests">
          <table className={tableClass}>
            <TableHead columns={["Key", "Environment", "Status", "Asked by", "Expires"]} actions />
            <tbody>
              {requests.data.map((r) => (
                <RequestRow key={r.id} slug={slug} request={r} />
              ))}
            </tbody>
          </table>
        </TableBox>
      )}
    </div>
  );
}

function RequestRow({ slug, request: r }: { slug: string; request: SecretRequestFieldsFragment }) {
  const queryClient = useQueryClient();
  const cancel = useMutation({
    mutationFn: async () =>
      expect(
        (await api.CancelSecretRequest({ input: { id: r.id } })).cancelSecretRequest,
        "CancelSecretRequestPayload",
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: requestsKey(slug) }),
  });
  const pending = r.status === "PENDING";
  return (
    <tr>
      <td className={tdClass}>
        <Link to="/requests/$id" params={{ id: r.id }} className="font-mono hover:underline">
          {r.key}
        </Link>
        {r.note && <div className="mt-0.5 max-w-xs truncate text-xs text-zinc-500">{r.note}</div>}
      </td>
      <td className={tdClass}>
        <span className="font-mono">{r.environment}</span>
        {r.branch && <span className="text-zinc-500"> · {r.branch}</span>}
      </td>
      <td className={tdClass}>
        <SecretRequestStatus status={r.status} />
        {r.fulfilledBy && <div className="mt-0.5 text-xs text-zinc-500">by {r.fulfilledBy}</div>}
      </td>
      <td className={tdClass}>{r.requestedBy}</td>
      <td className={tdClass}>{pending ? formatDate(r.expiresAt) : "—"}</td>
      <td className={tdClass}>
        {pending && (
          <div className="flex flex-col items-end gap-1">
            <Button
              variant="danger"
              aria-label={`Cancel the request for ${r.key} in ${r.environment}`}
              disabledReason={
                r.viewerCanCancel ? null : `Only the asker or someone who may change "${r.environment}" can cancel it.`
              }
              disabled={cancel.isPending}
              onClick={() => cancel.mutate()}
            >
              Cancel
            </Button>
            <FormError error={cancel.error} />
          </div>
        )}
      </td>
    </tr>
  );
}
