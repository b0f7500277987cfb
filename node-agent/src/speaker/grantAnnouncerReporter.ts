import {
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type { PeerStatus } from '../bgp';
import type { Route } from '../bgp/announcer/types';
import type { L2Status } from '../l2';
import type { GrantInfo } from '../kube/grants';
import type { Logger } from '../logging';
import { announcerPatches, nodeAnnouncements } from './announcementReport';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/**
 * Tells the portal which node announces each granted address: every speaker
 * merge-patches only its own key under `status.announcers` of the grant, so
 * speakers never overwrite one another. One report runs at a time.
 */
export class GrantAnnouncerReporter {
  private readonly api: CustomObjectsApi;
  private readonly reported = new Map<string, { key: string; at: number }>();
  private busy = false;

  constructor(
    kubeConfig: KubeConfig,
    private readonly nodeName: string,
    private readonly logger: Logger,
  ) {
    this.api = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  async report(
    grants: GrantInfo[],
    l2: L2Status | undefined,
    bgpRoutes: Map<string, Route[]>,
    peers: PeerStatus[],
  ): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const node = nodeAnnouncements(this.nodeName, l2, bgpRoutes, peers);
      const now = Date.now();
      for (const patch of announcerPatches(grants, node, this.reported, now)) {
        await this.write(patch.grant, patch.entry);
        this.reported.set(patch.grant, { key: patch.key, at: now });
      }
    } catch (error) {
      this.logger.warn('could not report announcements to the grants', {
        error: String(error),
      });
    } finally {
      this.busy = false;
    }
  }

  /** On shutdown: this node announces nothing any more. */
  async clear(grants: GrantInfo[]): Promise<void> {
    const mine = grants.filter(g => {
      const last = this.reported.get(g.name);
      return last && last.key !== 'null';
    });
    await Promise.all(
      mine.map(g => this.write(g.name, null).catch(() => undefined)),
    );
  }

  private async write(grant: string, entry: unknown): Promise<void> {
    await this.api.patchClusterCustomObjectStatus(
      {
        group: 'portico.dev',
        version: 'v1alpha1',
        plural: 'exposuregrants',
        name: grant,
        body: { status: { announcers: { [this.nodeName]: entry } } },
      },
      mergePatch,
    );
  }
}
