/**
 * GitHub (admins and owners): connect the project to a repository's webhook (URL and secret shown once),
 * whether GitHub-created branches get a preview environment, rotate the secret, disconnect, and the
 * deliveries GitHub sent with what each did.
 *
 * The secret lives only in this screen's state (never in the query cache or storage); closing its dialog drops it.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useParams } from "@tanstack/react-router";
import { useState } from "react";
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
import { api, expect, formLevelError, type GitDeliveryFieldsFragment, ResultError } from "../lib/api.js";

const gitKeys = {
  permission: (slug: string) => ["project", slug, "git", "permission"] as const,
  connection: (slug: string) => ["project", slug, "git"] as const,
};

const checkboxClass = "size-4 accent-indigo-600";

function outcomeBadge(outcome: GitDeliveryFieldsFragment["outcome"]) {
  const label = outcome.toLowerCase();
  if (outcome === "CREATED" || outcome === "DELETED") return <Badge tone="indigo">{label}</Badge>;
  if (outcome === "REFUSED") return <Badge tone="red">{label}</Badge>;
  if (outcome === "IGNORED") return <Badge tone="amber">{label}</Badge>;
  return <Badge>{label}</Badge>;
}

const fieldError = (error: unknown, field: string) =>
  error instanceof ResultError ? error.forField(field) : undefined;

/** The previews checkbox and, when it is on, the URL template field. */
function PreviewFields({
  on,
  setOn,
  url,
  setUrl,
  error,
}: {
  on: boolean;
  setOn: (on: boolean) => void;
  url: string;
  setUrl: (url: string) => void;
  error: unknown;
}) {
  return (
    <>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" className={checkboxClass} checked={on} onChange={(e) => setOn(e.target.checked)} />
        Also create a preview environment for each new branch
      </label>
      {on && (
        <Field
          label="Preview URL"
          name="previewUrl"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          placeholder="https://{branch}.preview.example.com"
          autoComplete="off"
          hint="Required: {branch} stands for the preview's name made DNS-safe (feature/Login_X → feature-login-x)."
          error={fieldError(error, "previewUrl")}
        />
      )}
    </>
  );
}

function SecretDescription({ url }: { url: string }) {
  return (
    <>
      In GitHub: the repository's <strong>Settings → Webhooks → Add webhook</strong>. Payload URL:{" "}
      <span className="break-all font-mono text-zinc-700 select-all dark:text-zinc-300">{url}</span>, Content type{" "}
      <span className="font-mono">application/json</span>, this secret, and the events Pushes, Branch or tag creation,
      Branch or tag deletion.
    </>
  );
}

export function GitPage() {
  const { project: slug } = useParams({ from: "/app/projects/$project/git" });
  const queryClient = useQueryClient();
  const permission = useQuery({
    queryKey: gitKeys.permission(slug),
    queryFn: async () => (await api.gitPermission({ slug })).project?.viewerCanManageGit ?? false,
  });
  const canManage = permission.data === true;
  const connection = useQuery({
    queryKey: gitKeys.connection(slug),
    enabled: canManage,
    queryFn: async () => {
      const project = (await api.gitConnection({ slug, first: 50 })).project;
      if (!project) throw new Error(`No project "${slug}", or you have no access to it.`);
      return project.git ?? null;
    },
  });
  const [shown, setShown] = useState<{ url: string; secret: string; title: string } | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: gitKeys.connection(slug) });
  const [previews, setPreviews] = useState(false);
  const [previewUrl, setPreviewUrl] = useState("");
  const connect = useMutation({
    mutationFn: async () => {
      const input = { project: slug, createPreviews: previews, previewUrl: previews ? previewUrl : undefined };
      const r = expect((await api.connectGit({ input })).connectGit, "GitSecretPayload");
      setShown({ url: r.url, secret: r.secret, title: "Connected: paste these into GitHub" });
    },
    onSuccess: refresh,
  });

  const git = connection.data;
  return (
    <div>
      <PageHeader
        title="GitHub"
        subtitle="Pushing a new Git branch creates the project branch of the same name; deleting it deletes it."
        actions={
          git ? (
            <Button onClick={() => connection.refetch()} aria-label="Refresh deliveries">
              Refresh
            </Button>
          ) : null
        }
      />
      {permission.isPending ? (
        <Spinner />
      ) : permission.isError ? (
        <ErrorState error={permission.error} retry={() => permission.refetch()} />
      ) : !canManage ? (
        <EmptyState title="GitHub is connected by admins">
          Only admins and owners of this project can see and change its GitHub connection.
        </EmptyState>
      ) : connection.isPending ? (
        <Spinner />
      ) : connection.isError ? (
        <ErrorState error={connection.error} retry={() => connection.refetch()} />
      ) : !git ? (
        <section
          aria-label="Connect GitHub"
          className="flex flex-col gap-3 rounded-lg border border-zinc-200 p-4 dark:border-zinc-800"
        >
          <p className="text-sm">
            Not connected. Connecting gives you a webhook URL and a secret to paste into the repository's settings in
            GitHub. The default branches (main, dev) and the repository's default branch are never deleted.
          </p>
          <PreviewFields
            on={previews}
            setOn={setPreviews}
            url={previewUrl}
            setUrl={setPreviewUrl}
            error={connect.error}
          />
          <FormError error={formLevelError(connect.error, ["previewUrl"])} />
          <div>
            <Button variant="primary" disabled={connect.isPending} onClick={() => connect.mutate()}>
              Connect GitHub
            </Button>
          </div>
        </section>
      ) : (
        <Connected slug={slug} git={git} onSecret={setShown} onChange={refresh} />
      )}
      <ShownOnceDialog
        secret={shown?.secret ?? null}
        title={shown?.title ?? ""}
        fieldLabel="Webhook secret"
        description={shown ? <SecretDescription url={shown.url} /> : null}
        onClose={() => setShown(null)}
      />
    </div>
  );
}

type Connection = NonNullable<NonNullable<Awaited<ReturnType<typeof api.gitConnection>>["project"]>["git"]>;

function Connected({
  slug,
  git,
  onSecret,
  onChange,
}: {
  slug: string;
  git: Connection;
  onSecret: (shown: { url: string; secret: string; title: string }) => void;
  onChange: () => Promise<void>;
}) {
  const [confirm, setConfirm] = useState<"rotate" | "disconnect" | null>(null);
  const [previews, setPreviews] = useState(git.createPreviews);
  const [previewUrl, setPreviewUrl] = useState(git.previewUrl ?? "");
  const changed = previews !== git.createPreviews || (previewUrl || null) !== (git.previewUrl ?? null);
  const update = useMutation({
    mutationFn: async () =>
      expect(
        (await api.updateGit({ input: { project: slug, createPreviews: previews, previewUrl } })).updateGit,
        "UpdateGitPayload",
      ),
    onSuccess: onChange,
  });
  const rotate = useMutation({
    mutationFn: async () => {
      const r = expect((await api.rotateGitSecret({ input: { project: slug } })).rotateGitSecret, "GitSecretPayload");
      setConfirm(null);
      onSecret({ url: r.url, secret: r.secret, title: "New secret: paste it into GitHub" });
    },
    onSuccess: onChange,
  });
  const disconnect = useMutation({
    mutationFn: async () =>
      expect((await api.disconnectGit({ input: { project: slug } })).disconnectGit, "DisconnectGitPayload"),
    onSuccess: async () => {
      setConfirm(null);
      await onChange();
    },
  });
  return (
    <div className="flex flex-col gap-5">
      <section
        aria-label="GitHub connection"
        className="flex flex-col gap-3 rounded-lg border border-zinc-200 p-4 dark:border-zinc-800"
      >
        <div className="flex flex-wrap items-center gap-2">
          <Badge tone="indigo">connected</Badge>
          <span className="text-sm text-zinc-500">
            since {formatDate(git.connectedAt)} · last delivery {formatDate(git.lastDeliveryAt, "none yet")}
          </span>
        </div>
        <div className="flex flex-col gap-1">
          <label htmlFor="git-url" className="text-sm font-medium">
            Payload URL
          </label>
          <input
            id="git-url"
            readOnly
            value={git.url}
            onFocus={(e) => e.currentTarget.select()}
            className="w-full min-w-0 rounded-md border border-zinc-300 bg-zinc-50 px-2.5 py-1.5 font-mono text-xs dark:border-zinc-700 dark:bg-zinc-950"
          />
          <p className="text-xs text-zinc-500">
            Content type application/json. The secret was shown once; rotate it if it is lost.
          </p>
        </div>
        <form
          className="flex flex-col gap-3"
          onSubmit={(e) => {
            e.preventDefault();
            update.mutate();
          }}
        >
          <PreviewFields
            on={previews}
            setOn={setPreviews}
            url={previewUrl}
            setUrl={setPreviewUrl}
            error={update.error}
          />
          <FormError error={formLevelError(update.error, ["previewUrl"])} />
          {(changed || update.isPending) && (
            <div>
              <Button type="submit" variant="primary" disabled={update.isPending}>
                Save preview settings
              </Button>
            </div>
          )}
        </form>
        <div className="flex flex-wrap gap-2">
          <Button onClick={() => setConfirm("rotate")}>Rotate secret</Button>
          <Button variant="danger" onClick={() => setConfirm("disconnect")}>
            Disconnect
          </Button>
        </div>
      </section>

      <section aria-labelledby="git-deliveries" className="flex flex-col gap-2">
        <h2 id="git-deliveries" className="text-base font-semibold">
          Deliveries
        </h2>
        {git.deliveries.length === 0 ? (
          <p className="text-sm text-zinc-500">
            No deliveries yet. GitHub sends a ping when the webhook is added; pushes appear here.
          </p>
        ) : (
          <TableBox label="Deliveries from GitHub">
            <table className={tableClass}>
              <TableHead columns={["Received", "Event", "Branch", "Outcome", "Reason"]} />
              <tbody>
                {git.deliveries.map((d) => (
                  <tr key={d.id}>
                    <td className={cx(tdClass, "whitespace-nowrap")}>
                      {formatDate(d.receivedAt)}
                      <span className="block font-mono text-[11px] text-zinc-500 select-all" title="X-GitHub-Delivery">
                        {d.deliveryId}
                      </span>
                    </td>
                    <td className={cx(tdClass, "font-mono text-xs")}>{d.event}</td>
                    <td className={cx(tdClass, "break-all font-mono text-xs")}>{d.branch ?? "—"}</td>
                    <td className={tdClass}>
                      {outcomeBadge(d.outcome)}
                      {d.preview && <span className="mt-1 block font-mono text-xs text-zinc-500">{d.preview}</span>}
                      {d.overridesRemoved ? (
                        <span className="mt-1 block text-xs text-zinc-500">
                          {d.overridesRemoved} override{d.overridesRemoved === 1 ? "" : "s"} removed
                        </span>
                      ) : null}
                    </td>
                    <td className={cx(tdClass, "text-xs")}>{d.reason ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableBox>
        )}
      </section>

      <Dialog
        open={confirm === "rotate"}
        onOpenChange={(open) => {
          rotate.reset();
          setConfirm(open ? "rotate" : null);
        }}
        title="Rotate the secret?"
        description="Deliveries signed with the current secret are refused from now on, until you paste the new one into GitHub."
      >
        <div className="flex flex-col gap-3">
          <FormError error={rotate.error} />
          <div className="flex justify-end gap-2">
            <Button onClick={() => setConfirm(null)}>Cancel</Button>
            <Button variant="primary" disabled={rotate.isPending} onClick={() => rotate.mutate()}>
              Rotate secret
            </Button>
          </div>
        </div>
      </Dialog>
      <Dialog
        open={confirm === "disconnect"}
        onOpenChange={(open) => {
          disconnect.reset();
          setConfirm(open ? "disconnect" : null);
        }}
        title="Disconnect GitHub?"
        description="The URL stops working: pushes no longer create or delete branches. Existing branches stay. Remove the webhook in GitHub too."
      >
        <div className="flex flex-col gap-3">
          <FormError error={disconnect.error} />
          <div className="flex justify-end gap-2">
            <Button onClick={() => setConfirm(null)}>Cancel</Button>
            <Button variant="danger" disabled={disconnect.isPending} onClick={() => disconnect.mutate()}>
              Disconnect GitHub
            </Button>
          </div>
        </div>
      </Dialog>
    </div>
  );
}
