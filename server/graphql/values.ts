/**
 * Secret masking, in exactly one place: every value the GraphQL API reads from storage
 * (Variable.value, BranchOverride.value) goes through `readValue`. A secret is never
 * decrypted for an API read, whatever the caller's role; only runtime resolution (a
 * service, for runtime tokens) opens secrets. A damaged value is an UndecryptableError
 * on its field (the log names the row), so the rest of a listing still arrives.
 */
import { previewOf, SECRET_PREVIEW } from "../../core/preview.js";
import type { Services } from "../services/index.js";

/** What a value field selects of its variable (an override selects it through `variable`). */
export const valueOwnerSelect = {
  key: true,
  isSecret: true,
  environmentId: true,
  environment: { select: { projectId: true, name: true } },
} as const;

interface StoredValue {
  /** The row: the variable for a base value, the override for an override. */
  id: string;
  variable: { key: string; isSecret: boolean; environmentId: string; environment: { projectId: string; name: string } };
  /** null for a base value, the project branch id for an override. */
  branchId: string | null;
  valueVersion: number;
  ciphertext: Uint8Array;
}

/**
 * One decryption per loaded row, shared by the fields that need it (`value` and `preview` of one row in one
 * request): keyed by the row's ciphertext buffer, which lives as long as that request's row. A damaged
 * value is then also logged once.
 */
const decrypted = new WeakMap<Uint8Array, Promise<string>>();

/** The plaintext of a standard value; null for a secret (never decrypted). */
export function readValue(values: Services["values"], stored: StoredValue): Promise<string> | null {
  const { id, variable, branchId, valueVersion, ciphertext } = stored;
  if (variable.isSecret) return null;
  const known = decrypted.get(ciphertext);
  if (known) return known;
  const { projectId, name } = variable.environment;
  const identity = { projectId, environmentId: variable.environmentId, branchId, key: variable.key, valueVersion };
  const plaintext = values.decryptOne(identity, ciphertext, { environment: name, rowId: id });
  decrypted.set(ciphertext, plaintext);
  return plaintext;
}

export const PREVIEW_DESCRIPTION =
  'For listings: the first 12 characters of the value and "…" when it is longer; "••••" for a secret, ' +
  "whatever the caller. Needs the permission `value` needs (a token that may only write lists no variables; " +
  "Environment.keys gives it the names).";

/** A listing's preview of a stored value: "••••" for a secret (never decrypted), else the value's first characters. */
export async function readPreview(values: Services["values"], stored: StoredValue): Promise<string> {
  if (stored.variable.isSecret) return SECRET_PREVIEW;
  return previewOf((await readValue(values, stored)) ?? "");
}
