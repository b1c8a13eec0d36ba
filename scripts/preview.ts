// `npm run preview -- --help`. The work is in scripts/ship/ (see commands.ts).
import { main } from './ship/cli';
import { previewCommand } from './ship/commands';

main(previewCommand);
