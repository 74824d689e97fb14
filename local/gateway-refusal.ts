/**
 * The refusal thrown inside the gateway's pipeline: the request is answered with the template's gateway response
 * of that type.
 */
import type { RenderOptions } from './gateway-responses';
import type { HeadRefusal } from './request-head';

/** Thrown inside the pipeline to answer with a gateway response: its type and rendering options. */
export class GatewayRefusal extends Error {
  /** The refusal of a request-head check. */
  static of(refusal: HeadRefusal): GatewayRefusal {
    return new GatewayRefusal(refusal.type, refusal.options);
  }

  constructor(public readonly type: string, public readonly options: RenderOptions = {}) {
    super(type);
    this.name = 'GatewayRefusal';
  }
}
