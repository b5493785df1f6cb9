/**
 * The project grid: one row per key, one column per environment the viewer can read. Cells show
 * a preview of the standard value (its first 12 characters; the full value is read only when the cell is edited), •••• for a secret, a mark where the key is missing and the number of branch
 * overrides; a cell is edited in place (a secret can only be overwritten). Filters live in the URL.
 * Rows are virtualized: thousands of keys stay smooth.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams, useSearch } from "@tanstack/react-router";
import { useVirtualizer } from "@tanstack/react-virtual";
import {
  type CSSProperties,
  type KeyboardEvent,
  type RefObject,
  useEffect,
  useId,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import { createPortal } from "react-dom";
import { Badge, Button, cx, EmptyState, ErrorState, Spinner } from "../components/ui.js";
import { api, expect, ResultError } from "../lib/api.js";
import { useFullValue } from "../lib/full-value.js";
import { type GridCell, type GridEnvironment, type GridRow, gridKey, useGrid } from "../lib/grid.js";
import { keys } from "../lib/queries.js";

const ROUTE = "/app/projects/$project/";
const ROW_HEIGHT = 40;

type Search = { q?: string; missing?: boolean; type?: "secret" | "standard"; env?: string };

/** Why the viewer cannot change an environment's variables (null when they can). */
function writeReason(env: GridEnvironment, role: string | null | undefined): string | null {
  if (env.viewerCanWrite) return null;
  if (role === "VIEWER") return `Read-only: your role in this project is viewer. Ask an admin for the developer role.`;
  if (env.isProtected && role)
    return `Read-only: ${env.name} is protected; only admins and owners change it (your role: ${role.toLowerCase()}).`;
  return `Read-only: you have no write permission on ${env.name}.`;
}

export function GridPage() {
  const { project: slug } = useParams({ from: ROUTE });
  const search: Search = useSearch({ from: ROUTE });
  const navigate = useNavigate({ from: "/projects/$project/" });
  const grid = useGrid(slug);

  const setSearch = (patch: Partial<Search>) =>
    navigate({ search: (prev: Search) => ({ ...prev, ...patch }), replace: true });

  const readable = useMemo(() => grid.data?.environments.filter((e) => e.viewerCanRead) ?? [], [grid.data]);

  if (grid.isError && !grid.data) return <ErrorState error={grid.error} retry={() => grid.refetch()} />;
  if (!grid.data) return <Spinner label="Loading variables…" />;

  const role = grid.data.viewerRole;
  return (
    <div className="flex flex-col gap-3">
      <Filters search={search} environments={readable} setSearch={setSearch} />
      {grid.isError && <ErrorState error={grid.error} retry={() => grid.refetch()} />}
      {readable.length === 0 ? (
        <EmptyState title="No environment you can read">Ask an admin of the project for access.</EmptyState>
      ) : grid.data.rows.length === 0 ? (
        <EmptyState title="No variables yet">
          Add keys on an environment's page, or push a .env file with <code>envplane env push</code>.
        </EmptyState>
      ) : (
        <Grid
          slug={slug}
          rows={grid.data.rows}
          environments={readable}
          search={search}
          role={role}
          complete={grid.complete}
          clearFilters={() => setSearch({ q: undefined, missing: undefined, type: undefined, env: undefined })}
        />
      )}
    </div>
  );
}

function Filters({
  search,
  environments,
  setSearch,
}: {
  search: Search;
  environments: GridEnvironment[];
  setSearch: (patch: Partial<Search>) => void;
}) {
  const inputRef = useRef<HTMLInputElement>(null);
  const [q, setQ] = useState(search.q ?? "");
  // The URL is the truth: another screen (the command palette) may change it.
  useEffect(() => setQ(search.q ?? ""), [search.q]);
  useEffect(() => {
    function onKey(event: globalThis.KeyboardEvent) {
      if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
      const target = event.target as HTMLElement | null;
      if (target?.closest("input, textarea, select, [contenteditable=true]")) return;
      event.preventDefault();
      inputRef.current?.focus();
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
  const select = "rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900";
  return (
    <search className="flex flex-wrap items-center gap-2" aria-label="Filter variables">
      <input
        ref={inputRef}
        type="search"
        aria-label="Search keys"
        placeholder="Search keys (press /)"
        value={q}
        onChange={(e) => {
          setQ(e.target.value);
          setSearch({ q: e.target.value || undefined });
        }}
        className={cx(select, "w-full min-w-0 font-mono sm:w-72")}
      />
      <select
        aria-label="Environment"
        value={search.env ?? ""}
        onChange={(e) => setSearch({ env: e.target.value || undefined })}
        className={select}
      >
        <option value="">All environments</option>
        {environments.map((e) => (
          <option key={e.id} value={e.name}>
            {e.name}
          </option>
        ))}
      </select>
      <select
        aria-label="Type"
        value={search.type ?? ""}
        onChange={(e) => setSearch({ type: (e.target.value || undefined) as Search["type"] })}
        className={select}
      >
        <option value="">Secrets and standard</option>
        <option value="secret">Secrets</option>
        <option value="standard">Standard</option>
      </select>
      <label className="flex items-center gap-1.5 text-sm">
        <input
          type="checkbox"
          checked={!!search.missing}
          onChange={(e) => setSearch({ missing: e.target.checked || undefined })}
        />
        Missing anywhere
      </label>
    </search>
  );
}

interface Editing {
  key: string;
  env: string;
}

function Grid({
  slug,
  rows,
  environments,
  search,
  role,
  complete,
  clearFilters,
}: {
  slug: string;
  rows: GridRow[];
  environments: GridEnvironment[];
  search: Search;
  role: string | null | undefined;
  complete: boolean;
  clearFilters: () => void;
}) {
  const columns = useMemo(
    () => (search.env ? environments.filter((e) => e.name === search.env) : environments),
    [environments, search.env],
  );
  const shown = useMemo(() => {
    const q = search.q?.toLowerCase();
    return rows.filter((row) => {
      if (q && !row.key.toLowerCase().includes(q)) return false;
      if (search.missing && columns.every((e) => row.cells[e.name])) return false;
      if (search.type && !columns.some((e) => row.cells[e.name]?.isSecret === (search.type === "secret"))) return false;
      return true;
    });
  }, [rows, columns, search.q, search.missing, search.type]);

  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: shown.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const [editing, setEditing] = useState<Editing | null>(null);
  const readOnly = environments
    .map((e) => [e, writeReason(e, role)] as const)
    .filter((entry): entry is readonly [GridEnvironment, string] => entry[1] !== null);
  const template = `minmax(10rem, 1.2fr) repeat(${columns.length}, minmax(9rem, 1fr))`;
  const minWidth = `${10 + columns.length * 9}rem`;

  /** Arrow keys move between cells (scrolling the row into view first). */
  function move(event: KeyboardEvent<HTMLElement>, row: number, col: number) {
    const delta = { ArrowDown: [1, 0], ArrowUp: [-1, 0], ArrowRight: [0, 1], ArrowLeft: [0, -1] }[event.key];
    if (!delta) return;
    event.preventDefault();
    const r = Math.min(shown.length - 1, Math.max(0, row + delta[0]));
    const c = Math.min(columns.length - 1, Math.max(0, col + delta[1]));
    const target = () => scrollRef.current?.querySelector<HTMLElement>(`[data-cell="${r}:${c}"]`);
    const rendered = target();
    if (rendered) return rendered.focus();
    // Not rendered yet (virtualized): scroll its row in, then focus it.
    virtualizer.scrollToIndex(r);
    requestAnimationFrame(() => requestAnimationFrame(() => target()?.focus()));
  }

  return (
    <div className="flex flex-col gap-2">
      {readOnly.length > 0 && (
        <ul className="flex flex-col gap-0.5 text-xs text-zinc-500" aria-label="Read-only environments">
          {readOnly.map(([e, reason]) => (
            <li key={e.id}>
              <span className="font-medium">{e.name}</span>: {reason}
            </li>
          ))}
        </ul>
      )}
      <p className="text-xs text-zinc-500" aria-live="polite">
        {shown.length === rows.length ? `${rows.length} keys` : `${shown.length} of ${rows.length} keys`}
        {!complete && " (loading more…)"}
      </p>
      {shown.length === 0 ? (
        <EmptyState title="No key matches these filters">
          <Button onClick={clearFilters}>Clear filters</Button>
        </EmptyState>
      ) : (
        <div
          ref={scrollRef}
          data-grid-scroll
          className="max-h-[calc(100vh-19rem)] min-h-40 overflow-auto rounded-lg border border-zinc-200 dark:border-zinc-800"
        >
          <table
            aria-label="Variables by environment"
            aria-rowcount={shown.length + 1}
            className="grid"
            style={{ minWidth }}
          >
            <thead className="sticky top-0 z-10 grid">
              <tr
                aria-rowindex={1}
                className="grid border-b border-zinc-200 bg-zinc-50 text-sm font-medium dark:border-zinc-800 dark:bg-zinc-900"
                style={{ gridTemplateColumns: template }}
              >
                <th scope="col" className="sticky left-0 bg-zinc-50 px-3 py-2 text-left dark:bg-zinc-900">
                  Key
                </th>
                {columns.map((e) => {
                  const reason = writeReason(e, role);
                  return (
                    <th scope="col" key={e.id} className="flex items-center gap-1.5 px-3 py-2 text-left">
                      <Link
                        to="/projects/$project/environments/$environment"
                        params={{ project: slug, environment: e.name }}
                        className="truncate text-indigo-700 hover:underline dark:text-indigo-400"
                      >
                        {e.name}
                      </Link>
                      {e.isProtected && <Badge tone="amber">protected</Badge>}
                      {reason && (
                        <span title={reason} className="text-xs font-normal text-zinc-500">
                          read-only
                        </span>
                      )}
                    </th>
                  );
                })}
              </tr>
            </thead>
            <tbody className="relative grid" style={{ height: virtualizer.getTotalSize() }}>
              {virtualizer.getVirtualItems().map((item) => {
                const row = shown[item.index];
                const missingIn = environments.filter((e) => !row.cells[e.name]).map((e) => e.name);
                return (
                  <tr
                    key={row.key}
                    aria-rowindex={item.index + 2}
                    className="absolute inset-x-0 grid border-b border-zinc-100 text-sm dark:border-zinc-800/60"
                    style={{
                      gridTemplateColumns: template,
                      height: ROW_HEIGHT,
                      transform: `translateY(${item.start}px)`,
                    }}
                  >
                    <th
                      scope="row"
                      className={cx(
                        "sticky left-0 z-[1] flex min-w-0 flex-col items-start justify-center bg-white px-3 dark:bg-zinc-950",
                        // Narrow screens: the missing badge goes under the key, which keeps the whole width.
                        "sm:flex-row sm:items-center sm:justify-start sm:gap-1.5",
                      )}
                    >
                      <span className="truncate font-mono text-xs" title={row.key}>
                        {row.key}
                      </span>
                      {missingIn.length > 0 && (
                        <span title={`Missing in ${missingIn.join(", ")}`} className="shrink-0 whitespace-nowrap">
                          <Badge tone="amber">missing {missingIn.length}</Badge>
                        </span>
                      )}
                    </th>
                    {columns.map((e, col) => (
                      <Cell
                        key={e.id}
                        slug={slug}
                        rowKey={row.key}
                        environment={e}
                        cell={row.cells[e.name]}
                        secretElsewhere={Object.values(row.cells).some((c) => c?.isSecret)}
                        position={`${item.index}:${col}`}
                        readOnlyReason={writeReason(e, role)}
                        editing={editing?.key === row.key && editing.env === e.name}
                        onEdit={(on) => setEditing(on ? { key: row.key, env: e.name } : null)}
                        onKeyDown={(event) => move(event, item.index, col)}
                      />
                    ))}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function Cell({
  slug,
  rowKey,
  environment,
  cell,
  position,
  readOnlyReason,
  secretElsewhere,
  editing,
  onEdit,
  onKeyDown,
}: {
  slug: string;
  rowKey: string;
  environment: GridEnvironment;
  cell: GridCell | undefined;
  /** The key is a secret in another environment: filling a missing cell starts as a secret too. */
  secretElsewhere: boolean;
  position: string;
  readOnlyReason: string | null;
  editing: boolean;
  onEdit: (on: boolean) => void;
  onKeyDown: (event: KeyboardEvent<HTMLElement>) => void;
}) {
  const what = cell ? (cell.isSecret ? "secret" : "value") : "missing";
  const label = readOnlyReason
    ? `${rowKey} in ${environment.name} (${what})`
    : cell
      ? cell.isSecret
        ? `Overwrite secret ${rowKey} in ${environment.name}`
        : `Edit ${rowKey} in ${environment.name}`
      : `Set ${rowKey} in ${environment.name} (missing)`;
  return (
    <td className="relative min-w-0 px-1">
      <button
        type="button"
        data-cell={position}
        aria-label={label}
        disabled={!!readOnlyReason}
        title={readOnlyReason ?? undefined}
        onClick={() => onEdit(true)}
        onKeyDown={onKeyDown}
        className={cx(
          "flex h-full w-full min-w-0 items-center gap-1.5 rounded px-2 text-left",
          "hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-indigo-500 dark:hover:bg-zinc-900",
          "disabled:cursor-not-allowed disabled:hover:bg-transparent",
        )}
      >
        {!cell ? (
          <span className="text-zinc-400" aria-hidden="true">
            —
          </span>
        ) : cell.isSecret ? (
          <span className="tracking-widest text-zinc-500" aria-hidden="true">
            ••••
          </span>
        ) : (
          <span className="truncate font-mono text-xs" aria-hidden="true">
            {cell.preview === "" ? <em className="text-zinc-400">empty</em> : cell.preview}
          </span>
        )}
        {cell && cell.overrideCount > 0 && (
          <span
            className="ml-auto shrink-0"
            title={`${cell.overrideCount} branch override${cell.overrideCount === 1 ? "" : "s"}`}
          >
            <Badge tone="indigo">
              {cell.overrideCount}
              <span className="sr-only"> branch overrides</span>
            </Badge>
          </span>
        )}
      </button>
      {editing && !readOnlyReason && (
        <CellEditor
          anchor={() => document.querySelector<HTMLElement>(`[data-cell="${position}"]`)}
          slug={slug}
          rowKey={rowKey}
          environment={environment}
          cell={cell}
          secretElsewhere={secretElsewhere}
          close={() => {
            onEdit(false);
            requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-cell="${position}"]`)?.focus());
          }}
        />
      )}
    </td>
  );
}

/** The in-place editor: Enter saves, Escape cancels. Inputs are uncontrolled: a secret never becomes an attribute. */
/**
 * Where the editor goes: over its cell, in a portal (the grid's scroll box would clip it), opening upward when
 * there is no room below and kept inside the window; hidden while its cell is scrolled out of the grid's box.
 */
function useAnchoredStyle(anchor: () => HTMLElement | null, box: RefObject<HTMLElement | null>) {
  const [style, setStyle] = useState<CSSProperties>({ position: "fixed", top: 0, left: 0 });
  useLayoutEffect(() => {
    function place() {
      const cell = anchor();
      const editor = box.current;
      if (!cell || !editor) return;
      const r = cell.getBoundingClientRect();
      const scroller = cell.closest("[data-grid-scroll]")?.getBoundingClientRect();
      const margin = 8;
      const width = Math.min(Math.max(r.width, 256), window.innerWidth - 2 * margin);
      const height = editor.offsetHeight;
      const left = Math.min(Math.max(r.left, margin), window.innerWidth - width - margin);
      const below = r.top + height <= window.innerHeight - margin;
      const top = below ? r.top : Math.max(margin, r.bottom - height);
      const outOfView = scroller && (r.bottom <= scroller.top || r.top >= scroller.bottom);
      setStyle({ position: "fixed", top, left, width, visibility: outOfView ? "hidden" : undefined });
    }
    place();
    const observer = new ResizeObserver(place);
    if (box.current) observer.observe(box.current);
    window.addEventListener("scroll", place, true);
    window.addEventListener("resize", place);
    return () => {
      observer.disconnect();
      window.removeEventListener("scroll", place, true);
      window.removeEventListener("resize", place);
    };
  }, [anchor, box]);
  return style;
}

function CellEditor({
  anchor,
  slug,
  rowKey,
  environment,
  cell,
  secretElsewhere,
  close,
}: {
  /** The cell's button: the editor is placed over it. */
  anchor: () => HTMLElement | null;
  slug: string;
  rowKey: string;
  environment: GridEnvironment;
  cell: GridCell | undefined;
  secretElsewhere: boolean;
  close: () => void;
}) {
  const queryClient = useQueryClient();
  const inputRef = useRef<HTMLInputElement>(null);
  const boxRef = useRef<HTMLDivElement>(null);
  const [anchorOf] = useState(() => anchor);
  const placement = useAnchoredStyle(anchorOf, boxRef);
  const [secret, setSecret] = useState(cell?.isSecret ?? secretElsewhere);
  // The grid shows previews: the full value is read now, for editing (a secret has none to read).
  const standard = !!cell && !cell.isSecret;
  const full = useFullValue(slug, environment.name, rowKey, standard);
  const [askEmpty, setAskEmpty] = useState(false);
  const errorId = useId();
  // The value is read from the input when the request is sent: it is never kept as the mutation's variables.
  const save = useMutation({
    gcTime: 0,
    mutationFn: async () =>
      expect(
        (
          await api.setVariable({
            input: {
              project: slug,
              environment: environment.name,
              key: rowKey,
              value: inputRef.current?.value ?? "",
              secret: cell ? undefined : secret,
              expectedRevision: environment.revision,
            },
          })
        ).setVariable,
        "SetVariablePayload",
      ),
    onSuccess: async () => {
      if (inputRef.current) inputRef.current.value = "";
      close();
      await queryClient.invalidateQueries({ queryKey: keys.project(slug) });
    },
    onError: async (error) => {
      // A stale revision: reload so the next attempt expects the current one.
      if (error instanceof ResultError && error.result.__typename === "ConflictError")
        await queryClient.invalidateQueries({ queryKey: gridKey(slug) });
    },
  });
  const failure = save.error instanceof ResultError ? save.error : null;
  const message = save.error
    ? failure?.result.__typename === "ConflictError"
      ? `${environment.name} changed since the grid was loaded; it has been refreshed. Check the value and save again.`
      : (failure?.forField("value") ?? save.error.message)
    : null;

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      close();
    } else if (event.key === "Enter") {
      event.preventDefault();
      submit();
    }
  }
  /** An empty value is allowed but rarely meant (a cleared cell): it is saved only when asked twice. */
  function submit() {
    const empty = (inputRef.current?.value ?? "") === "";
    const alreadyEmpty = cell && !cell.isSecret && cell.preview === "";
    if (empty && !alreadyEmpty && !askEmpty) {
      save.reset();
      setAskEmpty(true);
      return;
    }
    save.mutate();
  }
  const loaded = !standard || full.isSuccess;
  useEffect(() => {
    if (loaded) inputRef.current?.focus();
  }, [loaded]);

  const isSecret = cell ? cell.isSecret : secret;
  return createPortal(
    <div
      ref={boxRef}
      style={placement}
      className="z-20 flex flex-col gap-1.5 rounded-md border border-indigo-400 bg-white p-2 shadow-lg dark:bg-zinc-900"
    >
      {!cell && (
        <fieldset className="flex gap-3 text-xs">
          <legend className="sr-only">Type of the new key</legend>
          <label className="flex items-center gap-1">
            <input type="radio" name={`${errorId}-type`} checked={!secret} onChange={() => setSecret(false)} />
            Standard
          </label>
          <label className="flex items-center gap-1">
            <input type="radio" name={`${errorId}-type`} checked={secret} onChange={() => setSecret(true)} />
            Secret
          </label>
        </fieldset>
      )}
      {standard && full.isPending ? (
        <p className="text-xs text-zinc-500">Loading the value…</p>
      ) : standard && full.isError ? (
        <p role="alert" className="text-xs text-red-600 dark:text-red-400">
          {full.error.message}
        </p>
      ) : (
        <input
          ref={inputRef}
          type={isSecret ? "password" : "text"}
          autoComplete={isSecret ? "new-password" : "off"}
          spellCheck={false}
          aria-label={
            cell?.isSecret
              ? `New secret value for ${rowKey} in ${environment.name}`
              : `${rowKey} in ${environment.name}`
          }
          placeholder={cell?.isSecret ? "New secret value (never shown)" : "Value"}
          defaultValue={standard ? (full.data?.value ?? "") : undefined}
          aria-invalid={!!message}
          aria-describedby={message || askEmpty ? errorId : undefined}
          onKeyDown={onKeyDown}
          onChange={() => setAskEmpty(false)}
          disabled={save.isPending}
          className="w-full rounded border border-zinc-300 bg-white px-2 py-1 font-mono text-xs dark:border-zinc-700 dark:bg-zinc-950"
        />
      )}
      {message ? (
        <p id={errorId} role="alert" className="text-xs text-red-600 dark:text-red-400">
          {message}
        </p>
      ) : askEmpty && !save.isPending ? (
        <p id={errorId} role="alert" className="text-xs text-amber-700 dark:text-amber-400">
          Save an empty value? {rowKey} stays in {environment.name}, set to nothing. Enter again saves it empty · Esc
          cancels
        </p>
      ) : (
        <p className="text-xs text-zinc-500">{save.isPending ? "Saving…" : "Enter saves · Esc cancels"}</p>
      )}
      <div className="flex justify-end gap-1.5">
        <Button variant="ghost" className="px-2 py-0.5 text-xs" onClick={close}>
          Cancel
        </Button>
        <Button variant="primary" className="px-2 py-0.5 text-xs" disabled={save.isPending || !loaded} onClick={submit}>
          {askEmpty ? "Save empty value" : "Save"}
        </Button>
      </div>
    </div>,
    document.body,
  );
}
