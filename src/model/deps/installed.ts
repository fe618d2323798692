/**
 * Queries over one build's dependency facts: is a distribution installed (declared, brought in
 * by a known extra, locked by an honoured lock, or shipped by the base image), and at which
 * range or version. Pure functions of BuildDeps, for rules.
 */
import { extraRow } from '../../knowledge/implicit-deps.js';
import { preinstalledInPythonImage } from '../../knowledge/python-imports.js';
import { normalizeDistName } from '../../parse/manifests/pep508.js';
import type { BuildDeps, DeclaredDist } from './types.js';

export interface InstalledView {
  /** the distribution (PEP 503 name or as written) ends up in the image */
  has(dist: string): boolean;
  /** how: the declaration, the extra that brings it, the lock, or the base image */
  how(dist: string): { declared?: DeclaredDist; viaExtra?: DeclaredDist; locked?: string[]; preinstalled?: boolean } | undefined;
  /** declared requirements with an extra we do not know the contents of (it may bring anything) */
  unknownExtras: DeclaredDist[];
  /** every declaration of the distribution */
  declarations(dist: string): DeclaredDist[];
  /** locked versions from the locks the installs honour */
  locked(dist: string): string[] | undefined;
}

export function installedView(b: BuildDeps): InstalledView {
  const byKey = new Map<string, DeclaredDist[]>();
  const viaExtra = new Map<string, DeclaredDist>();
  const unknownExtras: DeclaredDist[] = [];
  for (const d of b.declared) {
    const list = byKey.get(d.key);
    if (list) list.push(d);
    else byKey.set(d.key, [d]);
    for (const e of d.requirement.extras) {
      const row = extraRow(d.key, e);
      if (!row) {
        unknownExtras.push(d);
        continue;
      }
      for (const p of row.provides) if (!viaExtra.has(p)) viaExtra.set(p, d);
    }
  }
  const preinstalled = new Set(preinstalledInPythonImage(b.pythonVersion));
  const locked = (key: string): string[] | undefined => {
    for (const l of b.lockedPython) {
      const v = l.packages.get(key);
      if (v) return v;
    }
    return undefined;
  };
  const how: InstalledView['how'] = (dist) => {
    const key = normalizeDistName(dist);
    const declared = byKey.get(key)?.[0];
    const extra = viaExtra.get(key);
    const lock = locked(key);
    if (!declared && !extra && !lock && !preinstalled.has(key)) return undefined;
    return { ...(declared ? { declared } : {}), ...(extra ? { viaExtra: extra } : {}), ...(lock ? { locked: lock } : {}), ...(preinstalled.has(key) ? { preinstalled: true } : {}) };
  };
  return {
    has: (dist) => how(dist) !== undefined,
    how,
    unknownExtras,
    declarations: (dist) => byKey.get(normalizeDistName(dist)) ?? [],
    locked: (dist) => locked(normalizeDistName(dist)),
  };
}

/** `pkg[extra]` spellings (from ImplicitNeed.extras) that the build declares. */
export function declaresExtra(b: BuildDeps, spelled: string): boolean {
  const m = /^([^[]+)\[([^\]]+)\]$/.exec(spelled);
  if (!m) return false;
  const key = normalizeDistName(m[1]!);
  const extra = normalizeDistName(m[2]!);
  return b.declared.some((d) => d.key === key && d.requirement.extras.some((e) => normalizeDistName(e) === extra));
}
