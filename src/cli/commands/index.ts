import type { CommandSpec, CommandGroup } from '../parser/command.js';
import { imagesCommand, imageListCommand, historyCommand, tagCommand, rmiCommand, imageRmCommand, importCommand, imageInspectCommand } from './images.js';
import { inspectCommand } from './inspect.js';
import { versionCommand, infoCommand, eventsCommand } from './system.js';
import { systemDfCommand } from './disk-usage.js';

/**
 * The command tree. Top-level commands, then management groups (`image ls`, `system df`).
 * New verbs (run, exec, create, ps…) are added here; those whose arguments carry a command
 * set `interspersed: false` so flags stop at the first argument.
 */
export const topLevelCommands: CommandSpec[] = [
  imagesCommand, historyCommand, tagCommand, rmiCommand, importCommand, inspectCommand,
  versionCommand, infoCommand, eventsCommand,
];

const sub = (spec: CommandSpec, name: string, aliases: string[] = []): CommandSpec => ({ ...spec, name, aliases });

export const commandGroups: CommandGroup[] = [
  {
    name: 'image',
    short: 'Manage images',
    commands: [
      imageListCommand, sub(historyCommand, 'history'), sub(importCommand, 'import'), imageInspectCommand,
      imageRmCommand, sub(tagCommand, 'tag'),
    ],
  },
  {
    name: 'system',
    short: 'Manage strata',
    commands: [systemDfCommand, sub(eventsCommand, 'events'), sub(infoCommand, 'info')],
  },
];
