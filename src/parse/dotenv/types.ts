import type { Location } from '../../core/location.js';

export interface DotenvEntry {
  key: string;
  /** the value after quote processing and interpolation; null for a bare `KEY` line */
  value: string | null;
  /** the value as written, before quote processing */
  raw: string;
  quote: 'none' | 'single' | 'double';
  /** location of the whole `KEY=value` line */
  loc: Location;
  /** location of the value text */
  valueLoc: Location;
  /** offsets of the line in the file */
  range: [number, number];
}

export interface DotenvFile {
  path: string;
  entries: DotenvEntry[];
  /** by key; a later line wins, as in Compose */
  values: Map<string, DotenvEntry>;
  errors: { message: string; loc: Location }[];
}
