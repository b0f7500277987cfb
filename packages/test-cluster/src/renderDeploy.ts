import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ensureTestClusterBinaries } from './binaries';
import { kubectlOrThrow } from './kubectl';
import { isJsonObject, KubeObject } from './types';

/** The repository's `deploy/` kustomization. */
// A test-only package, run from its sources in the repository, never built.
// eslint-disable-next-line no-restricted-syntax
export const DEPLOY_DIR = resolve(__dirname, '../../../deploy');

/** The values of deploy/settings.env; what is left out keeps its default. */
export interface DeploySettings {
  namespace?: string;
  metallbNamespace?: string;
  leaseName?: string;
  portalUser?: string;
}

/**
 * `kubectl kustomize deploy/` (or another kustomization directory inside it) with
 * deploy/settings.env set to `settings`, as a user would after editing that file.
 */
export async function renderDeploy(
  settings: DeploySettings = {},
  kustomization = '.',
): Promise<KubeObject[]> {
  const binaries = await ensureTestClusterBinaries();
  const dir = await mkdtemp(join(tmpdir(), 'portico-deploy-'));
  try {
    await cp(DEPLOY_DIR, dir, { recursive: true });
    const values: Record<string, string> = {
      PORTICO_NAMESPACE: settings.namespace ?? 'portico-system',
      PORTICO_METALLB_NAMESPACE: settings.metallbNamespace ?? 'metallb-system',
      PORTICO_LEASE_NAME: settings.leaseName ?? 'portico-controller',
      PORTICO_PORTAL_USER:
        settings.portalUser ??
        'system:serviceaccount:kube-system:portico-portal',
    };
    await writeFile(
      join(dir, 'settings.env'),
      Object.entries(values)
        .map(([key, value]) => `${key}=${value}\n`)
        .join(''),
    );
    const yaml = await kubectlOrThrow(binaries.kubectl, '/dev/null', [
      'kustomize',
      join(dir, kustomization),
    ]);
    return parseAllDocuments(yaml)
      .map(doc => doc.toJSON() as unknown)
      .filter((o): o is KubeObject => isJsonObject(o));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
