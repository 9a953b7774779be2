import type { CommandSpec, CommandGroup } from '../parser/command.js';
import { imagesCommand, imageListCommand, historyCommand, tagCommand, rmiCommand, imageRmCommand, importCommand, imageInspectCommand } from './images.js';
import { inspectCommand, containerInspectCommand } from './inspect.js';
import { versionCommand, infoCommand, eventsCommand } from './system.js';
import { systemDfCommand } from './disk-usage.js';
import { runCommand, createCommand, startCommand, attachCommand } from './container-run.js';
import {
  stopCommand, restartCommand, killCommand, pauseCommand, unpauseCommand, rmCommand, waitCommand, renameCommand,
  topCommand, diffCommand, commitCommand, exportCommand, logsCommand, containerPruneCommand,
} from './container-commands.js';
import { psCommand } from './container-list.js';
import { execCommand } from './exec.js';
import { cpCommand } from './cp.js';
import { buildCommand } from './build.js';
import { saveCommand, loadCommand } from './image-archive.js';
import { volumeCreateCommand, volumeListCommand, volumeInspectCommand, volumeRemoveCommand, volumePruneCommand } from './volumes.js';

/**
 * The command tree. Top-level commands, then management groups (`image ls`, `system df`).
 * Commands whose arguments carry a command (run, exec, create) set `interspersed: false` so
 * flags stop at the first argument.
 */
export const topLevelCommands: CommandSpec[] = [
  runCommand, execCommand, psCommand, buildCommand, imagesCommand,
  attachCommand, commitCommand, cpCommand, createCommand, diffCommand, eventsCommand, exportCommand, historyCommand,
  importCommand, infoCommand, inspectCommand, killCommand, logsCommand, pauseCommand, renameCommand, restartCommand,
  rmCommand, rmiCommand, saveCommand, loadCommand, startCommand, stopCommand, tagCommand, topCommand, unpauseCommand,
  versionCommand, waitCommand,
];

const sub = (spec: CommandSpec, name: string, aliases: string[] = []): CommandSpec => ({ ...spec, name, aliases });

export const commandGroups: CommandGroup[] = [
  {
    name: 'container',
    short: 'Manage containers',
    commands: [
      sub(attachCommand, 'attach'), sub(commitCommand, 'commit'), sub(cpCommand, 'cp'), sub(createCommand, 'create'),
      sub(diffCommand, 'diff'), sub(execCommand, 'exec'), sub(exportCommand, 'export'), containerInspectCommand,
      sub(killCommand, 'kill'), sub(logsCommand, 'logs'), sub(psCommand, 'ls', ['list', 'ps']), sub(pauseCommand, 'pause'),
      containerPruneCommand, sub(renameCommand, 'rename'), sub(restartCommand, 'restart'), sub(rmCommand, 'rm', ['remove']),
      sub(runCommand, 'run'), sub(startCommand, 'start'), sub(stopCommand, 'stop'), sub(topCommand, 'top'),
      sub(unpauseCommand, 'unpause'), sub(waitCommand, 'wait'),
    ],
  },
  {
    name: 'image',
    short: 'Manage images',
    commands: [
      sub(buildCommand, 'build'), imageListCommand, sub(historyCommand, 'history'), sub(importCommand, 'import'),
      imageInspectCommand, sub(loadCommand, 'load'), imageRmCommand, sub(saveCommand, 'save'), sub(tagCommand, 'tag'),
    ],
  },
  {
    name: 'system',
    short: 'Manage strata',
    commands: [systemDfCommand, sub(eventsCommand, 'events'), sub(infoCommand, 'info')],
  },
  {
    name: 'volume',
    short: 'Manage volumes',
    commands: [volumeCreateCommand, volumeInspectCommand, volumeListCommand, volumePruneCommand, volumeRemoveCommand],
  },
];
