/**
 * Secret masking, in exactly one place: every value the GraphQL API reads from storage
 * (Variable.value, BranchOverride.value) goes through `readValue`. A secret is never
 * decrypted for an API read, whatever the caller's role; only runtime resolution (a
 * service, for runtime tokens) opens secrets. A damaged value is an UndecryptableError
 * on its field (the log names the row), so the rest of a listing still arrives.
 */
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

/** The plaintext of a standard value; null for a secret (never decrypted). */
export function readValue(values: Services["values"], stored: StoredValue): Promise<string> | null {
  const { id, variable, branchId, valueVersion, ciphertext } = stored;
  if (variable.isSecret) return null;
  const { projectId, name } = variable.environment;
  const identity = { projectId, environmentId: variable.environmentId, branchId, key: variable.key, valueVersion };
  return values.decryptOne(identity, ciphertext, { environment: name, rowId: id });
}
