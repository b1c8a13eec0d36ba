// `npm run check -- --help`. The work is in scripts/ship/ (see commands.ts).
import { main } from './ship/cli';
import { checkCommand } from './ship/commands';

main(checkCommand);
