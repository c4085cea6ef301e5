// `window/{window}/rating`: a citizen's rating from the window's pad.
import { answer, refuseBadRequest, type InboundHandler } from './context.ts';

export const windowRating: InboundHandler<'window-rating'> = {
  kind: 'window-rating',
  onMessage: (c, rating, from) => answer<'window-rating'>(c, 'window-reply', from, rating.id, (to) => c.engine.rate(from.window, rating, undefined, to)),
  onInvalid: (c, err, from, bytes) => refuseBadRequest<'window-rating'>(c, 'window-reply', from, err, bytes),
};
