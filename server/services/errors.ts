/**
 * Expected failures. The GraphQL layer exposes each class as a type of the result unions,
 * so clients can switch on `__typename`. Messages name the thing and say what to do; they
 * never contain a variable's value.
 */
import type { FieldError } from "../../core/names.js";

export class AppError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(
    message: string,
    readonly fieldErrors: FieldError[] = [],
  ) {
    super(message);
  }
  static fromFields(fieldErrors: FieldError[]): ValidationError {
    const first = fieldErrors[0];
    const where = first.path.length ? `${first.path.join(".")}: ` : "";
    const more =
      fieldErrors.length > 1 ? ` (and ${fieldErrors.length - 1} more problem${fieldErrors.length > 2 ? "s" : ""})` : "";
    return new ValidationError(`${where}${first.message}${more}`, fieldErrors);
  }
}

export class NotFoundError extends AppError {
  constructor(
    message: string,
    readonly resource: string,
  ) {
    super(message);
  }
}

export class ConflictError extends AppError {
  constructor(
    message: string,
    readonly currentRevision: number | null = null,
  ) {
    super(message);
  }
}

export class ForbiddenError extends AppError {}

/** Throws a ValidationError when there are problems. */
export function assertValid(errors: FieldError[]): void {
  if (errors.length) throw ValidationError.fromFields(errors);
}

/**
 * Stored values that cannot be decrypted (a damaged or moved ciphertext). Names the keys and
 * how to recover, never a value; the server log names the rows.
 */
export class UndecryptableError extends AppError {
  constructor(
    message: string,
    readonly keys: string[],
  ) {
    super(message);
  }

  static inEnvironment(
    where: { project?: string; environment: string },
    keys: string[],
    override = false,
  ): UndecryptableError {
    const unique = [...new Set(keys)].sort();
    const what = unique.length === 1 ? `1 ${override ? "branch override" : "value"}` : `${unique.length} values`;
    const place = `"${where.environment}"${where.project ? ` of project "${where.project}"` : ""}`;
    const them = unique.length === 1 ? "it" : "them";
    return new UndecryptableError(
      `${what} in ${place} cannot be decrypted (damaged in the database): ${unique.join(", ")}. ` +
        `Set ${them} again (envplane env set <KEY> <value> ` +
        `--env ${where.environment}${override ? " --branch <branch>" : ""}) to replace ${them}, ` +
        `or unset ${them} (envplane env unset <KEY> --env ${where.environment}${override ? " --branch <branch>" : ""}).`,
      unique,
    );
  }
}
