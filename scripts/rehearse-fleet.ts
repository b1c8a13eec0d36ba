/**
 * `npm run rehearse:fleet`: a release job over a handful of mini-programs, rehearsed. See `--help`.
 */
import { parseArgs } from 'node:util';
import { CANARY, describePlan, FLEET, MAX_HOURS, rehearseFleet, TICK_SECONDS, VERSION } from './ship/fleet-rehearsal';

const HELP = `npm run rehearse:fleet [-- --help]

Rehearses shipping the template to every merchant on a fresh local stack (emulator + local cloud
runtime + the built function, data in a temporary folder, nothing sent anywhere):

  1. ${FLEET.length} mini-programs authorize through the product; ${FLEET.filter((m) => !m.grant18).length} of them without set 18 (开发管理)
  2. their ext_json values go in through the broker (POST /broker/ship/values); one is left without
  3. the emulator scripts WeChat's reviews: approved, rejected with a reason the merchant can fix,
     delayed (审核延后), an approval whose event is lost (found by polling), one sent twice
  4. npm run template -- upload --local: test/fixtures/template-app compiled offline with
     miniprogram-ci, its draft made a template through the broker
  5. a job for version ${VERSION} through the broker's signed ship operation (a key scoped to ship),
     a canary wave of ${CANARY}, then the rest
  6. the function's timer every ${TICK_SECONDS / 60} minutes of emulated time (the clock moves, nothing
     sleeps) until the job ends, each change printed as ship status shows it

then prints each problem with WeChat's reason and what to do, and a table per merchant. Exits 0
when every merchant ends where the plan says (released, rejected or skipped) and the job is done
within ${MAX_HOURS} emulated hours; otherwise prints what differed and exits 1 (2: the rehearsal
itself could not run). Takes seconds.

Options:
  --dry-run    print the plan (merchants, scripts, expected ends) and exit; nothing is started
  --verbose    also print the function's own log lines (JSON) at the end (by default only its
               warnings, and only when the rehearsal fails)
  -h, --help   this text
`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { 'dry-run': { type: 'boolean' }, verbose: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const out = (line: string) => void process.stdout.write(`${line}\n`);
  if (values['dry-run']) {
    describePlan(out);
    return 0;
  }
  const result = await rehearseFleet({ build: true, verbose: values.verbose === true, out });
  return result.code;
}

main().then(
  (code) => process.stdout.write('', () => process.exit(code)),
  (error: unknown) => {
    const why = error instanceof Error ? error.message : String(error);
    process.stderr.write(`rehearse:fleet: ${why}\nRun \`npm run rehearse:fleet -- --help\` for the options.\n`);
    process.exit(2);
  },
);
