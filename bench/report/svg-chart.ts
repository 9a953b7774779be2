import type { BenchReport } from '../model.js';
import { formatRatio } from './format.js';

const WIDTH = 960;
const LABEL_WIDTH = 420;
const PLOT_LEFT = LABEL_WIDTH + 10;
const PLOT_RIGHT = WIDTH - 70;
const ROW = 20;
const TOP = 64;

/**
 * strata/Docker ratio of medians per metric as horizontal bars on a log₂ axis centred on 1×
 * (a bar to the left means strata is faster or smaller, to the right slower or larger), with
 * each "vs Docker" target as a tick. Plain SVG written by hand: no chart library.
 */
export function renderRatioChart(report: BenchReport): string {
  const rows = report.metrics.filter((m) => m.ratioToDocker !== undefined && m.ratioToDocker > 0);
  const height = TOP + Math.max(1, rows.length) * ROW + 50;
  const logs = rows.map((m) => Math.log2(m.ratioToDocker!));
  // At least 1/8× … 8×, wider when a ratio falls outside, so every bar is drawn in full.
  const lo = Math.min(-3, Math.floor(Math.min(0, ...logs)));
  const hi = Math.max(3, Math.ceil(Math.max(0, ...logs)));
  const x = (log2: number): number => PLOT_LEFT + ((log2 - lo) / (hi - lo)) * (PLOT_RIGHT - PLOT_LEFT);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="10" y="22" font-size="16" font-weight="bold">strata / Docker, ratio of medians (log scale; left of 1× = strata faster or smaller)</text>`);
  const m = report.machine;
  out.push(`<text x="10" y="42" fill="#555">${escapeXml(`${report.startedAt} · ${m.nproc} CPUs, ${m.memoryGiB} GiB, Linux ${m.kernel} · ${report.engines.map((e) => `${e.name} ${e.version}`).join(' vs ')} · ${report.options.quick ? 'quick' : 'full'} run`)}</text>`);
  for (let t = lo; t <= hi; t++) {
    const tx = x(t);
    out.push(`<line x1="${tx.toFixed(1)}" y1="${TOP - 6}" x2="${tx.toFixed(1)}" y2="${TOP + rows.length * ROW}" stroke="${t === 0 ? '#000' : '#ddd'}" stroke-width="${t === 0 ? 1.5 : 1}"/>`);
    out.push(`<text x="${tx.toFixed(1)}" y="${TOP + rows.length * ROW + 16}" text-anchor="middle" fill="#555">${t >= 0 ? `${2 ** t}×` : `1/${2 ** -t}×`}</text>`);
  }
  if (rows.length === 0) out.push(`<text x="${PLOT_LEFT}" y="${TOP + 14}" fill="#555">no metric was measured on both strata and Docker</text>`);
  rows.forEach((metric, i) => {
    const y = TOP + i * ROW;
    const r = metric.ratioToDocker!;
    const x0 = x(0);
    const x1 = x(Math.log2(r));
    const fill = r <= 1 ? '#2e8b57' : '#c0392b';
    out.push(`<text x="${LABEL_WIDTH}" y="${y + 14}" text-anchor="end">${escapeXml(truncate(metric.title, 62))}</text>`);
    out.push(`<rect x="${Math.min(x0, x1).toFixed(1)}" y="${y + 3}" width="${Math.max(1, Math.abs(x1 - x0)).toFixed(1)}" height="${ROW - 6}" fill="${fill}"><title>${escapeXml(`${metric.id}: ${formatRatio(r)}`)}</title></rect>`);
    if (metric.target?.kind === 'vs-docker') {
      const tx = x(Math.log2(metric.target.max));
      out.push(`<line x1="${tx.toFixed(1)}" y1="${y + 1}" x2="${tx.toFixed(1)}" y2="${y + ROW - 1}" stroke="#1f4e9c" stroke-width="2"><title>target ${escapeXml(metric.target.text)}</title></line>`);
    }
    const labelX = r <= 1 ? Math.max(x0, x1) + 4 : x1 + 4;
    out.push(`<text x="${labelX.toFixed(1)}" y="${y + 14}">${formatRatio(r)}</text>`);
  });
  out.push(`<text x="10" y="${height - 10}" fill="#555">green: strata ≤ Docker · red: strata &gt; Docker · blue tick: target</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max - 1) + '…';
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
