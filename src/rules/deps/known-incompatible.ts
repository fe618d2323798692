import type { RelatedLocation } from '../../core/finding.js';
import type { Location } from '../../core/location.js';
import { INCOMPATIBLE, isAffected, likelyInstalled, type IncompatibleSide } from '../../knowledge/incompatible.js';
import { installedView, type InstalledView } from '../../model/deps/installed.js';
import type { DeclaredDist } from '../../model/deps/types.js';
import { defineRule } from '../define-rule.js';
import { at, buildTargets, once, runIn } from './_shared.js';

interface Resolved {
  version: string;
  /** `locked` (an honoured lock), `pinned`/`range` (what the declared range installs), `extra` (brought by an extra, unconstrained) */
  how: 'locked' | 'range' | 'extra';
  range?: string;
  decl?: DeclaredDist;
  loc?: Location;
}

export default defineRule({
  meta: {
    id: 'deps/known-incompatible',
    severity: 'high',
    title: 'The image installs a version pair known to break at runtime',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary:
        'The versions the image will install (the lock when the install honours it, otherwise the newest release the declared ranges allow) include a pair known to fail at runtime, such as bcrypt 5 with passlib 1.7.',
      why:
        'Neither package caps the other in its metadata, so pip or uv installs the broken pair without complaint and the error appears only when the code runs. bcrypt 5.0 raises for secrets longer than 72 bytes and passlib 1.7.4 (its last release) hashes a 255-byte secret in its backend self-test, so every hash or verify fails with `ValueError: password cannot be longer than 72 bytes`. Flask < 2.3 with Werkzeug 3 fails at `import flask` (`cannot import name \'url_quote\'`); Flask-SQLAlchemy < 3.0.2 with SQLAlchemy 2 fails at `SQLAlchemy(app)`; requests-toolbelt < 1.0 with urllib3 2 fails at import; pydantic 2 with email-validator 1.x fails when an `EmailStr` model is built. An unpinned dependency is judged by its newest release, because that is what a fresh image build installs.',
      fix: 'Pin the side named in the finding (e.g. `bcrypt<5`), or upgrade the other side to a fixed release; then rebuild the image without cache.',
      verify: 'docker compose run --rm --no-deps <service> pip list | grep -i -E "bcrypt|passlib"',
      references: [
        { title: 'pyca/bcrypt 5.0.0: raise ValueError for passwords over 72 bytes (PR #1000)', url: 'https://github.com/pyca/bcrypt/pull/1000' },
        { title: 'pyca/bcrypt#1079: passlib fails on bcrypt 5.0.0, works on 4.3.0', url: 'https://github.com/pyca/bcrypt/issues/1079' },
        { title: 'pallets/werkzeug#2789: Flask < 2.3 with Werkzeug 3', url: 'https://github.com/pallets/werkzeug/issues/2789' },
        { title: 'Flask-SQLAlchemy 3.0.2 changelog: SQLAlchemy 2 compatibility', url: 'https://github.com/pallets-eco/flask-sqlalchemy/blob/main/CHANGES.rst' },
        { title: 'requests/toolbelt#354: urllib3 2.0 removed contrib.appengine', url: 'https://github.com/requests/toolbelt/issues/354' },
      ],
    },
  },
  check({ model, report }) {
    const first = once();
    for (const t of buildTargets(model)) {
      const b = t.build;
      if (!b.declared.length && !b.lockedPython.length) continue;
      const view = installedView(b);
      for (const row of INCOMPATIBLE) {
        const fix = resolve(view, row.fixSide);
        const other = resolve(view, row.other);
        if (!fix || !other) continue;
        if (!isAffected(fix.version, row.fixSide) || !isAffected(other.version, row.other)) continue;
        const loc = fix.loc ?? other.loc ?? b.installs[0]?.loc;
        if (!loc || !first(t.env?.name, `${row.id}\0${at(loc)}`)) continue;
        const describe = (name: string, r: Resolved): string => {
          if (r.how === 'locked') return `${name} ${r.version} (locked)`;
          if (r.how === 'extra') return `${name} (unpinned, brought by ${r.decl?.requirement.name}[${r.decl?.requirement.extras.join(',')}]: its newest release)`;
          if (r.range && /^===?[^,]+$/.test(r.range)) return `${name}${r.range}`;
          if (r.range) return `${name}${r.range} (${r.version.startsWith('9999') ? 'its newest release' : r.version})`;
          return `${name} (unpinned: its newest release)`;
        };
        const related: RelatedLocation[] = [];
        if (other.loc && other.loc !== loc) related.push({ location: other.loc, message: `${row.other.dist} is declared here` });
        const install = (fix.decl ?? other.decl)?.install.loc;
        if (install) related.push({ location: install, message: 'the install step' });
        report({
          message: `The image installs ${describe(row.fixSide.dist, fix)} with ${describe(row.other.dist, other)}, a pair that fails with "${row.error}" ${row.when}. Fix: ${row.fix}.`,
          location: loc,
          ...(t.env ? { environment: t.env.name } : {}),
          ...(t.service ? { service: t.service.name } : {}),
          related,
          key: `${row.id} ${b.dockerfile}`,
          verify: [runIn(t, 'pip', `show ${row.fixSide.dist} ${row.other.dist}`)],
        });
      }
    }
  },
});

/** The version the image ends up with, or undefined when the distribution is not installed or the range is unreadable. */
function resolve(view: InstalledView, side: IncompatibleSide): Resolved | undefined {
  const how = view.how(side.dist);
  if (!how) return undefined;
  const decl = how.declared;
  if (how.locked?.length && (!decl || decl.install.honoursLock || decl.install.kind === 'project')) {
    const v = how.locked.find(Boolean);
    if (v) return { version: v, how: 'locked', ...(decl ? { decl, loc: decl.requirement.loc } : {}) };
  }
  if (decl) {
    // every declaration applies at once (pip intersects them)
    const ranges = view.declarations(side.dist).map((d) => d.requirement.specifier);
    if (ranges.some((r) => r === null)) return undefined;
    const range = ranges.filter(Boolean).join(',');
    const v = likelyInstalled(range, side);
    return v ? { version: v, how: 'range', range, decl, loc: decl.requirement.loc } : undefined;
  }
  if (how.viaExtra) {
    const v = likelyInstalled('', side);
    return v ? { version: v, how: 'extra', decl: how.viaExtra, loc: how.viaExtra.requirement.loc } : undefined;
  }
  return undefined;
}
