import path from 'node:path';
import { parseArgs } from 'node:util';
import { ShipError } from './errors';
import type { Env } from './inputs';

/** Where a command writes and what it reads from its surroundings; tests pass their own. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  env: Env;
  cwd: string;
}

type OptionSpec = { type: 'string' | 'boolean'; short?: string; help: string; value?: string };

export interface Command {
  name: string;
  summary: string;
  /** Paragraphs after the option list in --help. */
  notes: string[];
  options: Record<string, OptionSpec>;
  /** Set when the command takes positional arguments: how --help names them, e.g. `<template_id>…`. */
  positionals?: string;
  run(values: Record<string, string | boolean | undefined>, io: Io, positionals: string[]): Promise<number>;
}

export const COMMON_OPTIONS: Record<string, OptionSpec> = {
  help: { type: 'boolean', short: 'h', help: 'show this help' },
  'dry-run': { type: 'boolean', help: 'do everything up to the network call, then print what would be sent' },
  verbose: { type: 'boolean', help: "also print miniprogram-ci's own log" },
};

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export function helpText(command: Command): string[] {
  const flags = Object.entries(command.options).map(([name, spec]) => {
    const left = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.type === 'string' ? ` <${spec.value ?? 'value'}>` : ''}`;
    return `  ${left.padEnd(30)} ${spec.help}`;
  });
  return [
    npmRun(command, ...(command.positionals ? [command.positionals] : []), '[options]'),
    '',
    command.summary,
    '',
    'Options:',
    ...flags,
    '',
    ...command.notes,
  ];
}

/** How a person types the command: `npm run check -- …`; a subcommand's name is `<script> <subcommand>`. */
export function npmRun(command: Pick<Command, 'name'>, ...args: string[]): string {
  const [script, ...sub] = command.name.split(' ');
  return `npm run ${script} -- ${[...sub, ...args].join(' ')}`;
}

/** Parses argv, prints help or runs; a ShipError becomes a message and an exit code, never a stack. */
export async function runCommand(command: Command, argv: string[], io: Io): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    const spec = Object.fromEntries(
      Object.entries(command.options).map(([name, o]) => [name, { type: o.type, ...(o.short ? { short: o.short } : {}) }]),
    );
    ({ values, positionals } = parseArgs({
      args: argv,
      options: spec,
      allowPositionals: command.positionals !== undefined,
      strict: true,
    }));
  } catch (error) {
    io.err(`${command.name}: ${(error as Error).message}`);
    io.err(`Run \`${npmRun(command, '--help')}\` for the options.`);
    return EXIT.usage;
  }
  if (values.help) {
    helpText(command).forEach((line) => io.out(line));
    return EXIT.ok;
  }
  try {
    return await command.run(values, io, positionals);
  } catch (error) {
    if (!(error instanceof ShipError)) throw error;
    io.err(error.message);
    error.details.forEach((line) => io.err(`  | ${line}`));
    return error.name === 'MissingInputsError' ? EXIT.usage : EXIT.failed;
  }
}

/** Runs a command (or a runner of subcommands) as the process and exits with its code (miniprogram-ci may leave sockets open). */
export function main(command: Command | ((argv: string[], io: Io) => Promise<number>)): void {
  const io: Io = {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
    cwd: process.cwd(),
  };
  const argv = process.argv.slice(2);
  void (typeof command === 'function' ? command(argv, io) : runCommand(command, argv, io))
    .catch((error: unknown) => {
      io.err(error instanceof Error ? (error.stack ?? error.message) : String(error));
      return EXIT.failed;
    })
    .then((code) => {
      process.stdout.write('', () => process.exit(code));
    });
}

export function stringOption(values: Record<string, string | boolean | undefined>, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function numberOption(values: Record<string, string | boolean | undefined>, name: string): number | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new ShipError(`--${name} must be a number (got ${JSON.stringify(raw)}).`);
  return value;
}

export function projectRootOption(values: Record<string, string | boolean | undefined>, io: Io, fallback: string): string {
  const given = stringOption(values, 'project');
  return given ? path.resolve(io.cwd, given) : fallback;
}
