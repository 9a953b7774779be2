/**
 * A test-only `strata` entry with the build command wired in exactly as
 * src/cli/commands/index.ts registers it (a top-level `build` and `image build`), for as long
 * as index.ts does not list it yet. Once it does, this changes nothing.
 *
 *   node dist/test/support/cli-with-build.js --host unix:///… build …
 */
import { cliMain } from '../../src/cli/main.js';
import { topLevelCommands, commandGroups } from '../../src/cli/commands/index.js';
import { buildCommand } from '../../src/cli/commands/build.js';

if (!topLevelCommands.some((c) => c.name === 'build')) topLevelCommands.push(buildCommand);
const imageGroup = commandGroups.find((g) => g.name === 'image');
if (imageGroup && !imageGroup.commands.some((c) => c.name === 'build')) imageGroup.commands.unshift({ ...buildCommand, name: 'build', aliases: [] });

process.exitCode = await cliMain(process.argv.slice(2));
