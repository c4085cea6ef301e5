// Topics and filters at their edges: every named builder gives the contract's
// topic, a filter's wildcards match what MQTT says they match (and no more), and
// a topic outside `manyi/v1/{hall}/…` is not parsed as one of ours. The broker's
// access rules and the bus's subscriptions are built on these answers.
import { describe, expect, it } from 'vitest';
import { CONTRACT, KINDS, filterOf, parseTopic, row } from '../../firmware/protocol/contract.ts';
import { filterWithin, topicMatches } from '../../firmware/protocol/match.ts';
import { filters, topics } from '../../firmware/protocol/topics.ts';

const R = 'manyi/v1/h-1';

describe('named topic builders', () => {
  it('give the contract topic of each kind, with the names in their places', () => {
    expect(topics.kioskRequest('h-1', 'k1')).toBe(`${R}/kiosk/k1/request`);
    expect(topics.kioskReply('h-1', 'k1')).toBe(`${R}/kiosk/k1/reply`);
    expect(topics.windowCommand('h-1', '5')).toBe(`${R}/window/5/command`);
    expect(topics.windowRating('h-1', '5')).toBe(`${R}/window/5/rating`);
    expect(topics.windowReply('h-1', '5')).toBe(`${R}/window/5/reply`);
    expect(topics.windowState('h-1', '5')).toBe(`${R}/window/5/state`);
    expect(topics.hallState('h-1')).toBe(`${R}/state`);
    expect(topics.call('h-1')).toBe(`${R}/call`);
    expect(topics.alert('h-1')).toBe(`${R}/alert`);
    expect(topics.deviceStatus('h-1', 'd-2')).toBe(`${R}/device/d-2/status`);
    expect(topics.deviceHealth('h-1', 'd-2')).toBe(`${R}/device/d-2/health`);
    expect(topics.deviceUpdate('h-1', 'd-2')).toBe(`${R}/device/d-2/update`);
    expect(topics.deviceUpdateStatus('h-1', 'd-2')).toBe(`${R}/device/d-2/update/status`);
  });

  it('refuse a name with a wildcard or a level separator in it', () => {
    for (const bad of ['+', '#', 'a/b', 'K1', '']) {
      expect(() => topics.kioskReply('h-1', bad), bad).toThrow(/invalid kiosk name/);
      expect(() => topics.windowCommand('h-1', bad), bad).toThrow(/invalid window name/);
      expect(() => topics.deviceHealth('h-1', bad), bad).toThrow(/invalid device name/);
      expect(() => topics.call(bad), bad).toThrow(/invalid hall name/);
    }
  });

  it('give each receiver the filter of its kind, every name open, and the whole hall', () => {
    expect(filters.kioskRequests('h-1')).toBe(`${R}/kiosk/+/request`);
    expect(filters.windowCommands('h-1')).toBe(`${R}/window/+/command`);
    expect(filters.windowRatings('h-1')).toBe(`${R}/window/+/rating`);
    expect(filters.windowStates('h-1')).toBe(`${R}/window/+/state`);
    expect(filters.deviceStatuses('h-1')).toBe(`${R}/device/+/status`);
    expect(filters.deviceHealths('h-1')).toBe(`${R}/device/+/health`);
    expect(filters.deviceUpdateStatuses('h-1')).toBe(`${R}/device/+/update/status`);
    expect(filters.all('h-1')).toBe(`${R}/#`);
    expect(() => filters.all('H')).toThrow(/invalid hall name/);
  });

  it('filterOf leaves every hole open unless a name is given', () => {
    expect(filterOf('kiosk-reply', 'h-1')).toBe(`${R}/kiosk/+/reply`);
    expect(filterOf('kiosk-reply', 'h-1', 'any')).toBe(`${R}/kiosk/+/reply`);
    expect(filterOf('kiosk-reply', 'h-1', {})).toBe(`${R}/kiosk/+/reply`);
    expect(filterOf('kiosk-reply', 'h-1', { kiosk: 'k9' })).toBe(`${R}/kiosk/k9/reply`);
    expect(() => filterOf('kiosk-reply', 'h-1', { kiosk: '#' })).toThrow(/invalid kiosk name/);
  });

  it('row() is the contract table\'s row of the kind', () => {
    for (const kind of KINDS) expect(row(kind)).toBe(CONTRACT[kind]);
  });
});

describe('parsing a topic', () => {
  it('is null for anything outside manyi/v1/{hall}', () => {
    expect(parseTopic(`${R}/state`)).toEqual({ hall: 'h-1', kind: 'hall-state' });
    for (const t of ['other/v1/h-1/state', 'manyi/v2/h-1/state', 'manyi/v1/H/state', 'manyi/v1/+/state', 'manyi/v1/h-1', 'manyi/v1', '',
      `/${R}/state`, `${R}/state/`, `${R}/window//state`, `${R}/kiosk/k1/answer`, `${R}/window/5/rating/extra`]) {
      expect(parseTopic(t), t).toBeNull();
    }
  });
});

describe('a topic against a filter (topicMatches)', () => {
  it('+ matches exactly one level, including an empty one', () => {
    expect(topicMatches('a/+/c', 'a/b/c')).toBe(true);
    expect(topicMatches('a/+/c', 'a//c')).toBe(true);
    expect(topicMatches('a/+/c', 'a/b/x')).toBe(false);
    expect(topicMatches('a/+', 'a/b/c')).toBe(false);
    expect(topicMatches('a/b/+', 'a/b')).toBe(false);
  });

  it('# matches the parent level and everything below it, but only as the last level', () => {
    expect(topicMatches('a/#', 'a')).toBe(true);
    expect(topicMatches('a/#', 'a/b')).toBe(true);
    expect(topicMatches('a/#', 'a/b/c/d')).toBe(true);
    expect(topicMatches('#', 'a/b')).toBe(true);
    expect(topicMatches('a/#', 'b/c')).toBe(false);
    expect(topicMatches('a/#/c', 'a/b/c')).toBe(false); // a # in the middle is no filter: it matches nothing
    expect(topicMatches('a/+/#', 'a')).toBe(false); // + needs its level before # can match the parent
    expect(topicMatches('a/+/#', 'a/b')).toBe(true);
  });

  it('a literal filter matches only the same topic, no shorter, no longer', () => {
    expect(topicMatches('a/b', 'a/b')).toBe(true);
    expect(topicMatches('a/b', 'a/b/c')).toBe(false);
    expect(topicMatches('a/b/c', 'a/b')).toBe(false);
    expect(topicMatches('a/b', 'a/c')).toBe(false);
  });
});

describe('a filter inside another (filterWithin)', () => {
  it('# covers any filter below its level, only as the last level', () => {
    expect(filterWithin('a/#', 'a/b/+/c')).toBe(true);
    expect(filterWithin('a/#', 'a/#')).toBe(true);
    expect(filterWithin('a/#', 'b/#')).toBe(false);
    expect(filterWithin('a/#/c', 'a/b/c')).toBe(false);
    expect(filterWithin('a/+/#', 'a')).toBe(false);
  });

  it('+ covers one level of anything, a literal covers only itself', () => {
    expect(filterWithin('a/+/c', 'a/b/c')).toBe(true);
    expect(filterWithin('a/+/c', 'a/+/c')).toBe(true);
    expect(filterWithin('a/b/c', 'a/+/c')).toBe(false); // the inner reaches every window, the outer one
    expect(filterWithin('a/b', 'a/c')).toBe(false);
    expect(filterWithin('a//c', 'a//c')).toBe(true); // an empty level is a level like any other
    expect(filterWithin('a/+', 'a/#')).toBe(false); // the inner reaches deeper
    expect(filterWithin('a/b', 'a/b/c')).toBe(false);
    expect(filterWithin('a/b/c', 'a/b')).toBe(false);
  });
});
