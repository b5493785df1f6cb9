/**
 * Tokens on the access, users and account screens: a table of token metadata, the revoke
 * confirmation, the expiry picker, and the dialog that shows a new token's value once.
 *
 * A token's value lives only in the state of the screen that created it (never in the query or
 * mutation cache, never in storage): mutationFns hand it to `onSecret` and return metadata only,
 * and closing the dialog drops it.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useId, useRef, useState } from "react";
import { allPages, MAX_PAGE_SIZE } from "../../../sdk/index.js";
import { api, expect, type TokenFieldsFragment } from "../lib/api.js";
import { Badge, Button, cx, Dialog, FormError } from "./ui.js";

export { allPages, MAX_PAGE_SIZE };
export type TokenRow = TokenFieldsFragment;

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function formatDate(iso: string | null | undefined, none = "—") {
  return iso ? dateFormat.format(new Date(iso)) : none;
}

export const tableClass = "w-full min-w-[40rem] text-left text-sm";
export const thClass = "border-b border-zinc-200 px-2 py-2 font-medium text-zinc-500 dark:border-zinc-800";
export const tdClass = "border-b border-zinc-100 px-2 py-2 align-top dark:border-zinc-800/60";

/** A table's header row: a column per name, and with `actions` a last column named for screen readers only. */
export function TableHead({ columns, actions = false }: { columns: readonly string[]; actions?: boolean }) {
  return (
    <thead>
      <tr>
        {columns.map((column) => (
          <th key={column} className={thClass}>
            {column}
          </th>
        ))}
        {actions && (
          <th className={thClass}>
            <span className="sr-only">Actions</span>
          </th>
        )}
      </tr>
    </thead>
  );
}

/** A table that scrolls inside its box on narrow screens (the page itself never overflows). */
export function TableBox({ label, children }: { label: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
    <section aria-label={label} tabIndex={0} className="relative max-w-full overflow-x-auto rounded-lg">
      {children}
    </section>
  );
}

function status(token: TokenRow, now: number) {
  if (token.revokedAt) return <Badge tone="red">revoked {formatDate(token.revokedAt)}</Badge>;
  if (token.expiresAt && Date.parse(token.expiresAt) <= now) return <Badge tone="amber">expired</Badge>;
  return <Badge tone="indigo">active</Badge>;
}

/**
 * Token metadata, newest first. `service` adds permissions and environments; `current` marks
 * the token the viewer is using; `revoke` renders the revoke control for a live token.
 */
export function TokenTable({
  tokens,
  label,
  service,
  currentId,
  revoke,
}: {
  tokens: TokenRow[];
  label: string;
  service?: boolean;
  currentId?: string | null;
  revoke: (token: TokenRow) => ReactNode;
}) {
  const now = Date.now();
  return (
    <TableBox label={label}>
      <table className={tableClass}>
        <TableHead
          columns={[
            "Name",
            ...(service ? ["Permissions", "Environments"] : []),
            "Hint",
            "Created",
            "Last used",
            "Expires",
            "Status",
          ]}
          actions
        />
        <tbody>
          {tokens.map((t) => (
            <tr key={t.id} className={cx(t.revokedAt && "text-zinc-400 dark:text-zinc-500")}>
              <td className={tdClass}>
                <span className="font-medium">{t.name}</span>
                {t.id === currentId && (
                  <span className="ml-1.5 whitespace-nowrap">
                    <Badge>this session's token</Badge>
                  </span>
                )}
              </td>
              {service && <td className={tdClass}>{t.permissions.map((p) => p.toLowerCase()).join(", ")}</td>}
              {service && <td className={tdClass}>{t.environments?.join(", ") ?? "all"}</td>}
              <td className={cx(tdClass, "whitespace-nowrap font-mono text-xs")}>{t.hint}</td>
              <td className={cx(tdClass, "whitespace-nowrap")}>{formatDate(t.createdAt)}</td>
              <td className={cx(tdClass, "whitespace-nowrap")}>{formatDate(t.lastUsedAt, "never")}</td>
              <td className={cx(tdClass, "whitespace-nowrap")}>{formatDate(t.expiresAt, "never")}</td>
              <td className={tdClass}>{status(t, now)}</td>
              <td className={cx(tdClass, "text-right")}>{!t.revokedAt && revoke(t)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableBox>
  );
}

/** The revoke button of one token and its confirmation; `invalidate` is the list's query key. */
export function RevokeToken({
  token,
  invalidate,
  disabledReason,
  warning,
}: {
  token: TokenRow;
  invalidate: readonly unknown[];
  disabledReason?: string | null;
  warning: string;
}) {
  const [open, setOpen] = useState(false);
  const queryClient = useQueryClient();
  const revoke = useMutation({
    mutationFn: async () =>
      expect((await api.revokeToken({ input: { id: token.id } })).revokeToken, "RevokeTokenPayload").token,
    onSuccess: async () => {
      setOpen(false);
      await queryClient.invalidateQueries({ queryKey: invalidate });
    },
  });
  return (
    <>
      <Button
        variant="ghost"
        aria-label={`Revoke token ${token.name}`}
        disabledReason={disabledReason}
        onClick={() => {
          revoke.reset();
          setOpen(true);
        }}
      >
        Revoke
      </Button>
      <Dialog open={open} onOpenChange={setOpen} title={`Revoke ${token.name}?`} description={warning}>
        <div className="flex flex-col gap-3">
          <FormError error={revoke.error} />
          <div className="flex justify-end gap-2">
            <Button onClick={() => setOpen(false)}>Cancel</Button>
            <Button variant="danger" disabled={revoke.isPending} onClick={() => revoke.mutate()}>
              Revoke token
            </Button>
          </div>
        </div>
      </Dialog>
    </>
  );
}

const EXPIRIES = [
  ["never", "Never"],
  ["7", "In 7 days"],
  ["30", "In 30 days"],
  ["90", "In 90 days"],
  ["365", "In 1 year"],
  ["date", "On a date…"],
] as const;

const selectClass =
  "w-full rounded-md border border-zinc-300 bg-white px-2.5 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900";

export { selectClass };

/**
 * The expiry of a new token: never, a number of days, or a date (the end of that day, local
 * time). Reads the form fields `expiry` and `expiryDate`; the server refuses past dates.
 */
export function ExpiryField({ error }: { error?: string | null }) {
  const id = useId();
  const [choice, setChoice] = useState("never");
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="text-sm font-medium">
        Expires
      </label>
      <select
        id={id}
        name="expiry"
        value={choice}
        onChange={(e) => setChoice(e.target.value)}
        className={selectClass}
        aria-invalid={!!error}
      >
        {EXPIRIES.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
      {choice === "date" && (
        <input
          type="date"
          name="expiryDate"
          required
          aria-label="Expiry date"
          className={selectClass}
          aria-invalid={!!error}
        />
      )}
      {error && (
        <p role="alert" className="text-xs text-red-600 dark:text-red-400">
          {error}
        </p>
      )}
    </div>
  );
}

/** The ISO expiry the ExpiryField's form values ask for (undefined: never). */
export function expiryFrom(form: FormData): string | undefined {
  const choice = String(form.get("expiry") ?? "never");
  if (choice === "never") return undefined;
  if (choice === "date") {
    const day = String(form.get("expiryDate") ?? "");
    const [y, m, d] = day.split("-").map(Number);
    if (!y || !m || !d) return undefined;
    return new Date(y, m - 1, d, 23, 59, 59).toISOString();
  }
  return new Date(Date.now() + Number(choice) * 86_400_000).toISOString();
}

/**
 * Shows a new token's value once: a read-only field, a copy button (clipboard, or the text
 * selected for Ctrl+C when the clipboard is not available), and a clear warning. `onClose`
 * must drop the value.
 */
export function ShownOnceDialog({
  secret,
  title,
  description,
  onClose,
  fieldLabel = "New token",
}: {
  secret: string | null;
  title: string;
  description: ReactNode;
  onClose: () => void;
  /** The read-only field's accessible name. */
  fieldLabel?: string;
}) {
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<"copied" | "selected" | null>(null);
  async function copy() {
    try {
      if (!navigator.clipboard) throw new Error("no clipboard");
      await navigator.clipboard.writeText(secret ?? "");
      setCopied("copied");
    } catch {
      input.current?.focus();
      input.current?.select();
      setCopied("selected");
    }
  }
  return (
    <Dialog
      open={secret !== null}
      onOpenChange={(open) => {
        if (!open) {
          setCopied(null);
          onClose();
        }
      }}
      title={title}
      description={description}
    >
      {secret !== null && (
        <div className="flex flex-col gap-3">
          <p
            role="note"
            className="rounded-md border border-amber-300 bg-amber-50 p-2.5 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200"
          >
            Copy it now: <strong>you won't see it again.</strong> Closing this dialog forgets it.
          </p>
          <div className="flex gap-2">
            <input
              ref={input}
              readOnly
              value={secret}
              aria-label={fieldLabel}
              onFocus={(e) => e.currentTarget.select()}
              className={cx(selectClass, "min-w-0 flex-1 font-mono text-xs")}
            />
            <Button variant="primary" onClick={copy}>
              Copy
            </Button>
          </div>
          <p aria-live="polite" className="text-xs text-zinc-500">
            {copied === "copied"
              ? "Copied to the clipboard."
              : copied === "selected"
                ? `The clipboard is not available here: the ${fieldLabel === "New token" ? "token" : fieldLabel.toLowerCase()} is selected, press Ctrl+C (⌘C) to copy it.`
                : ""}
          </p>
          <div className="flex justify-end">
            <Button
              onClick={() => {
                setCopied(null);
                onClose();
              }}
            >
              Done
            </Button>
          </div>
        </div>
      )}
    </Dialog>
  );
}

/** Every page of a project's service tokens. */
export async function allProjectTokens(slug: string) {
  return allPages(async (after) => {
    const project = (await api.projectTokens({ slug, first: MAX_PAGE_SIZE, after })).project;
    if (!project) throw new Error(`No project "${slug}", or you have no access to it.`);
    return project.tokens;
  });
}

/** Every page of the viewer's personal tokens. */
export async function allPersonalTokens() {
  return allPages(async (after) => (await api.personalTokens({ first: MAX_PAGE_SIZE, after })).viewer.personalTokens);
}
