/**
 * Reading scanned files safely: bounded size, binary detection, unreadable files and symlink
 * loops become problems (which the parse-error rule reports), never exceptions.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SourceFile } from '../core/source-file.js';

/** Deployment files are small; anything larger is almost certainly not what its name says. */
export const MAX_FILE_BYTES = 5 * 1024 * 1024;

export type ReadOutcome = { ok: true; source: SourceFile } | { ok: false; reason: string };

export function readSource(root: string, relPath: string): ReadOutcome {
  const abs = join(root, relPath);
  try {
    const st = statSync(abs);
    if (!st.isFile()) return { ok: false, reason: 'not a regular file' };
    if (st.size > MAX_FILE_BYTES) return { ok: false, reason: `file is ${(st.size / 1048576).toFixed(1)} MB, over the ${MAX_FILE_BYTES / 1048576} MB limit; skipped` };
    const buf = readFileSync(abs);
    const probe = buf.subarray(0, 8000);
    if (probe.includes(0)) return { ok: false, reason: 'binary file (contains NUL bytes); skipped' };
    return { ok: true, source: new SourceFile(relPath, buf.toString('utf8')) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return { ok: false, reason: 'symbolic link loop; cannot read' };
    if (code === 'EACCES' || code === 'EPERM') return { ok: false, reason: 'permission denied; cannot read' };
    if (code === 'ENOENT') return { ok: false, reason: 'broken symbolic link or missing file' };
    return { ok: false, reason: `cannot read (${code ?? (e as Error).message})` };
  }
}
