import { dirname, join, resolve } from 'node:path';

/**
 * Files the lab runs or reads, found through package resolution. The lab only
 * runs from a checkout of the repository (it is never built or shipped).
 */
export const LAB_DIR = dirname(require.resolve('@portico/lab/package.json'));
export const REPO_ROOT = resolve(LAB_DIR, '../..');
const AGENT_DIR = dirname(require.resolve('@portico/node-agent/package.json'));

/** The node agent's command line, `portico-agent controller|speaker`. */
export const AGENT_BIN = join(AGENT_DIR, 'bin', 'portico-agent');
/** The CRDs of the Kubernetes contract: ExposureGrant and the MetalLB kinds. */
export const CRD_DIR = join(REPO_ROOT, 'deploy', 'crds');
export const LAB_CONFIG = join(LAB_DIR, 'lab', 'app-config.lab.yaml');

const SRC = join(LAB_DIR, 'src');
/** Scripts the lab runs inside namespaces with `node --import tsx`. */
export const EDGE_API_SCRIPT = join(SRC, 'nodes', 'edgeApi.ts');
export const NAMESPACE_RELAY_SCRIPT = join(SRC, 'kube', 'namespaceRelay.ts');
