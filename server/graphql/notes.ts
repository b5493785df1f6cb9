/** Notes and .env layout on the API: Variable.note, what a push changed of them, and what pull returns. */
import { NoteStore } from "../services/notes.js";
import { builder } from "./builder.js";
import { mutation } from "./mutation.js";
import { BulkUpsertVariablesPayload, PulledVariable } from "./variable.js";

builder.prismaObjectField("Variable", "note", (t) =>
  t.string({
    nullable: true,
    description:
      "The variable's note (the comment block above its key in a .env file); null when none. Readable wherever " +
      "the variable is, for secrets too: a note is documentation, never the value.",
    select: {
      key: true,
      environmentId: true,
      noteCiphertext: true,
      noteVersion: true,
      environment: { select: { projectId: true, name: true } },
    },
    resolve: (v, _a, ctx) => {
      if (v.noteCiphertext == null || v.noteVersion == null) return null;
      const id = {
        projectId: v.environment.projectId,
        environmentId: v.environmentId,
        key: v.key,
        noteVersion: v.noteVersion,
      };
      return NoteStore.of(ctx.services.values).open(id, v.noteCiphertext, { environment: v.environment.name });
    },
  }),
);

builder.objectFields(BulkUpsertVariablesPayload, (t) => ({
  notesChanged: t.exposeStringList("notesChanged", {
    description: "Existing keys whose note this push set, edited or cleared (a note alone makes a revision).",
  }),
  layoutChanged: t.exposeBoolean("layoutChanged", {
    description: "Whether the key order or blank-line grouping changed (only with `layout`).",
  }),
}));

builder.objectFields(PulledVariable, (t) => ({
  note: t.string({
    nullable: true,
    description: "The variable's note; null when none.",
    resolve: (v) => v.note ?? null,
  }),
  position: t.int({
    nullable: true,
    description: "Place in the environment's .env layout; null when never placed (such keys follow, by key).",
    resolve: (v) => v.position ?? null,
  }),
  blankLineBefore: t.boolean({
    description: "A blank line above the key in the .env layout.",
    resolve: (v) => v.blankLineBefore ?? false,
  }),
}));

const SetVariableNoteInput = builder.inputType("SetVariableNoteInput", {
  fields: (t) => ({
    project: t.string({ required: true }),
    environment: t.string({ required: true }),
    key: t.string({ required: true }),
    note: t.string({ required: true, description: 'The note ("" removes it), at most 2,000 characters.' }),
    expectedRevision: t.int(),
  }),
});

const SetVariableNotePayload = builder
  .objectRef<{ environment: { id: string; revision: number }; key: string; note: string | null; changed: boolean }>(
    "SetVariableNotePayload",
  )
  .implement({
    fields: (t) => ({
      environment: t.prismaField({
        type: "Environment",
        resolve: (query, p, _a, ctx) =>
          ctx.db.reader.environment.findUniqueOrThrow({ ...query, where: { id: p.environment.id } }),
      }),
      revision: t.int({ resolve: (p) => p.environment.revision }),
      key: t.exposeString("key"),
      note: t.exposeString("note", { nullable: true }),
      changed: t.exposeBoolean("changed", { description: "false when the note was already this: nothing written." }),
    }),
  });

mutation("setVariableNote", {
  input: SetVariableNoteInput,
  type: SetVariableNotePayload,
  description: "Sets or removes the note of one base variable (secrets too), leaving its value alone.",
  resolve: (input, actor, ctx) => ctx.services.notes.setVariableNote(actor, input),
});
