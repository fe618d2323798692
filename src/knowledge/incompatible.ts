/**
 * Version pairs known to break at runtime (shared KNOWLEDGE.md §5). Small on purpose: each row is
 * verified (V) in the projects' own changelogs or maintainer statements, and each side's
 * published metadata does not cap the other, so a resolver happily installs the broken pair.
 * Rows about resolver conflicts (FastAPI < 0.100 + pydantic 2), or where a side's metadata may cap
 * the other (pandas/numpy 2), are left out: we cannot tell what pip would pick.
 */
import { compare as pep440Compare, explain as pep440Explain } from '@renovatebot/pep440';
import { pep440Allows } from '../parse/manifests/locks.js';

export interface IncompatibleSide {
  /** PEP 503 name */
  dist: string;
  /** PEP 440 range of the affected versions */
  affected: string;
  /** the last release ever published, when the project is no longer released (the resolver can pick nothing newer) */
  lastRelease?: string;
}

export interface IncompatibleRow {
  id: string;
  /** the side to change (usually the one that moved) */
  fixSide: IncompatibleSide;
  other: IncompatibleSide;
  /** what users see */
  error: string;
  /** when it shows, phrased to follow "fails with <error>" */
  when: string;
  fix: string;
  conf: 'V';
  source: string;
}

export const INCOMPATIBLE: readonly IncompatibleRow[] = [
  {
    id: 'bcrypt5-passlib17',
    fixSide: { dist: 'bcrypt', affected: '>=5.0.0' },
    other: { dist: 'passlib', affected: '>=1.7,<1.8', lastRelease: '1.7.4' },
    error: 'ValueError: password cannot be longer than 72 bytes, truncate manually if necessary (e.g. my_password[:72])',
    when: 'on the first password hash or verify (passlib\'s backend self-test hashes a 255-byte secret, which bcrypt 5 rejects)',
    fix: 'pin `bcrypt<5` (4.3.0 works; 4.1–4.3 only log a trapped `__about__` warning), or move off passlib',
    conf: 'V',
    source: 'pyca/bcrypt PR #1000 (bcrypt 5.0.0 changelog); pyca/bcrypt#1079 (works on 4.3.0, fails on 5.0.0); notypecheck/passlib#18. passlib 1.7.4 (2020-10-08) is its last release on PyPI',
  },
  {
    id: 'werkzeug3-flask22',
    fixSide: { dist: 'werkzeug', affected: '>=3.0' },
    other: { dist: 'flask', affected: '<2.3' },
    error: "ImportError: cannot import name 'url_quote' from 'werkzeug.urls'",
    when: 'at `import flask`',
    fix: 'upgrade Flask to 2.3 or later, or pin `Werkzeug<3`',
    conf: 'V',
    source: 'pallets/werkzeug#2789 (maintainer: unsupported Flask version; 2.3 is compatible); pallets/werkzeug#2808',
  },
  {
    id: 'sqlalchemy2-flask-sqlalchemy2',
    fixSide: { dist: 'sqlalchemy', affected: '>=2.0' },
    other: { dist: 'flask-sqlalchemy', affected: '<3.0.2' },
    error: "AttributeError: module 'sqlalchemy' has no attribute '__all__'",
    when: 'when `SQLAlchemy(app)` is created',
    fix: 'upgrade Flask-SQLAlchemy to 3.0.2 or later, or pin `SQLAlchemy<2`',
    conf: 'V',
    source: 'pallets-eco/flask-sqlalchemy:CHANGES.rst (3.0.2 "Update compatibility with SQLAlchemy 2"); pallets-eco/flask-sqlalchemy#1122',
  },
  {
    id: 'urllib3v2-requests-toolbelt',
    fixSide: { dist: 'urllib3', affected: '>=2.0' },
    other: { dist: 'requests-toolbelt', affected: '<1.0' },
    error: "ImportError: cannot import name 'appengine' from 'requests.packages.urllib3.contrib'",
    when: 'at import of requests_toolbelt',
    fix: 'upgrade requests-toolbelt to 1.0 or later, or pin `urllib3<2`',
    conf: 'V',
    source: 'requests/toolbelt#354 (urllib3 2.0.0 removed contrib.appengine); python-poetry/poetry#8679',
  },
  {
    id: 'email-validator1-pydantic2',
    fixSide: { dist: 'email-validator', affected: '<2.0' },
    other: { dist: 'pydantic', affected: '>=2.0' },
    error: 'ImportError: email-validator version >= 2.0 required, run pip install -U email-validator',
    when: 'when a model with an EmailStr field is built (usually at import)',
    fix: 'require `email-validator>=2` (or `pydantic[email]`)',
    conf: 'V',
    source: 'pydantic:pydantic/networks.py `import_email_validator`',
  },
];

// ---------------------------------------------------------------- what a range installs

/**
 * The version a resolver picks for a range: the newest release the range allows. Without a
 * release list we probe versions around every bound named by the range and the affected range;
 * `lastRelease` caps it for projects that no longer publish. Undefined when the range cannot be
 * read (then nothing is claimed).
 */
export function likelyInstalled(range: string, side: IncompatibleSide): string | undefined {
  if (pep440Allows('0', range) === undefined && range !== '') return undefined;
  const bounds = [...`${range},${side.affected}`.matchAll(/(\d+(?:\.\d+)*)/g)].map((m) => m[1]!);
  const candidates = new Set<string>(['0.1', '9999.0']);
  for (const b of bounds) {
    const parts = b.split('.').map(Number);
    while (parts.length < 3) parts.push(0);
    candidates.add(parts.join('.'));
    for (let i = 0; i < 3; i++) {
      const up = parts.slice();
      up[i]! += 1;
      for (let j = i + 1; j < 3; j++) up[j] = 0;
      candidates.add(up.join('.'));
      if (parts[i]! > 0) {
        const down = parts.slice();
        down[i]! -= 1;
        for (let j = i + 1; j < 3; j++) down[j] = 999;
        candidates.add(down.join('.'));
      }
    }
  }
  if (side.lastRelease) candidates.add(side.lastRelease);
  let best: string | undefined;
  for (const c of candidates) {
    if (side.lastRelease && safeCompare(c, side.lastRelease) > 0) continue;
    if (pep440Allows(c, range) !== true) continue;
    if (!best || safeCompare(c, best) > 0) best = c;
  }
  return best;
}

function safeCompare(a: string, b: string): number {
  try {
    if (!pep440Explain(a) || !pep440Explain(b)) return 0;
    return pep440Compare(a, b);
  } catch {
    return 0;
  }
}

/** Is this (exact) version in the side's affected range? */
export function isAffected(version: string, side: IncompatibleSide): boolean {
  return pep440Allows(version, side.affected) === true;
}
