import { interopUnavailable } from '../testing/netnsLab';
import { GobgpRouter } from '../testing/routers/gobgp';
import { describeInterop, ROUTER_CONFIG } from './scenario';

const why = interopUnavailable(['/usr/bin/gobgpd', '/usr/bin/gobgp']);
if (why) {
  // Reported as skipped, with the reason, where namespaces or routers are missing.
  // eslint-disable-next-line jest/no-disabled-tests, jest/expect-expect
  it.skip(`GoBGP interop (${why})`, () => {});
} else {
  describeInterop(
    'GoBGP',
    'go',
    (lab, ns, dir) => new GobgpRouter(lab, ns, ROUTER_CONFIG, dir),
  );
}
