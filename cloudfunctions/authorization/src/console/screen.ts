/** What a console screen is given and what it is (the registry is screens.ts). */
import type { App } from '../app';
import type { ConsoleSite } from './http';
import type { ConsoleSession } from './signin';

export interface ScreenContext {
  app: App;
  session: ConsoleSession;
  site: ConsoleSite;
  query: Record<string, string | undefined>;
  /** The result of the change just made (HTML, escaped), or ''. */
  notice: string;
}

/** A page under a screen (`/<screen>/<id>`): its title and HTML fragment. */
export interface ItemPage {
  title: string;
  html: string;
}

export interface Screen {
  path: string;
  title: string;
  render(ctx: ScreenContext): Promise<string>;
  /** The page of one of the screen's rows, or null when there is none by that id (a 404). */
  item?(ctx: ScreenContext, id: string): Promise<ItemPage | null>;
}
