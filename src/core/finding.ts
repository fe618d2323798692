import type { Location } from './location.js';
import type { Severity } from './severity.js';

export interface RelatedLocation {
  location: Location;
  message: string;
}

export type FixSafety = 'safe' | 'unsafe' | 'display-only';

/** A text edit: replace [start, end) offsets of `file` with `text`. */
export interface TextEdit {
  file: string;
  start: number;
  end: number;
  text: string;
}

export interface Fix {
  description: string;
  safety: FixSafety;
  edits: TextEdit[];
  /** create these files (e.g. an empty directory placeholder); never overwrite */
  createDirectories?: string[];
}

/** The public finding shape: serialised as-is by the JSON reporter (README documents it). */
export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  environment?: string;
  service?: string;
  location: Location;
  related: RelatedLocation[];
  fix: Fix | null;
  /** commands that check the fix after deploying */
  verify?: string[];
  fingerprint: string;
}
