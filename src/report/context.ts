import type { SourceFile } from '../core/source-file.js';

/** What reporters may use besides the result: pure data, no I/O. */
export interface ReportContext {
  /** scanned sources by relative path, for code frames */
  sources: ReadonlyMap<string, SourceFile>;
  color: boolean;
  /** rule id → title and whether a fix is available */
  ruleTitle(id: string): string | undefined;
}
