import { interopUnavailable } from '../testing/netnsLab';
import { FrrRouter } from '../testing/routers/frr';
import { describeInterop, ROUTER_CONFIG } from './scenario';

const why = interopUnavailable(['/usr/lib/frr/bgpd', '/usr/bin/vtysh']);
if (why) {
  // Reported as skipped, with the reason, where namespaces or routers are missing.
  // eslint-disable-next-line jest/no-disabled-tests, jest/expect-expect
  it.skip(`FRR interop (${why})`, () => {});
} else {
  describeInterop(
    'FRR',
    'fr',
    (lab, ns, dir) => new FrrRouter(lab, ns, ROUTER_CONFIG, dir),
  );
}
