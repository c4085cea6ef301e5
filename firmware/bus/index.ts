// One bus per process (see types.ts); ASSEMBLY.md says where it sits.
export type { Bus, BusLog, DecodeError, Handler, InvalidHandler, MessageMeta, Where } from './types.ts';
export { MqttBus } from './mqtt-bus.ts';
export { MemoryBus, MemoryHub } from './memory-bus.ts';
export { Requester, NoReplyError, type RequestBody, type RequestOptions, type RequesterOptions } from './requester.ts';
export { TableLink, type LinkRejection, type LinkRow, type LinkTable, type LinkTopics } from './table-link.ts';
