import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  exportPKCS8,
  exportSPKI,
  GeneralSign,
  generateKeyPair,
  importPKCS8,
  KeyLike,
  SignJWT,
} from 'jose';

const ALGORITHM = 'ES256';
const KEY_ID = 'portico-lab';

/**
 * The lab's Backstage signing key. The lab configures the auth backend with a static
 * key store holding this key (`auth.keyStore.provider: static`), so the portal
 * signs its guest sessions with it and the lab can sign in as any demo user — the
 * app-team member who asks and the platform admin who approves — with tokens the
 * backend verifies exactly like its own. A lab-only arrangement: production
 * deployments sign in through a real identity provider.
 */
export class LabSigningKey {
  private constructor(
    private readonly privateKey: KeyLike,
    readonly config: object,
  ) {}

  static async create(dir: string): Promise<LabSigningKey> {
    const { publicKey, privateKey } = await generateKeyPair(ALGORITHM, {
      extractable: true,
    });
    const { publicKeyFile, privateKeyFile } = keyFiles(dir);
    await writeFile(publicKeyFile, await exportSPKI(publicKey));
    await writeFile(privateKeyFile, await exportPKCS8(privateKey), {
      mode: 0o600,
    });
    return LabSigningKey.fromPrivateKey(dir, privateKey);
  }

  /** The key of a running lab, from its folder (for `npm run lab -- as ...`). */
  static async load(dir: string): Promise<LabSigningKey> {
    const pem = await readFile(keyFiles(dir).privateKeyFile, 'utf8');
    return LabSigningKey.fromPrivateKey(dir, await importPKCS8(pem, ALGORITHM));
  }

  private static fromPrivateKey(
    dir: string,
    privateKey: KeyLike,
  ): LabSigningKey {
    const { publicKeyFile, privateKeyFile } = keyFiles(dir);
    return new LabSigningKey(privateKey, {
      auth: {
        keyStore: {
          provider: 'static',
          static: {
            keys: [
              {
                publicKeyFile,
                privateKeyFile,
                keyId: KEY_ID,
                algorithm: ALGORITHM,
              },
            ],
          },
        },
      },
    });
  }

  /**
   * A Backstage user token, with the claims the auth backend's issuer writes
   * (`sub`, `ent`, `aud`, `iat`, `exp` and the user identity proof `uip`).
   */
  async userToken(options: {
    issuer: string;
    userEntityRef: string;
    ownershipEntityRefs: string[];
    ttlSeconds?: number;
  }): Promise<string> {
    const iat = Math.floor(Date.now() / 1000);
    const exp = iat + (options.ttlSeconds ?? 3600);
    const sub = options.userEntityRef;
    const proof = await new GeneralSign(
      new TextEncoder().encode(JSON.stringify({ sub, iat, exp })),
    )
      .addSignature(this.privateKey)
      .setProtectedHeader({
        typ: 'vnd.backstage.limited-user',
        alg: ALGORITHM,
        kid: KEY_ID,
      })
      .sign();
    return new SignJWT({
      ent: options.ownershipEntityRefs,
      uip: proof.signatures[0].signature,
    })
      .setProtectedHeader({
        typ: 'vnd.backstage.user',
        alg: ALGORITHM,
        kid: KEY_ID,
      })
      .setIssuer(options.issuer)
      .setSubject(sub)
      .setAudience('backstage')
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(this.privateKey);
  }
}

function keyFiles(dir: string) {
  return {
    publicKeyFile: join(dir, 'auth-public.pem'),
    privateKeyFile: join(dir, 'auth-private.pem'),
  };
}
