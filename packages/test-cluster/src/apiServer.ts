import { writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import {
  createServiceAccountKeys,
  createServingCertificate,
} from './certificates';
import { freePort, ManagedProcess, startProcess, waitUntil } from './processes';

export interface ApiServerFiles {
  certificate: string;
  /** PEM of the serving certificate, which is also the CA clients trust. */
  certificateAuthority: string;
  flags: string[];
}

/** Where cluster IPs come from: benchmarking space, never routed. */
export const SERVICE_CIDR = '198.19.0.0/16';

/**
 * Certificates, the ServiceAccount signing keys and the static token file for one
 * API server, and the flags that use them: RBAC, the default admission plugins,
 * ServiceAccount tokens through the TokenRequest API.
 */
export async function prepareApiServer(
  dir: string,
  etcdUrl: string,
  tokens: Array<{ token: string; user: string; groups: string[] }>,
  audit = false,
): Promise<ApiServerFiles> {
  const serving = await createServingCertificate();
  const accountKeys = createServiceAccountKeys();
  const path = (name: string) => join(dir, name);
  await writeFile(path('serving.crt'), serving.certificate);
  await writeFile(path('serving.key'), serving.privateKey, { mode: 0o600 });
  await writeFile(path('sa.pub'), accountKeys.publicKey);
  await writeFile(path('sa.key'), accountKeys.privateKey, { mode: 0o600 });
  await writeFile(
    path('tokens.csv'),
    tokens
      .map(t => `${t.token},${t.user},${t.user},"${t.groups.join(',')}"\n`)
      .join(''),
    { mode: 0o600 },
  );
  const auditFlags: string[] = [];
  if (audit) {
    // Who did what, request by request: what a component really calls.
    await writeFile(
      path('audit-policy.yaml'),
      'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Metadata\n',
    );
    auditFlags.push(
      `--audit-policy-file=${path('audit-policy.yaml')}`,
      `--audit-log-path=${path('audit.log')}`,
      '--audit-log-format=json',
    );
  }
  return {
    certificate: path('serving.crt'),
    certificateAuthority: serving.certificate,
    flags: [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--cert-dir=${dir}`,
      `--tls-cert-file=${path('serving.crt')}`,
      `--tls-private-key-file=${path('serving.key')}`,
      `--token-auth-file=${path('tokens.csv')}`,
      '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${path('sa.pub')}`,
      `--service-account-signing-key-file=${path('sa.key')}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      '--allow-privileged=true',
      // The `kubernetes` Service's endpoints would need a routable address.
      '--endpoint-reconciler-type=none',
      '--profiling=false',
      '--v=0',
      ...auditFlags,
    ],
  };
}

export interface RunningApiServer {
  url: string;
  process: ManagedProcess;
}

/** GETs `path` from the API server, resolving with the status and body. */
export function apiGet(
  url: string,
  path: string,
  token: string,
  ca: string,
): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const req = request(
      `${url}${path}`,
      { headers: { authorization: `Bearer ${token}` }, ca, timeout: 5000 },
      res => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', chunk => {
          body += chunk;
        });
        res.on('end', () => done({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', fail);
    req.end();
  });
}

/** Starts kube-apiserver (on `port`, or a free one) and waits until /readyz is ok. */
export async function startApiServer(options: {
  binary: string;
  files: ApiServerFiles;
  adminToken: string;
  port?: number;
}): Promise<RunningApiServer> {
  const port = options.port ?? (await freePort());
  const url = `https://127.0.0.1:${port}`;
  const child = startProcess(options.binary, [
    ...options.files.flags,
    `--secure-port=${port}`,
  ]);
  await waitUntil(
    'kube-apiserver',
    child,
    async () =>
      (
        await apiGet(
          url,
          '/readyz',
          options.adminToken,
          options.files.certificateAuthority,
        )
      ).status === 200,
    90_000,
  );
  return { url, process: child };
}
