// `npm run build -- --help`. The work is in scripts/ship/ (see commands.ts).
import { main } from './ship/cli';
import { buildCommand } from './ship/commands';

main(buildCommand);
