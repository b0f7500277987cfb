import { interopUnavailable } from '../testing/netnsLab';
import { BirdRouter } from '../testing/routers/bird';
import { describeInterop, ROUTER_CONFIG } from './scenario';

const why = interopUnavailable(['/usr/sbin/bird', '/usr/sbin/birdc']);
if (why) {
  // Reported as skipped, with the reason, where namespaces or routers are missing.
  // eslint-disable-next-line jest/no-disabled-tests, jest/expect-expect
  it.skip(`BIRD interop (${why})`, () => {});
} else {
  describeInterop(
    'BIRD 2',
    'bi',
    (lab, ns, dir) => new BirdRouter(lab, ns, ROUTER_CONFIG, dir),
  );
}
