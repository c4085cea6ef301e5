// @serialport/binding-mock ships types its package `exports` do not point at; the
// part the kiosk tests use.
declare module '@serialport/binding-mock' {
  export interface MockPortBinding { write(buffer: Buffer): Promise<void>; emitData(data: Buffer | string): void }
  export const MockBinding: {
    createPort(path: string, opt?: { echo?: boolean; record?: boolean }): void;
    reset(): void;
    open(options: { path: string; baudRate: number } & Record<string, unknown>): Promise<MockPortBinding>;
    list(): Promise<unknown[]>;
  };
}
