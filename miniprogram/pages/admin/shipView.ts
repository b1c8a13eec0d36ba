// The admin page's "发布到全部商家" card (issue 19): the release jobs, one job's outlook and the
// merchants that stopped with why and what to do, and the job's commands behind a confirmation.
// A Behavior of its own (data, methods) and one WXML block, so the rest of the page stays apart.
// A command's result stays on the card until the next one: it is what staff act on next.
import type { ShipCommandView, ShipJobCommandInput, ShipJobStatusView, ShipJobView } from '../../../typings/api';
import { backend, errorMessage } from '../../services/index';
import { SHIP_STAGE_LOOK, stageLook } from '../../shared/shipping';
import type { Tone } from '../../shared/status';
import { formatTime } from '../../utils/labels';

export type ShipCommand = 'pause' | 'resume' | 'release' | 'retry' | 'rollback';

const JOB_STATE: Record<ShipJobView['state'], { label: string; tone: Tone }> = {
  running: { label: '进行中', tone: 'primary' },
  paused: { label: '已暂停', tone: 'warning' },
  done: { label: '已完成', tone: 'success' },
};

export interface ShipJobRow {
  jobId: string;
  title: string;
  stateLabel: string;
  stateTone: Tone;
  /** "暂停原因：… · 处理：…", '' when not paused. */
  pause: string;
  /** Merchants per stage in plain words, in the order they go through. */
  progress: string;
  plan: string;
}

export interface ShipProblemRow {
  key: string;
  appid: string;
  stageLabel: string;
  stageTone: Tone;
  message: string;
  action: string;
  retryable: boolean;
}

export interface ShipDetailView {
  jobId: string;
  state: ShipJobView['state'];
  quota: string;
  /** Not enough quota for what the job still needs (after the reserve). */
  quotaShort: boolean;
  budget: string;
  nextWave: string;
  problems: ShipProblemRow[];
  next: number | null;
}

export interface ShipDialog {
  command: ShipCommand;
  title: string;
  message: string;
  /** Fields the command takes: a reason (pause), one appid (release, retry, rollback), a percentage (release). */
  reason: boolean;
  appid: boolean;
  percentage: boolean;
}

export function jobRows(jobs: ShipJobView[]): ShipJobRow[] {
  return jobs.map((job) => ({
    jobId: job.jobId,
    title: `版本 ${job.userVersion} · 模板 ${job.templateId}`,
    stateLabel: JOB_STATE[job.state].label,
    stateTone: JOB_STATE[job.state].tone,
    pause: job.pause
      ? `暂停原因：${job.pause.message}${job.pause.errcode ? `（微信错误码 ${job.pause.errcode}）` : ''} · 处理：${job.pause.action}`
      : '',
    progress: progressText(job),
    plan: `${job.release === 'auto' ? '审核通过后自动发布' : '审核通过后等待发布指令'}${job.grayPercentage ? ` · 灰度 ${job.grayPercentage}%` : ''} · 创建于 ${formatTime(job.createdAt)}`,
  }));
}

function progressText(job: ShipJobView): string {
  const parts = Object.keys(SHIP_STAGE_LOOK)
    .filter((stage) => (job.counts[stage] ?? 0) > 0)
    .map((stage) => `${stageLook(stage).label} ${job.counts[stage]}`);
  return `共 ${job.targets} 个商家${parts.length ? `：${parts.join(' · ')}` : ''}`;
}

export function detailView(status: ShipJobStatusView, earlier: ShipProblemRow[] = []): ShipDetailView {
  const { outlook, job } = status;
  const usable = outlook.quota ? outlook.quota.rest - outlook.reserve : null;
  return {
    jobId: job.jobId,
    state: job.state,
    quota:
      outlook.quotaNeeded === 0
        ? '所有商家都已提交审核，不再需要提审额度'
        : `还需提审 ${outlook.quotaNeeded} 次；${
            outlook.quota
              ? `微信本月剩余额度 ${outlook.quota.rest}/${outlook.quota.limit}，为其他用途保留 ${outlook.reserve}`
              : '暂时没能向微信查询剩余额度'
          }`,
    quotaShort: usable !== null && usable < outlook.quotaNeeded,
    budget: job.openWave < 0 ? '还没有开启任何批次' : `当前第 ${job.openWave + 1} 批，本批还可提审 ${outlook.submitBudget} 次`,
    nextWave: outlook.nextWave
      ? `下一批：第 ${outlook.nextWave.index + 1} 批（共 ${outlook.waves} 批），${outlook.nextWave.merchants} 个商家；上一批审核全部结束且驳回率不超过 ${Math.round(outlook.rejectionThreshold * 100)}% 时开启`
      : `已是最后一批（共 ${outlook.waves} 批）`,
    problems: [
      ...earlier,
      ...status.problems.map((p) => ({
        key: `${p.appid}|${p.stage}`,
        appid: p.appid,
        stageLabel: stageLook(p.stage).label,
        stageTone: stageLook(p.stage).tone,
        message: p.errcode ? `${p.message}（微信错误码 ${p.errcode}）` : p.message,
        action: `处理：${p.action}`,
        retryable: p.stage === 'failed',
      })),
    ],
    next: status.next,
  };
}

export function dialogFor(command: ShipCommand, job: ShipJobRow, appid = ''): ShipDialog {
  const one = appid ? `商家 ${appid}` : '';
  const base = { command, reason: false, appid: false, percentage: false };
  switch (command) {
    case 'pause':
      return {
        ...base,
        title: '暂停任务',
        message: `${job.title}：暂停后不再提交新的审核，已提交的审核照常进行。`,
        reason: true,
      };
    case 'resume':
      return { ...base, title: '恢复任务', message: `${job.title}：恢复后定时任务会继续提交和发布。` };
    case 'release':
      return {
        ...base,
        title: '发布审核通过的版本',
        message: `${job.title}：把审核已通过的商家发布上线（填写 AppID 只发布这一个；填写比例则对已有线上版本的商家灰度发布）。`,
        appid: true,
        percentage: true,
      };
    case 'retry':
      return {
        ...base,
        title: '重试失败的商家',
        message: `${job.title}：${one ? `${one} ` : '失败的商家'}会从检查开始重新发布，每个商家会再用一次提审额度。`,
        appid: !appid,
      };
    case 'rollback':
      return {
        ...base,
        title: '回退',
        message: `${job.title}：已发布的商家退回上一个线上版本，尚未发布的停止。不填 AppID 则回退整个任务的所有商家。`,
        appid: true,
      };
  }
}

const DONE_WORD: Record<ShipCommand, string> = {
  pause: '任务已暂停',
  resume: '任务已恢复，定时任务（约 5 分钟一次）会继续',
  release: '已发布',
  retry: '已重新开始',
  rollback: '已回退',
};

/** What a command did, in words staff can act on (send it again when some were busy or more remain). */
export function resultText(command: ShipCommand, result: ShipCommandView, appid: string): string {
  const state = `任务现在${JOB_STATE[result.state].label}`;
  if (command === 'pause' || command === 'resume') return `${DONE_WORD[command]}。${state}。`;
  const who = appid ? `商家 ${appid}` : `${result.moved} 个商家`;
  const moved =
    appid && result.moved === 0
      ? `商家 ${appid} 不在可${DONE_WORD[command].slice(1)}的状态，没有变化`
      : `${DONE_WORD[command]} ${who}`;
  const notes = [
    result.busy > 0 ? `${result.busy} 个商家正被处理，稍后再操作一次` : '',
    result.more ? '还有更多商家，请再操作一次继续' : '',
  ].filter(Boolean);
  return `${moved}${notes.length ? `；${notes.join('；')}` : ''}。${state}。`;
}

type ShipPart = 'idle' | 'loading' | 'ready' | 'error';
type Tap = { currentTarget: { dataset: Record<string, string | undefined> } };
type Change = { detail: unknown };

const text = (detail: unknown): string => (typeof detail === 'string' ? detail : '').trim();

export const shipCard = Behavior({
  data: {
    shipState: 'idle' as ShipPart,
    shipError: '',
    shipJobs: [] as ShipJobRow[],
    /** The job opened for its details, and those details. */
    shipOpen: '',
    shipDetailState: 'idle' as ShipPart,
    shipDetailError: '',
    shipDetail: null as ShipDetailView | null,
    shipDialog: null as ShipDialog | null,
    shipDialogShow: false,
    shipReason: '',
    shipAppid: '',
    shipPercent: '',
    shipBusy: false,
    /** The last command's outcome; stays until the next command. */
    shipResult: null as { ok: boolean; text: string } | null,
  },

  methods: {
    async onLoadShipTap() {
      if (this.data.shipState === 'loading') return;
      this.setData({ shipState: 'loading', shipError: '' });
      try {
        const { jobs } = await backend().call('shipJobs', {});
        this.setData({ shipState: 'ready', shipJobs: jobRows(jobs) });
      } catch (error) {
        this.setData({ shipState: 'error', shipError: errorMessage(error) });
      }
    },

    /** Opens (or closes) one job's details: outlook, stopped merchants, commands. */
    async onShipJobTap(event: Tap) {
      const jobId = event.currentTarget.dataset.job ?? '';
      if (!jobId || jobId === this.data.shipOpen) {
        this.setData({ shipOpen: '', shipDetail: null, shipDetailState: 'idle', shipResult: null });
        return;
      }
      this.setData({ shipOpen: jobId, shipDetail: null, shipResult: null });
      await this.loadShipDetail(0);
    },

    async loadShipDetail(offset: number) {
      const jobId = this.data.shipOpen;
      this.setData({ shipDetailState: 'loading', shipDetailError: '' });
      try {
        const status = await backend().call('shipJobStatus', { jobId, offset });
        if (jobId !== this.data.shipOpen) return;
        const earlier = offset > 0 ? (this.data.shipDetail?.problems ?? []) : [];
        this.setData({ shipDetailState: 'ready', shipDetail: detailView(status, earlier) });
        this.setData({ shipJobs: this.data.shipJobs.map((row) => (row.jobId === jobId ? jobRows([status.job])[0] : row)) });
      } catch (error) {
        this.setData({ shipDetailState: 'error', shipDetailError: errorMessage(error) });
      }
    },

    onShipMoreProblems() {
      const next = this.data.shipDetail?.next;
      if (typeof next === 'number') void this.loadShipDetail(next);
    },

    onShipRetryDetail() {
      void this.loadShipDetail(0);
    },

    /** A command button: the confirmation first, with the fields the command takes. */
    onShipCommandTap(event: Tap) {
      const command = event.currentTarget.dataset.command as ShipCommand | undefined;
      const job = this.data.shipJobs.find((row) => row.jobId === this.data.shipOpen);
      if (!command || !job || this.data.shipBusy) return;
      const appid = event.currentTarget.dataset.appid ?? '';
      this.setData({
        shipDialog: dialogFor(command, job, appid),
        shipDialogShow: true,
        shipReason: '',
        shipAppid: appid,
        shipPercent: '',
      });
    },

    onShipReasonChange(event: Change) {
      this.setData({ shipReason: text(event.detail) });
    },

    onShipAppidChange(event: Change) {
      this.setData({ shipAppid: text(event.detail) });
    },

    onShipPercentChange(event: Change) {
      this.setData({ shipPercent: text(event.detail) });
    },

    onShipDialogCancel() {
      this.setData({ shipDialogShow: false, shipDialog: null });
    },

    async onShipDialogConfirm() {
      const dialog = this.data.shipDialog;
      const jobId = this.data.shipOpen;
      if (!dialog || !jobId || this.data.shipBusy) return;
      const appid = this.data.shipAppid;
      this.setData({ shipDialogShow: false, shipDialog: null });
      const percent = this.data.shipPercent;
      // Checked here too: a percentage that is not a number would otherwise read as a full release.
      if (dialog.percentage && percent && !/^(100|[1-9][0-9]?)$/.test(percent)) {
        this.setData({ shipResult: { ok: false, text: '灰度比例须为 1–100 的整数，没有发布任何商家' } });
        return;
      }
      this.setData({ shipBusy: true });
      try {
        const result = await backend().call('shipJobCommand', this.shipInput(dialog.command, jobId));
        this.setData({ shipResult: { ok: true, text: resultText(dialog.command, result, appid) } });
      } catch (error) {
        this.setData({ shipResult: { ok: false, text: `${dialog.title}没有完成：${errorMessage(error)}` } });
      }
      this.setData({ shipBusy: false });
      await this.loadShipDetail(0);
    },

    /** The command's input from the dialog's fields; the backend checks them (a clear error otherwise). */
    shipInput(command: ShipCommand, jobId: string): ShipJobCommandInput {
      const appid = this.data.shipAppid ? { appid: this.data.shipAppid } : {};
      switch (command) {
        case 'pause':
          return { jobId, action: 'pause', reason: this.data.shipReason };
        case 'resume':
          return { jobId, action: 'resume' };
        case 'release': {
          const percent = this.data.shipPercent;
          return { jobId, action: 'release', ...appid, ...(percent ? { percentage: Number(percent) } : {}) };
        }
        case 'retry':
        case 'rollback':
          return { jobId, action: command, ...appid };
      }
    },
  },
});
