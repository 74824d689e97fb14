/**
 * Checks that the JWK selected by the token's `kid` is the kind of key the token's `alg` needs. aws-jwt-verify
 * compares `alg` with the JWK's `alg` only when the JWK declares one; this closes the gap for JWKS without `alg`.
 */
import type { Jwk } from 'aws-jwt-verify/jwk';

/** The selected key does not fit the token's algorithm, or is too weak. */
export class KeyAlgorithmMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyAlgorithmMismatchError';
  }
}

/** Smallest accepted RSA modulus, in bits. @see https://www.rfc-editor.org/rfc/rfc7518#section-3.3 */
export const MIN_RSA_MODULUS_BITS = 2048;

const EC_CURVES: Record<string, string> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' };

/**
 * Requires an RSA key of at least {@link MIN_RSA_MODULUS_BITS} bits for `RS*`, an EC key on the algorithm's curve for
 * `ES*`, and an OKP key (Ed25519 or Ed448) for `EdDSA`.
 * @throws KeyAlgorithmMismatchError when the key does not fit.
 */
export function assertKeyFitsAlgorithm(alg: string, jwk: Jwk): void {
  if (alg.startsWith('RS')) {
    if (jwk.kty !== 'RSA' || typeof jwk.n !== 'string') throw new KeyAlgorithmMismatchError(`${alg} needs an RSA key (got kty ${jwk.kty})`);
    const bits = Buffer.from(jwk.n, 'base64url').length * 8;
    if (bits < MIN_RSA_MODULUS_BITS) {
      throw new KeyAlgorithmMismatchError(`RSA key must have at least ${MIN_RSA_MODULUS_BITS} bits (got ${bits})`);
    }
    return;
  }
  if (alg in EC_CURVES) {
    if (jwk.kty !== 'EC' || jwk.crv !== EC_CURVES[alg]) {
      throw new KeyAlgorithmMismatchError(`${alg} needs an EC key on ${EC_CURVES[alg]} (got kty ${jwk.kty}, crv ${jwk.crv})`);
    }
    return;
  }
  if (alg === 'EdDSA') {
    if (jwk.kty !== 'OKP' || (jwk.crv !== 'Ed25519' && jwk.crv !== 'Ed448')) {
      throw new KeyAlgorithmMismatchError(`EdDSA needs an OKP key on Ed25519 or Ed448 (got kty ${jwk.kty}, crv ${jwk.crv})`);
    }
    return;
  }
  throw new KeyAlgorithmMismatchError(`unsupported algorithm ${alg}`);
}
