// `npm run template -- --help`. The work is in scripts/ship/ (see template.ts).
import { main } from './ship/cli';
import { runTemplate } from './ship/template';

main((argv, io) => runTemplate(argv, io));
