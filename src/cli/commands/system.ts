import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { release } from 'node:os';
import type { Readable } from 'node:stream';
import { FilterArgs, parseTimestamp, formatUnixTimestamp, productVersion, PRODUCT_NAME, type SystemInfo, type SystemVersion } from '../../api/types/index.js';
import { readJsonLines } from '../../api/client/index.js';
import type { CommandSpec, CommandContext } from '../parser/command.js';
import { StatusError } from '../parser/command.js';
import { Template, TemplateSyntaxError, TemplateExecError, goMarshal } from '../format/template.js';
import { tabulate } from '../format/tabwriter.js';
import { bytesSize } from '../format/units.js';
import { ansic, rfc3339NanoFixed } from '../format/go-time.js';

function goArch(): string {
  return ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386' } as Record<string, string>)[process.arch] ?? process.arch;
}

function clientBuildTime(): string {
  try {
    return ansic(statSync(fileURLToPath(import.meta.url)).mtime.toISOString());
  } catch {
    return '';
  }
}

/** Runs a user's --format over a value, with docker's error statuses. */
function runTemplate(format: string, data: unknown): string {
  let template: Template;
  try {
    template = Template.parse(format === 'json' ? '{{json .}}' : format);
  } catch (err) {
    if (err instanceof TemplateSyntaxError) throw new StatusError(64, `template parsing error: ${err.message}`);
    throw err;
  }
  try {
    return template.execute(data) + '\n';
  } catch (err) {
    if (err instanceof TemplateExecError) throw new StatusError(1, `template: ${err.message}`);
    throw err;
  }
}

export const versionCommand: CommandSpec = {
  name: 'version',
  usage: '[OPTIONS]',
  short: 'Show the strata version information',
  args: { kind: 'none' },
  flags: [{ name: 'format', short: 'f', type: 'string', description: 'Format output using a custom template' }],
  async run(ctx, o) {
    let server: SystemVersion | undefined;
    let failure: unknown;
    try {
      server = await ctx.call((docker) => docker.version() as unknown as Promise<SystemVersion>);
    } catch (err) {
      failure = err;
    }
    const client = {
      Platform: { Name: PRODUCT_NAME },
      Version: productVersion(),
      ApiVersion: server?.ApiVersion ?? '1.47',
      DefaultAPIVersion: '1.47',
      GitCommit: '',
      GoVersion: `node${process.versions.node}`,
      Os: 'linux',
      Arch: goArch(),
      BuildTime: clientBuildTime(),
      Context: 'default',
    };
    const format = o.string('format');
    if (format) {
      ctx.out(runTemplate(format, { Client: client, Server: server ?? null }));
      if (failure) throw failure;
      return;
    }
    const lines = [
      `Client: ${client.Platform.Name}`,
      ` Version:\t${client.Version}`,
      ` API version:\t${client.ApiVersion}`,
      ` Go version:\t${client.GoVersion}`,
      ` Git commit:\t${client.GitCommit}`,
      ` Built:\t${client.BuildTime}`,
      ` OS/Arch:\t${client.Os}/${client.Arch}`,
      ` Context:\t${client.Context}`,
    ];
    if (server) {
      lines.push('', `Server:${server.Platform?.Name ? ` ${server.Platform.Name}` : ''}`);
      for (const c of server.Components ?? []) {
        lines.push(` ${c.Name}:`);
        const d = c.Details ?? {};
        if (c.Name === 'Engine') {
          lines.push(
            `  Version:\t${c.Version}`,
            `  API version:\t${d.ApiVersion ?? ''} (minimum version ${d.MinAPIVersion ?? ''})`,
            `  Go version:\t${d.GoVersion ?? ''}`,
            `  Git commit:\t${d.GitCommit ?? ''}`,
            `  Built:\t${ansic(d.BuildTime ?? '')}`,
            `  OS/Arch:\t${d.Os ?? ''}/${d.Arch ?? ''}`,
            `  Experimental:\t${d.Experimental ?? 'false'}`,
          );
        } else {
          lines.push(`  Version:\t${c.Version}`);
          for (const key of Object.keys(d).sort()) lines.push(`  ${key}:\t${d[key]}`);
        }
      }
    }
    ctx.out(tabulate(lines.join('\n') + '\n', { minWidth: 20, padding: 1 }));
    if (failure) throw failure;
  },
};

export const infoCommand: CommandSpec = {
  name: 'info',
  usage: '[OPTIONS]',
  short: 'Display system-wide information',
  aliasLine: 'strata system info, strata info',
  args: { kind: 'none' },
  flags: [{ name: 'format', short: 'f', type: 'string', description: 'Format output using a custom template' }],
  async run(ctx, o) {
    const clientInfo = { Debug: false, Version: productVersion(), Context: 'default', Plugins: [], Warnings: null };
    const format = o.string('format');
    if (format) {
      const info = await ctx.call((docker) => docker.info() as Promise<SystemInfo>);
      ctx.out(runTemplate(format, { ...info, ClientInfo: clientInfo }));
      return;
    }
    ctx.out(`Client: ${PRODUCT_NAME}\n Version:    ${clientInfo.Version}\n Context:    default\n Debug Mode: false\n\nServer:\n`);
    const info = await ctx.call((docker) => docker.info() as Promise<SystemInfo>);
    ctx.out(serverInfoText(info));
    for (const w of info.Warnings ?? []) ctx.err(`${w}\n`);
  },
};

/** docker's prettyPrintServerInfo, for the fields strata reports. */
function serverInfoText(info: SystemInfo): string {
  const out: string[] = [];
  const line = (...parts: unknown[]) => out.push(parts.map(String).join(' '));
  const nonEmpty = (label: string, value: unknown) => { if (value !== '' && value !== undefined && value !== null) line(label, value); };
  line(' Containers:', info.Containers);
  line('  Running:', info.ContainersRunning);
  line('  Paused:', info.ContainersPaused);
  line('  Stopped:', info.ContainersStopped);
  line(' Images:', info.Images);
  nonEmpty(' Server Version:', info.ServerVersion);
  nonEmpty(' Storage Driver:', info.Driver);
  for (const [k, v] of info.DriverStatus ?? []) out.push(`  ${k}: ${v}`);
  nonEmpty(' Logging Driver:', info.LoggingDriver);
  nonEmpty(' Cgroup Driver:', info.CgroupDriver);
  nonEmpty(' Cgroup Version:', info.CgroupVersion);
  line(' Plugins:');
  line('  Volume:', (info.Plugins?.Volume ?? []).join(' '));
  line('  Network:', (info.Plugins?.Network ?? []).join(' '));
  line('  Log:', (info.Plugins?.Log ?? []).join(' '));
  line(' Swarm:', info.Swarm?.LocalNodeState ?? 'inactive');
  const runtimes = Object.keys(info.Runtimes ?? {});
  if (runtimes.length > 0) {
    line(' Runtimes:', runtimes.join(' '));
    line(' Default Runtime:', info.DefaultRuntime);
  }
  line(' Init Binary:', info.InitBinary ?? '');
  line(' containerd version:', info.ContainerdCommit?.ID ?? '');
  line(' runc version:', info.RuncCommit?.ID ?? '');
  line(' init version:', info.InitCommit?.ID ?? '');
  if ((info.SecurityOptions ?? []).length > 0) {
    line(' Security Options:');
    for (const option of info.SecurityOptions) {
      const fields = Object.fromEntries(option.split(',').map((kv) => kv.split('=') as [string, string]));
      out.push(`  ${fields.name ?? option}`);
      if (fields.profile) out.push(`   Profile: ${fields.profile}`);
    }
  }
  nonEmpty(' Kernel Version:', info.KernelVersion || release());
  nonEmpty(' Operating System:', info.OperatingSystem);
  nonEmpty(' OSType:', info.OSType);
  nonEmpty(' Architecture:', info.Architecture);
  line(' CPUs:', info.NCPU);
  line(' Total Memory:', bytesSize(info.MemTotal));
  nonEmpty(' Name:', info.Name);
  nonEmpty(' ID:', info.ID);
  line(' Docker Root Dir:', info.DockerRootDir);
  line(' Debug Mode:', info.Debug);
  nonEmpty(' HTTP Proxy:', info.HttpProxy);
  nonEmpty(' HTTPS Proxy:', info.HttpsProxy);
  nonEmpty(' No Proxy:', info.NoProxy);
  if ((info.Labels ?? []).length > 0) {
    line(' Labels:');
    for (const l of info.Labels) out.push(`  ${l}`);
  }
  line(' Experimental:', info.ExperimentalBuild);
  const insecure = info.RegistryConfig?.InsecureRegistryCIDRs ?? [];
  const insecureIndexes = Object.values(info.RegistryConfig?.IndexConfigs ?? {}).filter((c) => !c.Secure);
  if (insecure.length + insecureIndexes.length > 0) {
    line(' Insecure Registries:');
    for (const c of insecureIndexes) out.push(`  ${c.Name}`);
    for (const cidr of insecure) out.push(`  ${cidr}`);
  }
  line(' Live Restore Enabled:', info.LiveRestoreEnabled);
  out.push('');
  return out.join('\n') + '\n';
}

export const eventsCommand: CommandSpec = {
  name: 'events',
  usage: '[OPTIONS]',
  short: 'Get real time events from the server',
  aliasLine: 'strata system events, strata events',
  args: { kind: 'none' },
  flags: [
    { name: 'filter', short: 'f', type: 'stringArray', valueName: 'filter', description: 'Filter output based on conditions provided' },
    { name: 'format', type: 'string', description: 'Format output using a custom template' },
    { name: 'since', type: 'string', description: 'Show all events created since timestamp' },
    { name: 'until', type: 'string', description: 'Stream events until this timestamp' },
  ],
  async run(ctx, o) {
    const format = o.string('format');
    let template: Template | undefined;
    if (format) {
      try {
        template = Template.parse(format === 'json' ? '{{json .}}' : format);
      } catch (err) {
        if (err instanceof TemplateSyntaxError) throw new StatusError(64, `Error parsing format: ${err.message}`);
        throw err;
      }
    }
    const query: Record<string, unknown> = {};
    const now = BigInt(Date.now()) * 1_000_000n;
    if (o.string('since')) query.since = formatUnixTimestamp(parseTimestamp(o.string('since'), now));
    if (o.string('until')) query.until = formatUnixTimestamp(parseTimestamp(o.string('until'), now));
    const filters = FilterArgs.fromFlags(o.strings('filter'));
    if (filters.size > 0) query.filters = filters.toQuery();
    const stream = await ctx.call((docker) => docker.getEvents(query) as Promise<NodeJS.ReadableStream>);
    for await (const { value, raw } of readJsonLines(stream as Readable)) {
      const nanoText = /"timeNano":(\d+)/.exec(raw)?.[1];
      ctx.out(template ? formatEvent(template, value, nanoText) : prettyEvent(value, nanoText));
    }
  },
};

function formatEvent(template: Template, value: Record<string, unknown>, nanoText: string | undefined): string {
  const data = { ...value };
  try {
    let text = template.execute(data);
    // {{json .}} must show the exact nanoseconds a double cannot hold.
    if (nanoText) text = text.replace(/"timeNano":\d+(\.\d+)?(e\+\d+)?/, `"timeNano":${nanoText}`);
    return text + '\n';
  } catch (err) {
    if (err instanceof TemplateExecError) throw new StatusError(1, err.message);
    throw err;
  }
}

/** docker's prettyPrintEvent: time, type, action, actor, `(k=v, …)` sorted. */
function prettyEvent(ev: Record<string, unknown>, nanoText: string | undefined): string {
  let line = '';
  if (nanoText && nanoText !== '0') line += `${rfc3339NanoFixed(BigInt(nanoText))} `;
  else if (typeof ev.time === 'number' && ev.time !== 0) line += `${rfc3339NanoFixed(BigInt(ev.time) * 1_000_000_000n)} `;
  const actor = (ev.Actor ?? {}) as { ID?: string; Attributes?: Record<string, string> };
  line += `${String(ev.Type ?? '')} ${String(ev.Action ?? '')} ${actor.ID ?? ''}`;
  const attrs = actor.Attributes ?? {};
  const keys = Object.keys(attrs).sort();
  if (keys.length > 0) line += ` (${keys.map((k) => `${k}=${attrs[k]}`).join(', ')})`;
  return line + '\n';
}

export { goMarshal };
export type { CommandContext };
