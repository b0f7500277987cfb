import { Config } from '@backstage/config';
import { z } from 'zod';

/** A cluster as the Backstage Kubernetes plugin configures it (`type: config`). */
export const clusterEntrySchema = z.object({
  name: z.string().min(1),
  url: z.string().url(),
  authProvider: z.string().default('serviceAccount'),
  serviceAccountToken: z.string().optional(),
  caData: z.string().optional(),
  skipTLSVerify: z.boolean().default(false),
});
export type ClusterEntry = z.infer<typeof clusterEntrySchema>;

const settingsSchema = z.object({
  metallbNamespace: z.string().min(1).default('metallb-system'),
  intervalSeconds: z.number().int().min(1).default(15),
  maxBackoffSeconds: z.number().int().min(1).default(60),
  unallocatedGrantGraceSeconds: z.number().int().min(0).default(300),
  adoption: z
    .object({
      /** Owners for adopted Services no catalog entity claims, by namespace (`shop-*` a prefix). */
      namespaceOwners: z
        .array(
          z.object({
            namespace: z.string().min(1),
            owner: z
              .string()
              .regex(
                /^group:[^/]+\/.+$/,
                'must be a group ref such as group:default/team-shop',
              ),
          }),
        )
        .default([]),
    })
    .default({}),
});

export interface ReconcilerSettings extends z.infer<typeof settingsSchema> {
  clusters: ClusterEntry[];
}

/**
 * Reads the clusters from `kubernetes.clusterLocatorMethods` (only `type: config`
 * entries name their clusters) and Portico's own `exposure.kubernetes` settings.
 * Throws with the config path of a bad key.
 */
export function readReconcilerSettings(config: Config): ReconcilerSettings {
  const clusters: ClusterEntry[] = [];
  const methods =
    config.getOptionalConfigArray('kubernetes.clusterLocatorMethods') ?? [];
  methods.forEach((method, m) => {
    if (method.getString('type') !== 'config') return;
    (method.getOptional<unknown[]>('clusters') ?? []).forEach((raw, c) => {
      const parsed = clusterEntrySchema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new Error(
          `kubernetes.clusterLocatorMethods[${m}].clusters[${c}].${issue.path.join(
            '.',
          )}: ${issue.message}`,
        );
      }
      clusters.push(parsed.data);
    });
  });
  const settings = settingsSchema.safeParse(
    config.getOptional('exposure.kubernetes') ?? {},
  );
  if (!settings.success) {
    const issue = settings.error.issues[0];
    throw new Error(
      `exposure.kubernetes.${issue.path.join('.')}: ${issue.message}`,
    );
  }
  return { ...settings.data, clusters };
}
