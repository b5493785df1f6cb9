/** One key of two compared states (compare, promote and restore share it). */
export type ComparisonStatus = "ADDED" | "REMOVED" | "CHANGED" | "UNCHANGED" | "SECRET_NOT_COMPARED";

export interface ComparisonEntry {
  key: string;
  status: ComparisonStatus;
  isSecret: boolean;
  /** Standard values only, for callers who may read both sides; null for secrets. */
  baseValue: string | null;
  headValue: string | null;
}
