/**
 * A variable's note on the environment screen: shown under its key, edited in a dialog (secrets
 * too: a note is documentation, never the value). Saved alone with setVariableNote.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { noteErrors } from "../../../core/notes.js";
import { Button, Dialog, FormError, TextArea } from "../components/ui.js";
import { api, expect, ResultError } from "../lib/api.js";
import type { EnvironmentWithVariables, Variable } from "../lib/environment.js";
import { keys, type Project } from "../lib/queries.js";

/** The note under a key (pre-wrapped, muted); nothing when there is none. */
export function NoteText({ note }: { note: string | null | undefined }) {
  if (!note) return null;
  return (
    <span
      className="mt-1 block font-sans text-xs font-normal break-normal whitespace-pre-wrap text-zinc-500 dark:text-zinc-400"
      style={{ overflowWrap: "anywhere" }}
    >
      {note}
    </span>
  );
}

export function EditNote({
  project,
  env,
  variable,
  onClose,
  onDone,
}: {
  project: Project;
  env: EnvironmentWithVariables;
  variable: Variable;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const [note, setNote] = useState(variable.note ?? "");
  const [local, setLocal] = useState<string | null>(null);
  const queryClient = useQueryClient();
  const write = useMutation({
    mutationFn: async () =>
      expect(
        (
          await api.setVariableNote({
            input: { project: project.slug, environment: env.name, key: variable.key, note },
          })
        ).setVariableNote,
        "SetVariableNotePayload",
      ),
    onSuccess: async (r) => {
      await queryClient.invalidateQueries({ queryKey: keys.project(project.slug) });
      onDone(
        !r.changed
          ? `The note of ${r.key} is unchanged.`
          : r.note
            ? `Saved the note of ${r.key} (revision ${r.revision}).`
            : `Removed the note of ${r.key} (revision ${r.revision}).`,
      );
    },
  });
  const server = write.error instanceof ResultError ? write.error : null;
  const fieldError = server?.forField("note") ?? null;
  function submit(event: FormEvent) {
    event.preventDefault();
    const error = noteErrors(note, [])[0]?.message ?? null;
    setLocal(error);
    write.reset();
    if (!error) write.mutate();
  }
  return (
    <Dialog
      open
      onOpenChange={(o) => !o && onClose()}
      title={`Note of ${variable.key}`}
      description={`Documentation for ${variable.key} in ${env.name}, written above the key by envplane env pull. Leave it empty to remove it.`}
    >
      <form onSubmit={submit} className="flex flex-col gap-3" noValidate>
        <TextArea
          label="Note"
          rows={4}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          error={local ?? fieldError}
          autoFocus
        />
        <FormError error={write.error && !fieldError ? write.error : null} />
        <div className="flex justify-end gap-2">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={write.isPending}>
            Save note
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
