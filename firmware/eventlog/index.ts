// The event log (see schema.ts): what the controller, statistics, the simulator,
// the synthetic generator, the benchmarks and the city forwarder share.
export { HallEvent, HALL_EVENT_KINDS, type HallEventKind } from './schema.ts';
export { MemoryStore, resumeFrom, type HallStore, type StoredReply } from './store.ts';
export { SqliteStore, openEventTables, writeEvents } from './sqlite-store.ts';
export { EventQueries, type CarriedWindow } from './queries.ts';
export { eventColumns, eventFromData, CorruptEvent, type EventRow } from './rows.ts';
export { EVENTLOG_VERSION, eventLogVersion, migrateEventLog } from './table.ts';
