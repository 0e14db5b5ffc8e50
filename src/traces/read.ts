/** Reading a trace file once per thread: checked (a regular file, not too large), parsed, kept. */
import { readFileSync, statSync } from 'node:fs';

/** The largest trace file read (a month of 1 s heartbeats as CSV is about 100 MB). */
export const MAX_TRACE_BYTES = 256 * 2 ** 20;

const cache = new Map<string, unknown>();

/**
 * `parse(text)` of the file at `path`, kept under `key` (the runs of a sweep
 * read it once per thread); any problem is one Error line starting with
 * `what path:`.
 */
export function readTrace<T>(what: string, path: string, key: string, parse: (text: string) => T): T {
  if (cache.has(key)) return cache.get(key) as T;
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new Error(`${what} ${path}: cannot read the file`);
  }
  if (!st.isFile()) throw new Error(`${what} ${path}: not a regular file`);
  if (st.size > MAX_TRACE_BYTES) throw new Error(`${what} ${path}: ${st.size.toLocaleString('en-US')} bytes, more than the ${MAX_TRACE_BYTES.toLocaleString('en-US')} read`);
  let out: T;
  try {
    out = parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${what} ${path}: ${(e as Error).message}`);
  }
  cache.set(key, out);
  return out;
}
