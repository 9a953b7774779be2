import type { EngineName } from '../engines/engine.js';
import type { BenchReport, EngineResult, MetricResult, Unit } from '../model.js';
import { formatRatio, formatValue } from './format.js';

const ENGINE_TITLES: Record<EngineName, string> = { strata: 'strata', docker: 'Docker', podman: 'Podman' };

/**
 * The report as markdown: one table (median, min–max per engine, strata/Docker ratio, target),
 * skip reasons as numbered footnotes so the table stays narrow, then the targets and notes.
 */
export function renderMarkdown(report: BenchReport): string {
  const engines = report.engines.map((e) => e.name);
  const footnotes: string[] = [];
  const footnote = (reason: string): string => {
    let i = footnotes.indexOf(reason);
    if (i < 0) { footnotes.push(reason); i = footnotes.length - 1; }
    return `[${i + 1}]`;
  };
  const cell = (r: EngineResult | undefined, metric: MetricResult): string => {
    if (!r) return '';
    if (r.status === 'skipped') return `skipped ${footnote(r.reason)}`;
    const { median, min, max, n } = r.summary;
    const value = formatValue(median, metric.unit);
    return n > 1 ? `${value} (${formatValue(min, metric.unit)}–${formatValue(max, metric.unit)})` : value;
  };
  const header = ['Metric', 'Unit', ...engines.map((e) => `${ENGINE_TITLES[e]} median (min–max)`)];
  const withDocker = engines.includes('docker') && engines.includes('strata');
  if (withDocker) header.push('strata/Docker');
  header.push('Target', 'Met');
  const lines = [
    `| ${header.join(' | ')} |`,
    `|${header.map((h, i) => (i < 2 ? '---' : '---:')).join('|')}|`,
  ];
  for (const m of report.metrics) {
    const row = [m.title, m.unit, ...engines.map((e) => cell(m.results[e], m))];
    if (withDocker) row.push(m.ratioToDocker !== undefined ? formatRatio(m.ratioToDocker) : '');
    row.push(m.target?.text ?? '', m.verdict === 'met' ? 'yes' : m.verdict === 'not met' ? '**no**' : m.verdict === 'not measured' ? 'n/a' : '');
    lines.push(`| ${row.map(escapeCell).join(' | ')} |`);
  }
  const out: string[] = [];
  out.push(`## strata beside ${report.engines.filter((e) => e.name !== 'strata').map((e) => ENGINE_TITLES[e.name]).join(' and ') || 'nothing (strata alone)'}`);
  out.push('');
  out.push(`${report.machine.nproc} CPUs (${report.machine.cpuModel}), ${report.machine.memoryGiB} GiB RAM, Linux ${report.machine.kernel}, ${report.machine.os}, Node ${report.machine.node}, docker CLI ${report.machine.dockerCli}.`);
  out.push(`Engines: ${report.engines.map((e) => `${ENGINE_TITLES[e.name]} ${e.version} (daemon = ${e.daemon}, monitor = ${e.monitor})`).join('; ')}.`);
  for (const missing of report.missingEngines) out.push(`Not compared: ${ENGINE_TITLES[missing.name]} (${missing.reason}).`);
  out.push(`${report.options.quick ? 'Quick run' : 'Full run'}, ${report.options.reps} repetitions (after one warm-up) of repeated metrics, engines interleaved; ${report.durationS.toFixed(0)} s. Command: \`${report.command}\`.`);
  out.push('');
  out.push(...lines);
  if (footnotes.length > 0) {
    out.push('');
    footnotes.forEach((reason, i) => out.push(`[${i + 1}] ${reason}  `));
  }
  const judged = report.metrics.filter((m) => m.verdict);
  if (judged.length > 0) {
    out.push('', '### Targets', '');
    for (const m of judged) {
      const value = m.target!.kind === 'vs-docker'
        ? (m.ratioToDocker !== undefined ? formatRatio(m.ratioToDocker) : 'not measured')
        : (m.results.strata?.status === 'measured' ? withUnit(m.results.strata.summary.median, m.unit) : 'not measured');
      out.push(`- ${m.verdict === 'met' ? 'met' : m.verdict === 'not met' ? '**not met**' : 'not measured'}: ${m.title}: ${m.target!.text} (strata: ${value})`);
    }
  }
  if (report.notes.length > 0) {
    out.push('', '### Notes', '');
    for (const n of report.notes) out.push(`- ${n}`);
  }
  return out.join('\n') + '\n';
}

function withUnit(value: number, unit: Unit): string {
  return unit === '×' ? `${formatValue(value, unit)}×` : `${formatValue(value, unit)} ${unit}`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
