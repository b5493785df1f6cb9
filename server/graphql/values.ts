/**
 * Secret masking, in exactly one place: every value the GraphQL API reads from storage
 * (Variable.value, BranchOverride.value) goes through `readValue`. A secret is never
 * decrypted for an API read, whatever the caller's role; only runtime resolution (a
 * service, for runtime tokens) opens secrets.
 */
import type { KeyRing } from "../services/keyring.js";

/** What a value field selects of its variable (an override selects it through `variable`). */
export const valueOwnerSelect = { key: true, isSecret: true, environmentId: true, environment: { select: { projectId: true } } } as const;

interface StoredValue {
  variable: { key: string; isSecret: boolean; environmentId: string; environment: { projectId: string } };
  /** null for a base value, the project branch id for an override. */
  branchId: string | null;
  valueVersion: number;
  ciphertext: Uint8Array;
}

/** The plaintext of a standard value; null for a secret (never decrypted). */
export function readValue(keys: KeyRing, { variable, branchId, valueVersion, ciphertext }: StoredValue): Promise<string> | null {
  if (variable.isSecret) return null;
  const identity = { projectId: variable.environment.projectId, environmentId: variable.environmentId, branchId, key: variable.key, valueVersion };
  return keys.decrypt(identity, ciphertext);
}
