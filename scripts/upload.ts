// `npm run upload -- --help`. The work is in scripts/ship/ (see commands.ts).
import { main } from './ship/cli';
import { uploadCommand } from './ship/commands';

main(uploadCommand);
