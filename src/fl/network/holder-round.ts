import type { Dataset } from '../../data/schema.js'
import { canonicalJson } from '../../net/signing.js'
import { createModel } from '../../train/create-model.js'
import { type FlModel, localTrain } from '../local-train.js'
import type { PrivacyAccountant } from '../privacy/accountant.js'
import { createHolder, type SecAggHolder } from '../secagg/holder.js'
import { fromB64, sha256Hex, toB64, weightsFromBytes, weightsToBytes } from './codec.js'
import { prepareUpdate } from './local-update.js'
import { preprocessingFromWire } from './preprocessing-wire.js'
import type { CoordinatorMessage, FlJobSpec } from './protocol.js'
import type { Received } from './wire.js'

/** A holder's per-job training state: its model (rebuilt when the preprocessing changes) and SecAgg round. */
export interface RoundRunner {
  /** Replaces the plain update before it is sent (simulates a malicious holder in tests and benches). */
  tamper?: (weights: Float32Array, global: Float32Array) => Float32Array
  spec: FlJobSpec
  data: Dataset
  self: string
  /** Seeds this holder's batch order (from its peer id, so it is stable across restarts). */
  holderSeed: number
  model?: FlModel & { key: string }
  secagg?: { session: string; holder: SecAggHolder }
}

/** Creates the holder's round state for a job. */
export async function roundRunner(spec: FlJobSpec, data: Dataset, self: string): Promise<RoundRunner> {
  return {
    spec,
    data,
    self,
    holderSeed: Number.parseInt(sha256Hex(new TextEncoder().encode(self)).slice(0, 6), 16) % 1000,
  }
}

type Send = (header: Record<string, unknown>, body?: Uint8Array) => Promise<void>

/**
 * Answers one coordinator message of a round: `round` trains locally from the global weights and sends
 * the update (plain) or the SecAgg keys; `sa-directory`, `sa-inbox` and `sa-unmask-request` run the
 * holder's SecAgg steps. Returns what was sent when it was this round's update or masked input.
 */
export async function handleRound(
  r: RoundRunner,
  msg: Received<CoordinatorMessage>,
  accountant: PrivacyAccountant | undefined,
  send: Send,
): Promise<{ loss: number; secure: boolean; epsilon?: number } | undefined> {
  const h = msg.header
  const sa = r.secagg
  switch (h.t) {
    case 'round': {
      const key = sha256Hex(new TextEncoder().encode(canonicalJson(h.preprocessing)))
      if (r.model?.key !== key) {
        r.model?.net.dispose()
        const preprocessing = preprocessingFromWire(h.preprocessing)
        const net = createModel(
          r.spec.model,
          preprocessing.outputDim,
          r.spec.schema.target.classes.length,
          r.spec.seed,
        )
        r.model = { net, preprocessing, key }
      }
      const global = weightsFromBytes(msg.body)
      const seed = r.spec.seed * 7919 + h.round * 131 + r.holderSeed
      const trained = localTrain(r.model, global, r.data, { ...r.spec.local, seed })
      const up = prepareUpdate(r.spec, global, trained.weights, trained.numSamples, accountant)
      const extra = {
        loss: trained.loss,
        numSamples: up.numSamples,
        ...(up.privacy ? { privacy: up.privacy } : {}),
      }
      r.secagg = undefined
      if (!h.secagg) {
        const sent = r.tamper ? r.tamper(up.weights, global) : up.weights
        await send({ t: 'update', ...extra }, weightsToBytes(sent))
        return { loss: trained.loss, secure: false, epsilon: up.privacy?.epsilon }
      }
      const c = r.spec.privacy
        ? 1 / r.spec.secureAggregation!.weightScale
        : up.numSamples / r.spec.secureAggregation!.weightScale
      const input = new Float64Array(global.length + 1)
      for (let i = 0; i < global.length; i++) input[i] = c * up.delta[i]
      input[global.length] = c
      const holder = createHolder({
        id: r.self,
        input,
        threshold: h.secagg.threshold,
        peers: h.secagg.peers,
        session: h.secagg.session,
        degree: h.secagg.degree,
      })
      r.secagg = { session: h.secagg.session, holder }
      pendingOf.set(holder, extra)
      const k = holder.advertiseKeys()
      await send({
        t: 'sa-keys',
        keys: {
          from: k.from,
          maskPublicKey: toB64(k.maskPublicKey),
          encryptionPublicKey: toB64(k.encryptionPublicKey),
        },
      })
      return undefined
    }
    case 'sa-directory': {
      const m = need(sa).holder.shareKeys(
        h.keys.map((k) => ({
          from: k.from,
          maskPublicKey: fromB64(k.maskPublicKey),
          encryptionPublicKey: fromB64(k.encryptionPublicKey),
        })),
      )
      const envelopes = m.envelopes.map((e) => ({
        from: e.from,
        to: e.to,
        nonce: toB64(e.nonce),
        ciphertext: toB64(e.ciphertext),
      }))
      await send({ t: 'sa-shares', seedCommitment: toB64(m.seedCommitment), envelopes })
      return undefined
    }
    case 'sa-inbox': {
      const s = need(sa)
      const m = s.holder.maskedInput(
        h.envelopes.map((e) => ({
          from: e.from,
          to: e.to,
          nonce: fromB64(e.nonce),
          ciphertext: fromB64(e.ciphertext),
        })),
      )
      const extra = pendingOf.get(s.holder)!
      await send({ t: 'sa-masked', ...extra }, m.masked)
      return { loss: extra.loss, secure: true, epsilon: extra.privacy?.epsilon }
    }
    case 'sa-unmask-request': {
      const m = need(sa).holder.unmask({ survivors: h.survivors, dropped: h.dropped })
      const enc = (l: { owner: string; y: Uint8Array }[]) => l.map((x) => ({ owner: x.owner, y: toB64(x.y) }))
      await send({ t: 'sa-unmask', seedShares: enc(m.seedShares), keyShares: enc(m.keyShares) })
      return undefined
    }
    default:
      return undefined
  }
}

type Pending = { loss: number; numSamples: number; privacy?: { epsilon: number; delta: number } }
const pendingOf = new WeakMap<SecAggHolder, Pending>()

function need<T>(sa: T | undefined): T {
  if (!sa) throw new Error('SecAgg message without a round in progress')
  return sa
}
