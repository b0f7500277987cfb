import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { isJsonObject, KubeObject } from './types';

/** Every object in a YAML file, or in the .yaml/.yml/.json files of a directory (sorted by name). */
export async function loadManifests(path: string): Promise<KubeObject[]> {
  const info = await stat(path);
  if (info.isDirectory()) {
    const names = (await readdir(path))
      .filter(n => /\.(ya?ml|json)$/.test(n))
      .sort();
    const all = await Promise.all(names.map(n => loadManifests(join(path, n))));
    return all.flat();
  }
  const text = await readFile(path, 'utf8');
  return parseAllDocuments(text)
    .map(doc => doc.toJSON() as unknown)
    .filter((o): o is KubeObject => isJsonObject(o) && isJsonObject(o.metadata))
    .flatMap(o =>
      o.kind === 'List' && Array.isArray(o.items)
        ? (o.items as KubeObject[])
        : [o],
    );
}
