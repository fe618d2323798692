/**
 * One environment's service graph as inline SVG: nodes are services coloured by their worst
 * finding, edges are `depends_on` labelled by condition. Laid out by `@dagrejs/dagre`
 * (left to right), drawn by hand (DEPENDENCIES.md §11: set marginx/marginy or edges get clipped).
 */
import dagre from '@dagrejs/dagre';
import type { Finding } from '../../core/finding.js';
import { severityRank, type Severity } from '../../core/severity.js';
import type { ServiceGraph } from '../context.js';
import { html, type Html } from './template.js';

const NODE_HEIGHT = 46;
const CHAR = 8; // px per character of the 13px monospace node label
const LABEL_CHAR = 6.6; // px per character of the 11px edge label

const CONDITION_LABEL: Record<string, string> = {
  service_started: 'started',
  service_healthy: 'healthy',
  service_completed_successfully: 'completed',
};

/**
 * The part of dagre's graph that we use. @dagrejs/dagre 3.1.3 ships typings whose relative
 * imports have no file extension, so under `moduleResolution: NodeNext` they resolve to `any`;
 * this interface keeps the layout code checked.
 */
interface Point {
  x: number;
  y: number;
}
interface LayoutGraph {
  setGraph(label: { rankdir: 'LR' | 'TB'; nodesep: number; ranksep: number; edgesep: number; marginx: number; marginy: number }): void;
  setDefaultEdgeLabel(f: () => object): void;
  setNode(name: string, label: { width: number; height: number }): void;
  setEdge(v: string, w: string, label: { label: string; width: number; height: number; labelpos: 'c' }): void;
  graph(): { width?: number; height?: number };
  node(name: string): { x: number; y: number; width: number; height: number };
  edges(): { v: string; w: string }[];
  edge(e: { v: string; w: string }): { points?: Point[]; x?: number; y?: number; label?: string; width?: number };
}

interface NodeInfo {
  name: string;
  missing: boolean;
  worst?: Severity;
  count: number;
}

/** Findings about a service of this environment (or of a shared file, naming the service). */
export function serviceFindings(findings: readonly Finding[], environment: string, service: string): Finding[] {
  return findings.filter((f) => f.service === service && (f.environment === environment || f.environment === undefined));
}

export function renderGraph(graph: ServiceGraph, findings: readonly Finding[], index: number): Html {
  if (!graph.services.length) return html`<p class="muted">No services in this environment.</p>`;
  const nodes = new Map<string, NodeInfo>();
  for (const s of graph.services) {
    const list = serviceFindings(findings, graph.environment, s.name);
    const worst = list.length ? list.reduce((w, f) => (severityRank(f.severity) < severityRank(w) ? f.severity : w), list[0]!.severity) : undefined;
    nodes.set(s.name, { name: s.name, missing: false, worst, count: list.length });
  }
  for (const s of graph.services) for (const d of s.dependsOn) if (!nodes.has(d.service)) nodes.set(d.service, { name: d.service, missing: true, count: 0 });

  const g: LayoutGraph = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 28, ranksep: 80, edgesep: 12, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes.values()) g.setNode(n.name, { width: nodeWidth(n), height: NODE_HEIGHT });
  for (const s of graph.services)
    for (const d of s.dependsOn) {
      const label = CONDITION_LABEL[d.condition] ?? d.condition;
      g.setEdge(s.name, d.service, { label, width: Math.ceil(label.length * LABEL_CHAR) + 10, height: 16, labelpos: 'c' });
    }
  dagre.layout(g);

  const size = g.graph();
  const width = round(size.width ?? 0);
  const height = round(size.height ?? 0);
  const marker = `dd-arrow-${index}`;
  const edges = g.edges().map((e) => {
    const label = g.edge(e);
    const pts = label.points ?? [];
    const d = pts.map((p, i) => `${i ? 'L' : 'M'}${round(p.x)} ${round(p.y)}`).join(' ');
    const w = label.width ?? 0;
    const lx = round(label.x ?? 0);
    const ly = round(label.y ?? 0);
    return html`<g class="edge" data-from="${e.v}" data-to="${e.w}"><path d="${d}" marker-end="url(#${marker})"/><rect class="edge-label-bg" x="${round(lx - w / 2)}" y="${round(ly - 9)}" width="${round(w)}" height="18" rx="4"/><text class="edge-label" x="${lx}" y="${ly}">${label.label ?? ''}</text></g>`;
  });
  const drawn = [...nodes.values()].map((n) => {
    const box = g.node(n.name);
    const x = round(box.x - box.width / 2);
    const y = round(box.y - box.height / 2);
    const cls = n.missing ? 'missing' : n.worst ? `sev-${n.worst}` : 'sev-none';
    const sub = n.missing ? 'not defined' : n.count ? `${n.count} finding${n.count === 1 ? '' : 's'} · ${n.worst}` : 'no findings';
    const tip = `${n.name}: ${sub}`;
    return html`<g class="node ${cls}" data-service="${n.name}" tabindex="0" role="button" aria-label="${tip}"><title>${tip}</title><rect x="${x}" y="${y}" width="${round(box.width)}" height="${round(box.height)}" rx="7"/><text class="node-name" x="${round(box.x)}" y="${round(box.y - 6)}">${n.name}</text><text class="node-sub" x="${round(box.x)}" y="${round(box.y + 12)}">${sub}</text></g>`;
  });
  return html`<svg class="graph" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${`Services of ${graph.environment} and their depends_on edges`}"><defs><marker id="${marker}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z"/></marker></defs>${edges}${drawn}</svg>`;
}

function nodeWidth(n: NodeInfo): number {
  const sub = n.missing ? 'not defined' : `${n.count} findings · critical`;
  return Math.min(280, Math.max(110, Math.ceil(Math.max(n.name.length * CHAR, sub.length * LABEL_CHAR)) + 28));
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
