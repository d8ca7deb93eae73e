/** What of an error goes into a log line: its code and message, never its payload. */
export function errInfo(err: unknown): { code?: string; message: string } {
  const e = err as { code?: unknown; message?: unknown } | null | undefined;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  return code ? { code, message } : { message };
}
