import { pruneToSchema } from './pruneToSchema';

describe('pruneToSchema', () => {
  const schema = {
    type: 'object',
    properties: {
      communities: { type: 'array', items: { type: 'string' } },
      nodeSelectors: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            matchLabels: {
              type: 'object',
              additionalProperties: { type: 'string' },
            },
          },
        },
      },
      extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    },
  };

  it('drops what the schema does not declare, and keeps maps and preserved fields', () => {
    const out = pruneToSchema(
      {
        communities: ['65000:100'],
        largeCommunities: ['65000:1:2'],
        nodeSelectors: [{ matchLabels: { zone: 'a' }, matchFields: [] }],
        extra: { anything: { deep: 1 } },
      },
      schema,
    );
    expect(out.value).toEqual({
      communities: ['65000:100'],
      nodeSelectors: [{ matchLabels: { zone: 'a' } }],
      extra: { anything: { deep: 1 } },
    });
    expect(out.dropped).toEqual([
      'largeCommunities',
      'nodeSelectors[0].matchFields',
    ]);
  });
});
