/** Facts discovery gathers about the scanned tree (re-exported by model/types.ts). */
import type { GitHistory } from './git-history.js';

export type FileKind =
  | 'dockerfile'
  | 'dockerignore'
  | 'compose'
  | 'dotenv'
  | 'shell'
  | 'python'
  | 'python-manifest'
  | 'node-manifest'
  | 'lock'
  | 'config'
  | 'other';

export interface GitFacts {
  /** paths tracked in the index, relative to the scanned root */
  tracked: ReadonlySet<string>;
  /** index mode per tracked path: 0o100755 for executables, 0o100644, 0o120000 for symlinks */
  modes: ReadonlyMap<string, number>;
  /** true when .gitignore rules ignore this path (relative to the scanned root) */
  ignored(path: string): boolean;
  /**
   * the commit history reader (paths relative to the scanned root), opened on first call; null
   * without a readable HEAD. Absent when facts do not come from a real repository (tests). For
   * the model layer only: rules read the facts the model derived from it.
   */
  history?(): GitHistory | null;
}
