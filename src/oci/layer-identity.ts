import { sha256Of, type Digest } from '../base/index.js';

/*
 * Layer identity, exactly as the OCI image-spec (config.md, "Layer DiffID" and "Layer
 * ChainID") defines it:
 *
 *   DiffID(L)              = sha256 of the layer's *uncompressed* tar (computed where the tar
 *                            is streamed — archive/, content/ — with DigestingStream)
 *   ChainID(L0)            = DiffID(L0)
 *   ChainID(L0|…|Ln-1|Ln)  = sha256(ChainID(L0|…|Ln-1) + " " + DiffID(Ln))
 *
 * The joined string is the two digests in their `sha256:<hex>` form with one space between.
 * A chainID names a stack of layers applied in order, so it is what an unpacked snapshot is
 * keyed by: the same diffID on a different parent is a different filesystem.
 */

/** The chainID of each prefix of `diffIds`: `[ChainID(L0), ChainID(L0|L1), …]`. */
export function chainIds(diffIds: readonly Digest[]): Digest[] {
  const out: Digest[] = [];
  for (const diffId of diffIds) {
    const parent = out[out.length - 1];
    out.push(parent === undefined ? diffId : sha256Of(`${parent} ${diffId}`));
  }
  return out;
}

/** The chainID of the whole stack; undefined for no layers. */
export function chainId(diffIds: readonly Digest[]): Digest | undefined {
  const all = chainIds(diffIds);
  return all[all.length - 1];
}

/** The chainID of `diffId` applied on top of the stack named `parentChainId`. */
export function childChainId(parentChainId: Digest | undefined, diffId: Digest): Digest {
  return parentChainId === undefined ? diffId : sha256Of(`${parentChainId} ${diffId}`);
}

/** An image's ID: the digest of its config's exact bytes. */
export function imageIdOf(configBytes: string | Uint8Array): Digest {
  return sha256Of(configBytes);
}
