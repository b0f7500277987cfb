import { StatusError } from '../http/status';
import { matchesFields, parseFieldSelector } from './fieldSelector';
import { matchesLabels, parseLabelSelector } from './labelSelector';

describe('label selectors', () => {
  const labels = {
    app: 'edge-api',
    tier: 'edge',
    'portico.dev/managed': 'true',
  };
  it.each([
    ['app=edge-api', true],
    ['app==edge-api', true],
    ['app!=edge-api', false],
    ['app!=other', true],
    ['tier in (edge, web)', true],
    ['tier notin (edge)', false],
    ['portico.dev/managed', true],
    ['!portico.dev/managed', false],
    ['!missing,app=edge-api', true],
    ['missing notin (x)', true],
    ['missing in (x)', false],
    ['', true],
  ])('%s matches: %s', (selector, expected) => {
    expect(matchesLabels(parseLabelSelector(selector), labels)).toBe(expected);
  });

  it('answers 400 for a selector it cannot parse', () => {
    expect(() => parseLabelSelector('app=(x')).toThrow(StatusError);
    expect(() => parseLabelSelector('a b c')).toThrow(
      expect.objectContaining({ code: 400, reason: 'BadRequest' }),
    );
  });
});

describe('field selectors', () => {
  const object = {
    metadata: { name: 'edge-api', namespace: 'team-a' },
    involvedObject: { kind: 'Service' },
  };
  it.each([
    ['metadata.name=edge-api', true],
    ['metadata.name!=edge-api', false],
    ['metadata.namespace==team-a,involvedObject.kind=Service', true],
    ['involvedObject.kind=Pod', false],
    ['spec.missing=', true],
  ])('%s matches: %s', (selector, expected) => {
    expect(matchesFields(parseFieldSelector(selector), object)).toBe(expected);
  });
});
