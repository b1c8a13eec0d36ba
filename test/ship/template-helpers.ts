import { WeChatAnswer, type ProxyRequest } from '../../clients/broker-client/src';
import type { Io } from '../../scripts/ship/cli';
import type { Env } from '../../scripts/ship/inputs';
import { DEFAULT_DEPS, runTemplate, type TemplateDeps } from '../../scripts/ship/template';
import type { Run } from './helpers';

/** A key secret as the function takes them (≥ 32 characters); tests check it is never printed. */
export const KEY_SECRET = 'tmpl-secret-0123456789abcdef0123456789';

/** Runs `npm run template -- <argv>` in-process with its own environment and dependencies. */
export async function runTemplateCli(argv: string[], env: Env, cwd: string, deps: TemplateDeps = DEFAULT_DEPS): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (l) => out.push(l), err: (l) => err.push(l), env, cwd };
  const code = await runTemplate(argv, io, deps);
  return { code, out: out.join('\n'), err: err.join('\n'), all: [...out, ...err].join('\n') };
}

interface FakeDraft {
  draft_id: number;
  user_version: string;
  user_desc: string;
  create_time: number;
  source_miniprogram_appid: string;
}

/**
 * An in-memory draft box and template library behind a fake broker, for the upload flow against
 * WeChat, which the local stack cannot serve (miniprogram-ci uploads only to WeChat; locally the
 * emulator plays the upload, template-stack.test.ts). It answers as WeChat does:
 * addtotemplate without a template id, 85064 and 85065.
 */
export class FakeLibrary {
  drafts: FakeDraft[] = [];
  templates: Array<FakeDraft & { template_id: number; template_type: 0 }> = [];
  calls: string[] = [];
  private nextTemplate = 500;
  cap = 200;

  async componentCall(request: ProxyRequest): Promise<WeChatAnswer> {
    this.calls.push(`${request.method} ${request.path}${request.json ? ` ${JSON.stringify(request.json)}` : ''}`);
    const body = (request.json ?? {}) as { draft_id?: number; template_id?: number };
    switch (request.path) {
      case '/wxa/gettemplatedraftlist':
        return answer(this.drafts.length ? { draft_list: this.drafts } : { errcode: 85064, errmsg: 'no draft' });
      case '/wxa/gettemplatelist':
        return answer({ template_list: this.templates });
      case '/wxa/addtotemplate': {
        const draft = this.drafts.find((d) => d.draft_id === body.draft_id);
        if (!draft) return answer({ errcode: 85064, errmsg: 'draft not found' });
        if (this.templates.length >= this.cap) return answer({ errcode: 85065, errmsg: 'template list is full' });
        this.templates.push({ ...draft, template_id: this.nextTemplate++, template_type: 0 });
        return answer({});
      }
      case '/wxa/deletetemplate': {
        const at = this.templates.findIndex((t) => t.template_id === body.template_id);
        if (at < 0) return answer({ errcode: 85064, errmsg: 'template not found' });
        this.templates.splice(at, 1);
        return answer({});
      }
      default:
        throw new Error(`unexpected ${request.path}`);
    }
  }
}

function answer(body: Record<string, unknown>): WeChatAnswer {
  const json = JSON.stringify({ errcode: 0, errmsg: 'ok', ...body });
  return new WeChatAnswer(200, 'application/json; charset=utf-8', new Uint8Array(Buffer.from(json)));
}
