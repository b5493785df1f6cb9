/**
 * Webhooks of a project (admins and owners): the list, creating one (its signing secret shown
 * once, to its creator, with a copy button), deleting one, and each webhook's deliveries with
 * their status, attempts and last error, and redelivery.
 *
 * The signing secret lives only in this screen's state (never in the query cache or storage);
 * closing its dialog drops it.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useParams } from "@tanstack/react-router";
import { type FormEvent, useId, useState } from "react";
import { formatDate, ShownOnceDialog, TableBox, TableHead, tableClass, tdClass } from "../components/tokens.js";
import {
  Badge,
  Button,
  cx,
  Dialog,
  EmptyState,
  ErrorState,
  Field,
  FormError,
  PageHeader,
  Spinner,
} from "../components/ui.js";
import {
  api,
  expect,
  formLevelError,
  ResultError,
  type WebhookDeliveryFieldsFragment,
  type WebhookEventType,
  type WebhookFieldsFragment,
} from "../lib/api.js";
import { useProject } from "../lib/queries.js";

const EVENT_TYPES: [WebhookEventType, string][] = [
  ["ENVIRONMENT_CHANGED", "environment.changed"],
  ["ENVIRONMENT_CREATED", "environment.created"],
  ["ENVIRONMENT_DELETED", "environment.deleted"],
  ["ENVIRONMENT_UPDATED", "environment.updated"],
  ["BRANCH_CREATED", "branch.created"],
  ["BRANCH_DELETED", "branch.deleted"],
  ["TOKEN_CREATED", "token.created"],
  ["TOKEN_REVOKED", "token.revoked"],
  ["SECRET_REQUEST_CREATED", "secret_request.created"],
  ["SECRET_REQUEST_CANCELLED", "secret_request.cancelled"],
];
const typeName = (type: WebhookEventType) => EVENT_TYPES.find(([t]) => t === type)?.[1] ?? type;

const webhookKeys = {
  permission: (slug: string) => ["project", slug, "webhooks", "permission"] as const,
  list: (slug: string) => ["project", slug, "webhooks"] as const,
  deliveries: (slug: string) => ["project", slug, "webhooks", "deliveries"] as const,
};

export function WebhooksPage() {
  const { project: slug } = useParams({ from: "/app/projects/$project/webhooks" });
  const permission = useQuery({
    queryKey: webhookKeys.permission(slug),
    queryFn: async () => (await api.webhookPermission({ slug })).project?.viewerCanManageWebhooks ?? false,
  });
  const webhooks = useQuery({
    queryKey: webhookKeys.list(slug),
    enabled: permission.data === true,
    queryFn: async () => {
      const project = (await api.webhooks({ slug })).project;
      if (!project) throw new Error(`No project "${slug}", or you have no access to it.`);
      return project.webhooks;
    },
  });
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const canManage = permission.data === true;
  return (
    <div>
      <PageHeader
        title="Webhooks"
        subtitle="Send this project's events to your own endpoints, signed so they can check the sender."
        actions={
          <Button
            variant="primary"
            onClick={() => setCreating(true)}
            disabledReason={
              permission.data === false ? "Only admins and owners of this project manage its webhooks." : null
            }
            disabled={!canManage}
          >
            New webhook
          </Button>
        }
      />
      {permission.isPending ? (
        <Spinner />
      ) : permission.isError ? (
        <ErrorState error={permission.error} retry={() => permission.refetch()} />
      ) : !canManage ? (
        <EmptyState title="Webhooks are managed by admins">
          Only admins and owners of this project can see and change its webhooks.
        </EmptyState>
      ) : webhooks.isPending ? (
        <Spinner />
      ) : webhooks.isError ? (
        <ErrorState error={webhooks.error} retry={() => webhooks.refetch()} />
      ) : webhooks.data.length === 0 ? (
        <EmptyState title="No webhooks yet">
          Create one to be told when variables, environments, branches or tokens change. Each delivery is signed
          (Standard Webhooks).
        </EmptyState>
      ) : (
        <ul className="flex flex-col gap-3">
          {webhooks.data.map((w) => (
            <WebhookItem key={w.id} slug={slug} webhook={w} />
          ))}
        </ul>
      )}
      <CreateWebhook slug={slug} open={creating} onOpenChange={setCreating} onCreated={setSecret} />
      <ShownOnceDialog
        secret={secret}
        title="Webhook created: its signing secret"
        fieldLabel="Signing secret"
        description="Your endpoint verifies each delivery with this secret (the webhook-signature header)."
        onClose={() => setSecret(null)}
      />
    </div>
  );
}

function WebhookItem({ slug, webhook }: { slug: string; webhook: WebhookFieldsFragment }) {
  const [showDeliveries, setShowDeliveries] = useState(false);
  const panel = useId();
  const allEvents = webhook.events.length === EVENT_TYPES.length;
  return (
    <li className="rounded-lg border border-zinc-200 p-4 dark:border-zinc-800">
      <div className="flex flex-col gap-3 sm:flex-row sm:items-start sm:justify-between">
        <div className="min-w-0 flex-1">
          <p className="break-all font-mono text-sm font-medium">{webhook.url}</p>
          {webhook.description && <p className="mt-0.5 text-sm text-zinc-500">{webhook.description}</p>}
          <div className="mt-2 flex flex-wrap items-center gap-1.5 text-xs">
            {allEvents ? (
              <Badge tone="indigo">all events</Badge>
            ) : (
              webhook.events.map((e) => (
                <Badge key={e} tone="indigo">
                  {typeName(e)}
                </Badge>
              ))
            )}
            <span className="text-zinc-500">
              {webhook.environments
                ? `environments: ${webhook.environments.join(", ") || "none"}`
                : "every environment"}{" "}
              ·
            </span>
            <span className="text-zinc-500">created {formatDate(webhook.createdAt)}</span>
          </div>
        </div>
        <div className="flex shrink-0 gap-2">
          <Button
            aria-expanded={showDeliveries}
            aria-controls={panel}
            aria-label={`Deliveries of ${webhook.url}`}
            onClick={() => setShowDeliveries((v) => !v)}
          >
            {showDeliveries ? "Hide deliveries" : "Deliveries"}
          </Button>
          <DeleteWebhook slug={slug} webhook={webhook} />
        </div>
      </div>
      {showDeliveries && (
        <div id={panel} className="mt-3">
          <Deliveries slug={slug} webhook={webhook} />
        </div>
      )}
    </li>
  );
}

function statusBadge(status: WebhookDeliveryFieldsFragment["status"]) {
  if (status === "SUCCEEDED") return <Badge tone="indigo">succeeded</Badge>;
  if (status === "FAILED") return <Badge tone="red">failed</Badge>;
  return <Badge tone="amber">pending</Badge>;
}

function Deliveries({ slug, webhook }: { slug: string; webhook: WebhookFieldsFragment }) {
  const queryClient = useQueryClient();
  const deliveries = useQuery({
    queryKey: webhookKeys.deliveries(slug),
    queryFn: async () => {
      const project = (await api.webhookDeliveries({ slug, first: 50 })).project;
      if (!project) throw new Error(`No project "${slug}", or you have no access to it.`);
      return project.webhooks;
    },
    // While a delivery is pending, its outcome is worth watching.
    refetchInterval: (query) =>
      query.state.data?.some((w) => w.deliveries.nodes.some((d) => d.status === "PENDING")) ? 2000 : false,
  });
  const redeliver = useMutation({
    mutationFn: async (deliveryId: string) =>
      expect(
        (await api.redeliverWebhook({ input: { project: slug, deliveryId } })).redeliverWebhook,
        "RedeliverWebhookPayload",
      ).delivery,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: webhookKeys.deliveries(slug) }),
  });
  if (deliveries.isPending) return <Spinner label="Loading deliveries…" />;
  if (deliveries.isError) return <ErrorState error={deliveries.error} retry={() => deliveries.refetch()} />;
  const hook = deliveries.data.find((w) => w.id === webhook.id);
  const list = hook?.deliveries.nodes ?? [];
  if (!list.length)
    return <p className="text-sm text-zinc-500">No deliveries yet: they appear here when a matching change is made.</p>;
  return (
    <div className="flex flex-col gap-2">
      <FormError error={redeliver.error} />
      <TableBox label={`Deliveries of ${webhook.url}`}>
        <table className={tableClass}>
          <TableHead columns={["Event", "Status", "Attempts", "HTTP", "Last error", "Created"]} actions />
          <tbody>
            {list.map((d) => (
              <tr key={d.id}>
                <td className={tdClass}>
                  <span className="font-mono text-xs">{typeName(d.eventType)}</span>
                  <span
                    className="block select-all font-mono text-[11px] text-zinc-500"
                    title="Delivery id: the webhook-id header; envplane webhooks redeliver <id>"
                  >
                    {d.id}
                  </span>
                  <details className="mt-1 text-xs">
                    <summary className="cursor-pointer text-zinc-500">Payload</summary>
                    <pre className="mt-1 max-w-[28rem] overflow-x-auto whitespace-pre-wrap break-all rounded bg-zinc-50 p-2 dark:bg-zinc-950">
                      {JSON.stringify(JSON.parse(d.payload), null, 2)}
                    </pre>
                  </details>
                </td>
                <td className={tdClass}>
                  {statusBadge(d.status)}
                  {d.status === "PENDING" && d.nextAttemptAt && d.attempts > 0 && (
                    <p className="mt-1 text-xs text-zinc-500">retry {formatDate(d.nextAttemptAt)}</p>
                  )}
                </td>
                <td className={tdClass}>{d.attempts}</td>
                <td className={cx(tdClass, "font-mono text-xs")}>{d.lastStatusCode ?? "—"}</td>
                <td className={cx(tdClass, "text-xs")}>{d.lastError ?? ""}</td>
                <td className={cx(tdClass, "whitespace-nowrap")}>{formatDate(d.createdAt)}</td>
                <td className={cx(tdClass, "text-right")}>
                  <Button
                    variant="ghost"
                    aria-label={`Redeliver ${typeName(d.eventType)} delivery of ${formatDate(d.createdAt)}`}
                    disabled={redeliver.isPending}
                    onClick={() => redeliver.mutate(d.id)}
                  >
                    Redeliver
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableBox>
      {hook && hook.deliveries.totalCount > list.length && (
        <p className="text-xs text-zinc-500">
          The {list.length} newest of {hook.deliveries.totalCount} deliveries (all of them:{" "}
          <code>envplane webhooks deliveries {webhook.id} --limit 500</code>).
        </p>
      )}
    </div>
  );
}

function DeleteWebhook({ slug, webhook }: { slug: string; webhook: WebhookFieldsFragment }) {
  const [open, setOpen] = useState(false);
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: async () =>
      expect(
        (await api.deleteWebhook({ input: { project: slug, id: webhook.id } })).deleteWebhook,
        "DeleteWebhookPayload",
      ),
    onSuccess: async () => {
      setOpen(false);
      await queryClient.invalidateQueries({ queryKey: webhookKeys.list(slug) });
    },
  });
  return (
    <>
      <Button
        variant="ghost"
        aria-label={`Delete webhook ${webhook.url}`}
        onClick={() => {
          remove.reset();
          setOpen(true);
        }}
      >
        Delete
      </Button>
      <Dialog
        open={open}
        onOpenChange={setOpen}
        title="Delete this webhook?"
        description={
          <>
            Nothing more is sent to <span className="break-all font-mono">{webhook.url}</span>, and its delivery log is
            deleted.
          </>
        }
      >
        <div className="flex flex-col gap-3">
          <FormError error={remove.error} />
          <div className="flex justify-end gap-2">
            <Button onClick={() => setOpen(false)}>Cancel</Button>
            <Button variant="danger" disabled={remove.isPending} onClick={() => remove.mutate()}>
              Delete webhook
            </Button>
          </div>
        </div>
      </Dialog>
    </>
  );
}

const checkboxClass = "size-4 accent-indigo-600";

function CreateWebhook({
  slug,
  open,
  onOpenChange,
  onCreated,
}: {
  slug: string;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onCreated: (secret: string) => void;
}) {
  const queryClient = useQueryClient();
  const project = useProject(slug);
  const [allEnvironments, setAllEnvironments] = useState(true);
  const [allEvents, setAllEvents] = useState(true);
  const [localError, setLocalError] = useState<{ field: string; message: string } | null>(null);
  const create = useMutation({
    mutationFn: async (input: {
      url: string;
      description?: string;
      environments?: string[];
      events?: WebhookEventType[];
    }) => {
      const payload = expect(
        (await api.createWebhook({ input: { project: slug, ...input } })).createWebhook,
        "CreateWebhookPayload",
      );
      onCreated(payload.signingSecret); // the secret goes to the screen's state only
      return payload.webhook;
    },
    onSuccess: async () => {
      onOpenChange(false);
      await queryClient.invalidateQueries({ queryKey: webhookKeys.list(slug) });
    },
  });
  const fields = ["url", "description", "environments", "events"];
  const error = (field: string) =>
    localError?.field === field
      ? localError.message
      : create.error instanceof ResultError
        ? create.error.forField(field)
        : undefined;
  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const environments = allEnvironments ? undefined : form.getAll("environment").map(String);
    const events = allEvents ? undefined : (form.getAll("event").map(String) as WebhookEventType[]);
    setLocalError(null);
    if (environments && environments.length === 0)
      return setLocalError({ field: "environments", message: "Pick at least one environment, or all of them." });
    if (events && events.length === 0)
      return setLocalError({ field: "events", message: "Pick at least one event type, or all of them." });
    create.mutate({
      url: String(form.get("url") ?? ""),
      description: String(form.get("description") ?? "").trim() || undefined,
      environments,
      events,
    });
  }
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (next) {
          create.reset();
          setLocalError(null);
          setAllEnvironments(true);
          setAllEvents(true);
        }
        onOpenChange(next);
      }}
      title="New webhook"
      description="envplane POSTs a JSON message to this URL for each matching change: names and keys, never values."
    >
      <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
        <Field
          label="Endpoint URL"
          name="url"
          type="url"
          required
          placeholder="https://example.com/hooks/envplane"
          error={error("url")}
          autoComplete="off"
        />
        <Field label="Description (optional)" name="description" maxLength={200} error={error("description")} />
        <fieldset className="flex flex-col gap-1.5">
          <legend className="mb-1 text-sm font-medium">Environments</legend>
          <label className="flex items-center gap-2 text-sm">
            <input
              type="checkbox"
              className={checkboxClass}
              checked={allEnvironments}
              onChange={(e) => setAllEnvironments(e.target.checked)}
            />
            Every environment (also ones created later)
          </label>
          {!allEnvironments && (
            <div className="ml-6 flex flex-wrap gap-x-4 gap-y-1.5">
              {(project.data?.environments ?? []).map((env) => (
                <label key={env.id} className="flex items-center gap-2 text-sm">
                  <input type="checkbox" name="environment" value={env.name} className={checkboxClass} />
                  {env.name}
                </label>
              ))}
            </div>
          )}
          {error("environments") && (
            <p role="alert" className="text-xs text-red-600 dark:text-red-400">
              {error("environments")}
            </p>
          )}
        </fieldset>
        <fieldset className="flex flex-col gap-1.5">
          <legend className="mb-1 text-sm font-medium">Events</legend>
          <label className="flex items-center gap-2 text-sm">
            <input
              type="checkbox"
              className={checkboxClass}
              checked={allEvents}
              onChange={(e) => setAllEvents(e.target.checked)}
            />
            All event types
          </label>
          {!allEvents && (
            <div className="ml-6 grid gap-1.5 sm:grid-cols-2">
              {EVENT_TYPES.map(([value, label]) => (
                <label key={value} className="flex items-center gap-2 font-mono text-xs">
                  <input type="checkbox" name="event" value={value} className={checkboxClass} />
                  {label}
                </label>
              ))}
            </div>
          )}
          {error("events") && (
            <p role="alert" className="text-xs text-red-600 dark:text-red-400">
              {error("events")}
            </p>
          )}
        </fieldset>
        <FormError error={formLevelError(create.error, fields)} />
        <div className="flex justify-end gap-2">
          <Button onClick={() => onOpenChange(false)}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={create.isPending}>
            Create webhook
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
