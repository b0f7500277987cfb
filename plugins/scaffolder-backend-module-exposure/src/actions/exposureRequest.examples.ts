import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Expose edge-api on the internal network; the owner is read from the catalog',
    example: yaml.stringify({
      steps: [
        {
          id: 'exposure',
          action: 'exposure:request',
          name: 'Request the internal exposure',
          input: {
            entityRef: 'component:default/edge-api',
            cluster: 'prod-east',
            namespace: 'payments',
            service: 'edge-api',
            ports: [{ port: 443, protocol: 'TCP' }],
            intent: 'internal',
            justification: 'Checkout calls edge-api from the office network',
          },
        },
      ],
    }),
  },
  {
    description:
      'A temporary exposure for a migration, from a named pool, for 48 hours',
    example: yaml.stringify({
      steps: [
        {
          id: 'exposure',
          action: 'exposure:request',
          name: 'Request the temporary exposure',
          input: {
            entityRef: 'component:default/checkout',
            owner: 'group:default/team-payments',
            cluster: 'prod-east',
            namespace: 'payments',
            service: 'checkout-migration',
            ports: [
              { port: 8443, protocol: 'TCP' },
              { port: 5353, protocol: 'UDP' },
            ],
            intent: 'temporary',
            pool: 'temp-migrations',
            lifetimeHours: 48,
            justification: 'Data migration from the legacy load balancer',
          },
        },
      ],
    }),
  },
];
