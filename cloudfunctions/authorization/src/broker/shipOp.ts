import type { ShipAnswers, ShipOpInput } from '../../../../clients/broker-client/src/wire';
import {
  createJob,
  jobStatus,
  pauseJob,
  releaseJob,
  resumeJob,
  retryJob,
  rollbackJob,
  setMerchantValues,
  templatesInUse,
} from '../shipping/jobActions';
import type { Shipping } from '../shipping/shipping';

/** The broker's `ship` operation: one action of the release jobs (shipping/jobActions.ts). */
export async function runShipOp(shipping: Shipping, input: ShipOpInput): Promise<ShipAnswers[ShipOpInput['action']]> {
  switch (input.action) {
    case 'create': {
      const { action: _action, ...job } = input;
      return createJob(shipping, job);
    }
    case 'status':
      return jobStatus(shipping, input.jobId, input.offset, input.limit);
    case 'pause':
      return pauseJob(shipping, input.jobId, input.reason);
    case 'resume':
      return resumeJob(shipping, input.jobId);
    case 'release':
      return releaseJob(shipping, input.jobId, input.appid, input.percentage ?? null);
    case 'rollback':
      return rollbackJob(shipping, input.jobId, input.appid);
    case 'retry':
      return retryJob(shipping, input.jobId, input.appid);
    case 'values':
      return setMerchantValues(shipping, input.appid, input.values);
    case 'templates':
      return templatesInUse(shipping);
  }
}
