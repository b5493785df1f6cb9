/** Parsed option values (see command.ts) and typed readers for them. */
export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export const opt = {
  string: (o: OptionValues, name: string) => (typeof o[name] === "string" ? (o[name] as string) : undefined),
  bool: (o: OptionValues, name: string) => o[name] === true,
  list: (o: OptionValues, name: string) =>
    Array.isArray(o[name]) ? (o[name] as unknown[]).filter((v): v is string => typeof v === "string") : [],
};
