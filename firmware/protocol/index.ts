export * from './contract.ts';
export * from './topics.ts';
export * from './messages.ts';
export * from './decode.ts';
