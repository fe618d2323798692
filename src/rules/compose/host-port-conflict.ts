import { compareLocations } from '../../core/location.js';
import type { PortMapping, ServiceModel } from '../../model/types.js';
import { mapGet, scalarText } from '../../parse/compose/yaml-tree.js';
import { defineRule } from '../define-rule.js';

interface Binding {
  svc: ServiceModel;
  port: PortMapping;
  from: number;
  to: number;
  protocol: string;
  /** undefined: every interface (no IP, 0.0.0.0 or ::) */
  ip?: string;
  family: 'any' | 'v4' | 'v6';
}

function range(text: string): [number, number] | undefined {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text.trim());
  if (!m) return undefined;
  const a = Number(m[1]);
  const b = m[2] === undefined ? a : Number(m[2]);
  return a > 0 && b >= a && b <= 65535 ? [a, b] : undefined;
}

function binding(svc: ServiceModel, port: PortMapping): Binding | undefined {
  if (port.published === undefined) return undefined; // an ephemeral host port never conflicts
  const r = range(port.published);
  if (!r) return undefined;
  const ip = port.hostIp?.replace(/^\[|\]$/g, '') || undefined;
  let family: Binding['family'] = 'any';
  let specific: string | undefined;
  if (ip === undefined) family = 'any';
  else if (ip === '0.0.0.0') family = 'v4';
  else if (ip === '::') family = 'v6';
  else {
    family = ip.includes(':') ? 'v6' : 'v4';
    specific = ip;
  }
  return { svc, port, from: r[0], to: r[1], protocol: (port.protocol || 'tcp').toLowerCase(), ip: specific, family };
}

/** Both bindings would claim the same host address and port. */
function clash(a: Binding, b: Binding): boolean {
  if (a.protocol !== b.protocol || a.to < b.from || b.to < a.from) return false;
  if (a.family === 'any' || b.family === 'any') return true;
  if (a.family !== b.family) return false;
  // a wildcard of one family covers every address of that family
  return a.ip === undefined || b.ip === undefined || a.ip === b.ip;
}

function address(b: Binding): string {
  const ip = b.ip ?? (b.family === 'v6' ? '::' : '0.0.0.0');
  return ip.includes(':') ? `[${ip}]` : ip;
}

function describe(b: Binding): string {
  return `${address(b)}:${b.from === b.to ? b.from : `${b.from}-${b.to}`}/${b.protocol}`;
}

function overlap(a: Binding, b: Binding): string {
  const from = Math.max(a.from, b.from);
  const to = Math.min(a.to, b.to);
  return from === to ? `${from}` : `${from}-${to}`;
}

/** `network_mode: host` discards `ports`: the process binds the host's ports itself. */
function hostNetwork(svc: ServiceModel): boolean {
  return scalarText(mapGet(svc.node, 'network_mode')) === 'host';
}

export default defineRule({
  meta: {
    id: 'compose/host-port-conflict',
    severity: 'critical',
    title: 'Two services publish the same host port',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary: 'Two enabled services of one environment (or one service twice) publish the same host port on overlapping host addresses and the same protocol.',
      why: 'A host port can be bound once per address and protocol. Compose creates both containers, but the second one does not start: `Bind for 0.0.0.0:80 failed: port is already allocated`. Overlays make this easy to miss: ports from every file are merged, and short-syntax entries are kept per distinct string, so `"80:8000"` in `docker-compose.prod.yml` is added to the base file\'s `"8000:8000"` rather than replacing it. An entry without a host IP (or with `0.0.0.0`) covers every address, so it clashes with `127.0.0.1:80` too; `127.0.0.1:80` and `127.0.0.2:80` do not clash, and neither do TCP and UDP.',
      fix: 'Give one of the services another host port, publish only the reverse proxy and let it reach the app over the Compose network (remove the app\'s `ports`, or reset them in the overlay with `ports: !reset []`), or bind each to a different host address.',
      verify: 'docker compose -f <files> up -d && docker compose ps   # every service running, none "Created"',
      references: [
        { title: 'Compose services: ports', url: 'https://docs.docker.com/reference/compose-file/services/#ports' },
        { title: 'Compose merge rules: ports are unique by their short-syntax string', url: 'https://docs.docker.com/reference/compose-file/merge/#unique-resources' },
        { title: 'Docker networking: published ports', url: 'https://docs.docker.com/engine/network/#published-ports' },
        { title: 'compose-go override/uncity.go (portIndexer)', url: 'https://github.com/compose-spec/compose-go/blob/main/override/uncity.go' },
      ],
    },
  },
  check({ model, report }) {
    for (const env of model.environments) {
      // in the order the files are read (base file first, then overlays), so the report lands on the later entry
      const fileRank = (f: string): number => {
        const i = env.composeFiles.indexOf(f);
        return i < 0 ? env.composeFiles.length : i;
      };
      const all: Binding[] = [];
      for (const svc of env.services) {
        if (!svc.enabled || hostNetwork(svc)) continue;
        for (const port of svc.ports) {
          const b = binding(svc, port);
          if (b) all.push(b);
        }
      }
      all.sort((x, y) => fileRank(x.port.loc.file) - fileRank(y.port.loc.file) || compareLocations(x.port.loc, y.port.loc));
      const seen: Binding[] = [];
      for (const b of all) {
        const { svc, port } = b;
        const first = seen.find((a) => clash(a, b) && !(a.svc === b.svc && a.port.target === b.port.target && a.from === b.from && a.to === b.to && a.ip === b.ip));
        seen.push(b);
        if (!first) continue;
        const hostPort = overlap(first, b);
        const who = first.svc === svc ? `service "${svc.name}" publishes host port ${hostPort}/${b.protocol} twice ("${first.port.raw}" and "${port.raw}")` : `services "${first.svc.name}" and "${svc.name}" both publish host port ${hostPort}/${b.protocol} ("${first.port.raw}" and "${port.raw}")`;
        report({
          message: `${who}: the container that starts second fails with "Bind for ${address(b)}:${hostPort.split('-')[0]} failed: port is already allocated".`,
          location: port.loc,
          environment: env.name,
          service: svc.name,
          related: [{ location: first.port.loc, message: `${first.svc.name} publishes ${describe(first)} here` }],
          key: `${first.svc.name}>${svc.name}:${hostPort}/${b.protocol}`,
          verify: [`docker compose ${env.composeFiles.map((f) => `-f ${f}`).join(' ')} up -d && docker compose ${env.composeFiles.map((f) => `-f ${f}`).join(' ')} ps`],
        });
      }
    }
  },
});
