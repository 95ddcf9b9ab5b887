// The page's entry: the styles, the start frame, then the app. Kept small: it runs before
// the first paint.
import './app.css';
import { afterNextPaint } from './lib/frames';
import { osOf } from './lib/shell/platform';
import { showStartFrame } from './lib/shell/startFrame';

document.documentElement.dataset.os = osOf(navigator.userAgent);
const target = document.getElementById('app');
if (!target) throw new Error('index.html lacks #app');

// With a start frame, the app's script loads once that frame is on screen: evaluated
// before it, it would hold the first paint back by as long as it takes to run.
const frame = showStartFrame(window.__KEYDESK_START_FRAME__);
delete window.__KEYDESK_START_FRAME__;
const painted = frame
  ? new Promise<void>((resolve) =>
      afterNextPaint(() => {
        // The benchmarks' "keys on screen" when a start frame shows them (tests/e2e/bench).
        performance.mark('start-frame-painted');
        resolve();
      }),
    )
  : Promise.resolve();

export default painted.then(() => import('./app')).then(({ start }) => start(target));
