// A load balancer document as HNS returned it, read in two steps: the JSON and the ID at once (so a
// bad answer still fails the call that got it), the rest (parseLoadBalancer: VIPs canonicalised,
// flags and port mappings decoded) the first time something asks for it. A create or a listing of
// thousands then pays only for what the caller reads (issue 8); what it reads is exactly what
// parseLoadBalancer gives the same document. The frontend keys are read at once: the client's
// per-ID map keeps them after the handle is gone, and must not keep the document.
import { loadBalancerFrontendKeysOf, loadBalancerIdOf, parseLoadBalancer } from '../schema/load-balancer-json';
import type { LoadBalancerInfo } from '../schema/models';
import { toObject, type JsonObject } from '../schema/read';

export class LoadBalancerDoc {
  /** Lower-case ID, as parseLoadBalancer gives it. */
  readonly id: string;
  #doc: JsonObject | undefined;
  #info: LoadBalancerInfo | undefined;

  /**
   * The client's queue keys for this load balancer's frontend: the keys a create was queued under,
   * else read from the document now (only its VIPs, protocols and ports), so the client's per-ID map
   * never holds the document itself.
   */
  readonly frontendKeys: readonly string[];

  /** Throws HcnError HCN_INVALID_RESPONSE for text that is not a JSON object, as parseLoadBalancer does. */
  constructor(jsonOrObject: string | object, frontendKeys?: readonly string[]) {
    const o = toObject(jsonOrObject, 'parseLoadBalancer');
    this.#doc = o;
    this.id = loadBalancerIdOf(o);
    this.frontendKeys = frontendKeys ?? loadBalancerFrontendKeysOf(o);
  }

  /** parseLoadBalancer of the document (computed once). */
  get info(): LoadBalancerInfo {
    if (this.#info === undefined) {
      this.#info = parseLoadBalancer(this.#doc!);
      this.#doc = undefined;
    }
    return this.#info;
  }
}

/** A load balancer read now or one still to read. */
export type LoadBalancerSource = LoadBalancerInfo | LoadBalancerDoc;

/** The info of either form. */
export function infoOf(lb: LoadBalancerSource): LoadBalancerInfo {
  return lb instanceof LoadBalancerDoc ? lb.info : lb;
}
