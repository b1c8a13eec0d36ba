/**
 * The platform's draft box and code template library (spec code-management §2): a small
 * in-memory model. It sits in the state layer because two areas read it: templates (the
 * component-token APIs) and code-management (`commit` needs the template to exist).
 */
import { WeChatApiError } from './errors';

interface Draft {
  draft_id: number;
  user_version: string;
  user_desc: string;
  create_time: number;
  source_miniprogram_appid: string;
  source_miniprogram: string;
  developer: string;
}

interface Template extends Omit<Draft, 'developer'> {
  template_id: number;
  template_type: 0;
  category_list: [];
}

const TEMPLATE_CAP = 200;
const DEV_APPID = 'wxdev0000000000001';

/** The draft box and the template library of the platform (spec code-management §2). */
export class TemplateLibrary {
  readonly drafts: Draft[] = [
    draft(11, 'v1.2.0', 'new home page', 1_700_800_000),
    draft(12, 'v1.3.0', 'faster checkout', 1_701_000_000),
  ];
  readonly templates: Template[] = [
    template(1, draft(1, 'v1.0.0', 'first release', 1_700_000_000)),
    template(2, draft(2, 'v1.1.0', 'bug fixes', 1_700_500_000)),
  ];
  private nextTemplateId = 3;
  private nextDraftId = 13;

  /**
   * A DevTools / miniprogram-ci upload from the dev mini-program: the box keeps only its latest
   * draft (spec §2.1), so earlier drafts of that dev appid leave. Returns the new draft id.
   */
  upload(userVersion: string, userDesc: string, createTime: number): number {
    const uploaded = draft(this.nextDraftId++, userVersion, userDesc, createTime);
    const others = this.drafts.filter((d) => d.source_miniprogram_appid !== uploaded.source_miniprogram_appid);
    this.drafts.splice(0, this.drafts.length, ...others, uploaded);
    return uploaded.draft_id;
  }

  /** addtotemplate: no template id in the answer (spec §2.3); find it by its draft_id. Returns it for the handle. */
  add(draftId: number): number {
    const found = this.drafts.find((d) => d.draft_id === draftId);
    if (!found) throw new WeChatApiError(85064);
    if (this.templates.length >= TEMPLATE_CAP) throw new WeChatApiError(85065);
    const added = template(this.nextTemplateId++, found);
    this.templates.push(added);
    return added.template_id;
  }

  find(templateId: number): Template | undefined {
    return this.templates.find((t) => t.template_id === templateId);
  }

  remove(templateId: number): void {
    const at = this.templates.findIndex((t) => t.template_id === templateId);
    if (at < 0) throw new WeChatApiError(85064);
    this.templates.splice(at, 1);
  }
}

function draft(id: number, version: string, desc: string, at: number): Draft {
  return {
    draft_id: id,
    user_version: version,
    user_desc: desc,
    create_time: at,
    source_miniprogram_appid: DEV_APPID,
    source_miniprogram: '模板开发小程序',
    developer: 'ops',
  };
}

function template(id: number, from: Draft): Template {
  const { developer: _developer, ...fields } = from;
  return { ...fields, template_id: id, template_type: 0, category_list: [] };
}
