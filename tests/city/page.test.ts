// The city page as rendered: a hall silent for minutes is shown as such (its
// alerts marked as last reported), and everything a hall sends is text.
import { describe, expect, it } from 'vitest';
import { renderCityPage, type CityPageModel } from '../../firmware/city/page.ts';
import { emptyCounters, finalize } from '../../firmware/stats/figures.ts';

const NOW = Date.parse('2026-11-18T02:00:00Z');
const evil = '<img src=x onerror=alert(1)>';

function model(lastSeen: string): CityPageModel {
  const total = finalize({ ...emptyCounters(), issued: 10, served: 9 });
  const link = { acked: 10, logLast: 12, behind: 2, lastSeen, version: '0.1.0' };
  return {
    lang: 'en', from: '2026-11-18', to: '2026-11-18', sort: 'wait', today: '2026-11-18', nowMs: NOW,
    ranked: { total, rows: [{ rank: 1, hall: 'east', name: { zh: evil, en: evil }, days: 1, total, openAlerts: 1, link }] },
    alerts: { alerts: [{ id: 'a', kind: 'device-offline', at: '2026-11-18T09:00:00.000+08:00', subject: evil, message: `${evil} / ${evil}`, hall: 'east', hallName: { zh: evil, en: evil } }] },
    ranking: { month: '2026-11', ranking: [{ rank: 1, hall: 'east', name: { zh: evil, en: evil }, served: 9, waitOverLimitShare: 0, serviceOverLimitShare: 0, satisfactionRate: null, score: 90, eligible: true }] },
  };
}

describe('the city page', () => {
  it('shows how far behind a hall heard from just now is', () => {
    const html = renderCityPage(model(new Date(NOW - 10_000).toISOString()));
    expect(html).toContain('2 behind');
    expect(html).not.toContain('silent since');
    expect(html).not.toContain('as last reported');
  });

  it('shows a hall not heard from for minutes as silent, and its alerts as last reported', () => {
    const html = renderCityPage(model(new Date(NOW - 10 * 60_000).toISOString()));
    expect(html).toContain('silent since 11-18 01:50 UTC');
    expect(html).toContain('as last reported');
  });

  it('never lets markup through from what a hall sends', () => {
    const html = renderCityPage(model(new Date(NOW).toISOString()));
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});
