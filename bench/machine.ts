import os from 'node:os';

/** The facts a reader needs to compare figures across machines. */
export interface MachineFacts {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  platform: string;
  nodeVersion: string;
  date: string;
  /** 1-minute load average when the run started: other work on the machine skews every figure. */
  loadAverageAtStart: number;
}

export function machineFacts(now = new Date()): MachineFacts {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism?.() ?? cpus.length,
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    nodeVersion: process.version,
    date: now.toISOString(),
    loadAverageAtStart: Math.round(os.loadavg()[0] * 100) / 100,
  };
}

export function describeMachine(facts: MachineFacts): string {
  return `${facts.cpuModel}, ${facts.cores} cores, ${facts.memoryGiB} GiB, ${facts.platform}, Node ${facts.nodeVersion} (load average ${facts.loadAverageAtStart} at start)`;
}
