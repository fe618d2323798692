/**
 * A scratch copy of a scanned tree in the OS temp directory, for `fix --dry-run`: the fix loop
 * runs there exactly as it would on the real tree (writes, re-audits, restores), and the real tree
 * is never written.
 *
 * What is copied is what the scan saw: every directory and file of the walk (folders the walk
 * skips, such as node_modules, are created empty; `.git` is left out and git facts are passed to
 * the audit instead). Files up to MAX_FILE_BYTES are copied; larger ones, which the scan never
 * reads, become sparse files of the same size. Modes are kept; broken symbolic links are
 * recreated broken. The caller checks fidelity by comparing the copy's findings with the real
 * tree's before trusting it.
 */
import { chmodSync, closeSync, constants, copyFileSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, readdirSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { classify } from '../discover/classify.js';
import { MAX_FILE_BYTES } from '../discover/read-file.js';
import type { RepoTree } from '../model/types.js';

export interface ScratchCopy {
  root: string;
  dispose(): void;
}

const underGit = (rel: string) => rel === '.git' || rel.startsWith('.git/') || rel.includes('/.git/') || rel.endsWith('/.git');

export function makeScratchCopy(tree: RepoTree): ScratchCopy {
  const base = mkdtempSync(join(tmpdir(), `drydock-fix-${process.pid}-`));
  const dispose = () => rmSync(base, { recursive: true, force: true });
  try {
    const rel = relative(realpathSync(tree.root), realpathSync(base));
    if (!rel.startsWith('..')) throw new Error('the temp directory is inside the scanned tree');
    const root = join(base, 'tree');
    mkdirSync(root);
    for (const d of [...tree.dirs].sort()) if (d && !underGit(d)) mkdirSync(join(root, d), { recursive: true });
    for (const f of tree.files) {
      if (underGit(f)) continue;
      const src = join(tree.root, f);
      const dst = join(root, f);
      let mode = 0o644;
      try {
        const st = statSync(src);
        mode = st.mode & 0o7777;
        if (st.size > MAX_FILE_BYTES) {
          const fd = openSync(dst, 'w');
          try {
            ftruncateSync(fd, st.size);
          } finally {
            closeSync(fd);
          }
        } else copyFileSync(src, dst, constants.COPYFILE_FICLONE);
      } catch {
        writeFileSync(dst, ''); // unreadable: the fidelity check will notice if it mattered
      }
      chmodSync(dst, mode);
    }
    // broken links the scan would report (deployment file names only): a loop points at
    // itself, a dangling link at a name that does not exist
    for (const d of tree.dirs) {
      if (underGit(d)) continue;
      let entries;
      try {
        entries = readdirSync(join(tree.root, d), { withFileTypes: true });
      } catch {
        continue;
      }
      for (const e of entries) {
        const f = d ? `${d}/${e.name}` : e.name;
        if (!e.isSymbolicLink() || tree.files.has(f) || tree.dirs.has(f) || classify(f) === 'other') continue;
        let loop = false;
        try {
          statSync(join(tree.root, f));
          continue; // resolves after all
        } catch (err) {
          loop = (err as NodeJS.ErrnoException).code === 'ELOOP';
        }
        symlinkSync(loop ? e.name : `${e.name}.drydock-missing-target`, join(root, f));
      }
    }
    return { root, dispose };
  } catch (e) {
    dispose();
    throw e;
  }
}
