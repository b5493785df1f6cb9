/**
 * Ctrl/⌘-K: jump to a project, an environment of a project, or a key of the current project
 * (from the grid's query cache; a key opens the grid filtered to it). A combobox over a listbox:
 * arrow keys move, Enter jumps.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useNavigate, useParams } from "@tanstack/react-router";
import { Dialog as RadixDialog } from "radix-ui";
import { type KeyboardEvent, useEffect, useId, useMemo, useState } from "react";
import { cachedGridKeys } from "../lib/grid.js";
import { useProjects } from "../lib/queries.js";
import { cx } from "./ui.js";

const MAX_ITEMS = 50;

interface Item {
  id: string;
  kind: "Project" | "Environment" | "Key";
  label: string;
  detail: string;
  go: () => void;
}

export function CommandPalette() {
  const [open, setOpen] = useState(false);
  useEffect(() => {
    function onKey(event: globalThis.KeyboardEvent) {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "k") {
        event.preventDefault();
        setOpen((o) => !o);
      }
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
  const mac = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform);
  return (
    <RadixDialog.Root open={open} onOpenChange={setOpen}>
      <RadixDialog.Trigger
        aria-label="Open the command palette"
        aria-keyshortcuts="Control+K Meta+K"
        className={cx(
          "inline-flex items-center gap-1 rounded-md border border-zinc-300 px-2 py-1 text-xs text-zinc-600",
          "hover:bg-zinc-50 dark:border-zinc-700 dark:text-zinc-300 dark:hover:bg-zinc-800",
        )}
      >
        {/* Narrow screens (no keyboard, little room): a search icon; the button's name says what it does. */}
        <svg aria-hidden="true" viewBox="0 0 20 20" fill="none" stroke="currentColor" className="size-4 sm:hidden">
          <circle cx="8.5" cy="8.5" r="5.5" strokeWidth="2" />
          <path d="m13 13 4.5 4.5" strokeWidth="2" strokeLinecap="round" />
        </svg>
        <kbd className="hidden font-sans sm:inline">{mac ? "⌘K" : "Ctrl K"}</kbd>
      </RadixDialog.Trigger>
      <RadixDialog.Portal>
        <RadixDialog.Overlay className="fixed inset-0 z-40 bg-black/40" />
        <RadixDialog.Content
          className={cx(
            "fixed top-[12vh] left-1/2 z-50 w-[calc(100vw-2rem)] max-w-xl -translate-x-1/2",
            "rounded-lg border border-zinc-200 bg-white shadow-xl dark:border-zinc-800 dark:bg-zinc-900",
          )}
        >
          <RadixDialog.Title className="sr-only">Go to</RadixDialog.Title>
          <RadixDialog.Description className="sr-only">
            Type to find a project, an environment or a key; arrow keys choose, Enter goes there.
          </RadixDialog.Description>
          <Palette close={() => setOpen(false)} />
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}

function Palette({ close }: { close: () => void }) {
  const projects = useProjects();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const params = useParams({ strict: false }) as { project?: string };
  const current = params.project;
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const listId = useId();

  const items = useMemo(() => {
    const all: Item[] = [];
    const jump = (to: () => Promise<void>) => () => {
      close();
      void to();
    };
    for (const p of projects.data ?? []) {
      all.push({
        id: `p:${p.slug}`,
        kind: "Project",
        label: p.name,
        detail: p.slug,
        go: jump(() => navigate({ to: "/projects/$project", params: { project: p.slug } })),
      });
      for (const e of p.environments)
        all.push({
          id: `e:${p.slug}:${e.name}`,
          kind: "Environment",
          label: e.name,
          detail: p.slug,
          go: jump(() =>
            navigate({
              to: "/projects/$project/environments/$environment",
              params: { project: p.slug, environment: e.name },
            }),
          ),
        });
    }
    if (current)
      for (const key of cachedGridKeys(queryClient, current))
        all.push({
          id: `k:${key}`,
          kind: "Key",
          label: key,
          detail: current,
          go: jump(() => navigate({ to: "/projects/$project", params: { project: current }, search: { q: key } })),
        });
    const q = query.trim().toLowerCase();
    const matches = q
      ? all.filter((i) => i.label.toLowerCase().includes(q) || `${i.detail} ${i.label}`.toLowerCase().includes(q))
      : all;
    // Exact and prefix matches first, the current project's before others', then the rest in their order.
    const rank = (i: Item) => {
      const label = i.label.toLowerCase();
      const match = label === q ? 0 : label.startsWith(q) ? 1 : 2;
      return match * 2 + (i.detail === current || i.id === `p:${current}` ? 0 : 1);
    };
    return matches
      .map((item, index) => ({ item, index }))
      .sort((a, b) => rank(a.item) - rank(b.item) || a.index - b.index)
      .slice(0, MAX_ITEMS)
      .map(({ item }) => item);
  }, [projects.data, query, current, queryClient, navigate, close]);

  useEffect(() => {
    document.getElementById(`${listId}-${active}`)?.scrollIntoView({ block: "nearest" });
  }, [active, listId]);

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!items.length) return;
      const step = event.key === "ArrowDown" ? 1 : -1;
      setActive((a) => (a + step + items.length) % items.length);
    } else if (event.key === "Enter") {
      event.preventDefault();
      items[active]?.go();
    }
  }

  return (
    <div>
      <input
        role="combobox"
        aria-label="Go to a project, environment or key"
        aria-expanded="true"
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={items.length ? `${listId}-${active}` : undefined}
        autoComplete="off"
        placeholder="Go to a project, environment or key…"
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onKeyDown={onKeyDown}
        className="w-full rounded-t-lg border-b border-zinc-200 bg-transparent px-4 py-3 text-sm outline-none dark:border-zinc-800"
      />
      <div id={listId} role="listbox" tabIndex={-1} aria-label="Results" className="max-h-80 overflow-y-auto p-1">
        {projects.isPending && <p className="px-3 py-2 text-sm text-zinc-500">Loading projects…</p>}
        {projects.isError && (
          <p role="alert" className="px-3 py-2 text-sm text-red-600 dark:text-red-400">
            {projects.error.message}
          </p>
        )}
        {!projects.isPending && items.length === 0 && (
          <p className="px-3 py-2 text-sm text-zinc-500">Nothing matches “{query}”.</p>
        )}
        {items.map((item, i) => (
          // biome-ignore lint/a11y/useKeyWithClickEvents: the combobox input handles the keyboard (aria-activedescendant)
          <div
            key={item.id}
            tabIndex={-1}
            id={`${listId}-${i}`}
            role="option"
            aria-selected={i === active}
            onMouseMove={() => setActive(i)}
            onClick={item.go}
            className={cx(
              "flex cursor-pointer items-center justify-between gap-3 rounded-md px-3 py-2 text-sm",
              i === active && "bg-indigo-50 dark:bg-indigo-950",
            )}
          >
            <span className="min-w-0 truncate">
              <span className={item.kind === "Key" ? "font-mono text-xs" : ""}>{item.label}</span>
              <span className="ml-2 text-xs text-zinc-500">{item.detail}</span>
            </span>
            <span className="shrink-0 text-xs text-zinc-500">{item.kind}</span>
          </div>
        ))}
      </div>
    </div>
  );
}
