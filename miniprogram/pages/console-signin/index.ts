// Sign-in to the provider's PC console by scanning (issue 20): the admin scans the QR on the
// desk's screen, sees which browser is asking, from which address and when, and lets it in or
// turns it away. The backend checks that the caller is an admin and that each QR is answered once.
import type { ConsoleSignInPreview } from '../../../typings/api';
import { backend, errorMessage } from '../../services/index';
import { formatTime } from '../../utils/labels';
import { ticketIn } from './ticket';

type State = 'idle' | 'loading' | 'preview' | 'confirming' | 'approved' | 'denied' | 'error';
const INITIAL = 'idle' as State;

interface PreviewView {
  browser: string;
  ip: string;
  requestedAt: string;
  userAgent: string;
}

const toView = (p: ConsoleSignInPreview): PreviewView => ({
  browser: p.browser,
  ip: p.ip,
  requestedAt: formatTime(p.requestedAt),
  userAgent: p.userAgent,
});

Component({
  data: {
    state: INITIAL,
    preview: null as PreviewView | null,
    errorText: '',
    /** The scanned QR's ticket: the admin's own scan, sent back with the answer. */
    ticket: '',
  },

  methods: {
    onScanTap() {
      wx.scanCode({
        onlyFromCamera: true,
        scanType: ['qrCode'],
        success: (result) => void this.open(result.result),
        // Closing the camera is not an error: the page stays as it was.
        fail: () => undefined,
      });
    },

    async open(scanned: string) {
      const ticket = ticketIn(scanned);
      if (!ticket) {
        this.setData({ state: 'error', errorText: '这不是电脑版控制台的登录二维码，请扫描电脑登录页上的二维码' });
        return;
      }
      this.setData({ state: 'loading', preview: null, ticket });
      try {
        const preview = await backend().call('consoleSignInPreview', { ticket });
        this.setData({ state: 'preview', preview: toView(preview) });
      } catch (error) {
        this.setData({ state: 'error', errorText: errorMessage(error) });
      }
    },

    onApproveTap() {
      void this.answer(true);
    },

    onDenyTap() {
      void this.answer(false);
    },

    async answer(approve: boolean) {
      if (this.data.state !== 'preview') return;
      this.setData({ state: 'confirming' });
      try {
        await backend().call('consoleSignInConfirm', { ticket: this.data.ticket, approve });
        this.setData({ state: approve ? 'approved' : 'denied' });
      } catch (error) {
        this.setData({ state: 'error', errorText: errorMessage(error) });
      }
    },
  },
});
