import { spawn } from 'node:child_process';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs kubectl with `args` against the kubeconfig file given; never throws on exit codes. */
export function runKubectl(
  binary: string,
  kubeconfigPath: string,
  args: string[],
  input?: string,
): Promise<KubectlResult> {
  return new Promise((done, fail) => {
    const child = spawn(binary, [`--kubeconfig=${kubeconfigPath}`, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, KUBECONFIG: kubeconfigPath },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', c => {
      stdout += c;
    });
    child.stderr.setEncoding('utf8').on('data', c => {
      stderr += c;
    });
    child.on('error', fail);
    child.on('close', code => done({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** Like runKubectl, but a non-zero exit is an error carrying kubectl's message. */
export async function kubectlOrThrow(
  binary: string,
  kubeconfigPath: string,
  args: string[],
  input?: string,
): Promise<string> {
  const result = await runKubectl(binary, kubeconfigPath, args, input);
  if (result.code !== 0) {
    throw new Error(
      `kubectl ${args.join(' ')} failed (exit ${result.code}): ${
        result.stderr.trim() || result.stdout.trim()
      }`,
    );
  }
  return result.stdout;
}
