// `npm run deploy:cloud -- --help`. The work is in scripts/ship/ (see commands.ts).
import { main } from './ship/cli';
import { deployCloudCommand } from './ship/commands';

main(deployCloudCommand);
