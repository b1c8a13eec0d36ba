import { buildSteps } from './build';
import { checkProject } from './check-project';
import { DEFAULT_BUDGET_BYTES } from './checks';
import { COMMON_OPTIONS, EXIT, numberOption, projectRootOption, stringOption, type Command, type Io } from './cli';
import { consoleChecklist, deployCloud, describeCloudDeploy, planCloudDeploy } from './cloud';
import { mergedEnv, secretValues } from './inputs';
import { REPO_ROOT } from './project';
import { DEFAULT_QR_PATH, describeRelease, planRelease, sendRelease, type ReleaseKind } from './release';
import { formatCheckReport } from './report';

type Values = Record<string, string | boolean | undefined>;

const PROJECT = { type: 'string', value: 'dir', help: 'the project to act on (default: this repository)' } as const;
const ENV_FILE = { type: 'string', value: 'file', help: 'read variables from a KEY=value file (the environment wins)' } as const;
const BUDGET = { type: 'string', value: 'KiB', help: `main-package budget (default ${DEFAULT_BUDGET_BYTES / 1024})` } as const;

const SECRET_NOTE =
  'Secrets searched for in the package: COMPONENT_APPSECRET, COMPONENT_TOKEN, ENCODING_AES_KEY, PREVIOUS_ENCODING_AES_KEY ' +
  '(their values from the environment and from --env-file; only their names are ever printed).';

function budgetBytes(values: Values): number | undefined {
  const kib = numberOption(values, 'budget-kb');
  return kib === undefined ? undefined : Math.round(kib * 1024);
}

function verboseLog(values: Values, io: Io, log: string[]): void {
  if (values.verbose) log.forEach((line) => io.out(`  ci| ${line}`));
}

export const buildCommand: Command = {
  name: 'build',
  summary: 'Type-check both TypeScript projects, bundle the cloud function, pack miniprogram_npm.',
  notes: ['--dry-run lists the steps without running them (build never uses the network).'],
  options: { ...COMMON_OPTIONS },
  async run(values, io) {
    const steps = buildSteps();
    if (values['dry-run']) {
      io.out('build would run (dry run, nothing run):');
      steps.forEach((step, i) => io.out(`  ${i + 1}. ${step.name}: ${step.describe}`));
      return EXIT.ok;
    }
    for (const step of steps) {
      io.out(`→ ${step.name}`);
      io.out(`  ${await step.run()}`);
    }
    io.out('build done.');
    return EXIT.ok;
  },
};

export const checkCommand: Command = {
  name: 'check',
  summary:
    'Compile the mini-program offline exactly as upload would, report the main package size and biggest files, and fail on ' +
    'anything that must not ship: over budget, local mode, miniprogram/dev code, emulator or 127.0.0.1 references, fixtures, ' +
    'secret values, token-looking strings, a missing or too old miniprogram-thirdparty-plugin.',
  notes: [
    SECRET_NOTE,
    'Needs miniprogram/miniprogram_npm (npm run build). --dry-run changes nothing: the check never sends anything.',
  ],
  options: {
    ...COMMON_OPTIONS,
    project: PROJECT,
    'env-file': ENV_FILE,
    'budget-kb': BUDGET,
    json: { type: 'boolean', help: 'print the report as JSON' },
  },
  async run(values, io) {
    const projectRoot = projectRootOption(values, io, REPO_ROOT);
    const envFile = stringOption(values, 'env-file');
    const { pkg, report } = await checkProject(projectRoot, {
      budgetBytes: budgetBytes(values),
      secrets: secretValues(io.env, envFile, io.cwd),
    });
    verboseLog(values, io, pkg.log);
    if (values.json) io.out(JSON.stringify(report, null, 2));
    else formatCheckReport(report).forEach((line) => (report.ok ? io.out(line) : io.err(line)));
    return report.ok ? EXIT.ok : EXIT.failed;
  },
};

function releaseCommand(kind: ReleaseKind): Command {
  const preview = kind === 'preview';
  return {
    name: kind,
    summary: preview
      ? 'Run check, then build a preview with miniprogram-ci and write its QR code to a file.'
      : 'Run check, then upload the mini-program as a development version with miniprogram-ci.',
    notes: [
      'Environment: MP_APPID (else project.config.json "appid"), MP_PRIVATE_KEY_PATH (the 代码上传密钥 file).',
      'Version: package.json "version"; description: --desc, else the last commit subject.',
      SECRET_NOTE,
    ],
    options: {
      ...COMMON_OPTIONS,
      project: PROJECT,
      'env-file': ENV_FILE,
      'budget-kb': BUDGET,
      robot: { type: 'string', value: '1-30', help: 'the CI robot number (default 1)' },
      desc: { type: 'string', value: 'text', help: 'description (default: the last commit subject)' },
      ...(preview
        ? { qr: { type: 'string', value: 'path', help: `where the QR code image goes (default ${DEFAULT_QR_PATH})` } }
        : {}),
    },
    async run(values, io) {
      const envFile = stringOption(values, 'env-file');
      const plan = await planRelease(kind, {
        projectRoot: projectRootOption(values, io, REPO_ROOT),
        env: mergedEnv(io.env, envFile, io.cwd),
        cwd: io.cwd,
        envFile,
        robot: numberOption(values, 'robot'),
        desc: stringOption(values, 'desc'),
        qrPath: stringOption(values, 'qr'),
        budgetBytes: budgetBytes(values),
      });
      verboseLog(values, io, plan.check.pkg.log);
      formatCheckReport(plan.check.report).forEach((line) => (plan.check.report.ok ? io.out(line) : io.err(line)));
      if (!plan.check.report.ok) {
        io.err(`${kind}: nothing was sent.`);
        return EXIT.failed;
      }
      if (values['dry-run']) {
        io.out(`${kind} would send (dry run, nothing sent):`);
        describeRelease(plan).forEach((line) => io.out(line));
        return EXIT.ok;
      }
      io.out(`${kind}: sending`);
      describeRelease(plan).forEach((line) => io.out(line));
      const log: string[] = [];
      try {
        (await sendRelease(plan, log)).forEach((line) => io.out(line));
      } finally {
        verboseLog(values, io, log);
      }
      return EXIT.ok;
    },
  };
}

export const previewCommand = releaseCommand('preview');
export const uploadCommand = releaseCommand('upload');

export const deployCloudCommand: Command = {
  name: 'deploy:cloud',
  summary:
    'Bundle the cloud function, upload it with miniprogram-ci (dependencies installed in the cloud), create its timer trigger, ' +
    'then print what the consoles must still have.',
  notes: [
    "Environment: MP_APPID, MP_PRIVATE_KEY_PATH (as for upload), CLOUD_ENV_ID, and the function's own variables " +
      '(COMPONENT_APPID, COMPONENT_APPSECRET, COMPONENT_TOKEN, ENCODING_AES_KEY, PUBLIC_BASE_URL, …), checked with the ' +
      "function's own rules. miniprogram-ci cannot set a function's environment variables: the checklist says where to paste them.",
  ],
  options: {
    ...COMMON_OPTIONS,
    project: PROJECT,
    'env-file': ENV_FILE,
    'no-build': { type: 'boolean', help: 'upload the bundle `npm run build` made instead of bundling again' },
  },
  async run(values, io) {
    const plan = await planCloudDeploy({
      projectRoot: projectRootOption(values, io, REPO_ROOT),
      env: mergedEnv(io.env, stringOption(values, 'env-file'), io.cwd),
      cwd: io.cwd,
      build: !values['no-build'],
    });
    if (values['dry-run']) {
      io.out('deploy:cloud would send (dry run, nothing sent):');
      describeCloudDeploy(plan).forEach((line) => io.out(line));
    } else {
      io.out('deploy:cloud: sending');
      describeCloudDeploy(plan).forEach((line) => io.out(line));
      const log: string[] = [];
      try {
        (await deployCloud(plan, log)).forEach((line) => io.out(line));
      } finally {
        verboseLog(values, io, log);
      }
    }
    io.out('');
    consoleChecklist(plan).forEach((line) => io.out(line));
    return EXIT.ok;
  },
};
