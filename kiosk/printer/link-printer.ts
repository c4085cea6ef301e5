// A printer behind a byte link: prints by writing, reads status with DLE EOT.
import { StatusReader } from './status.ts';
import { canPrint, PrinterError, type ByteLink, type Printer, type PrinterState } from './types.ts';

export class LinkPrinter implements Printer {
  private readonly reader: StatusReader;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly link: ByteLink, opts: { statusTimeoutMs?: number; checkBeforePrint?: boolean } = {}) {
    this.reader = new StatusReader(link, { timeoutMs: opts.statusTimeoutMs });
    this.checkBeforePrint = opts.checkBeforePrint ?? true;
  }
  private readonly checkBeforePrint: boolean;

  /** Refuses (PrinterError) when the printer says it cannot print, so the kiosk shows the ticket instead. */
  print(bytes: Buffer): Promise<void> {
    const job = this.chain.then(async () => {
      if (this.checkBeforePrint) {
        const s = await this.reader.poll();
        if (!canPrint(s)) throw new PrinterError(s, `printer is ${s}`);
      }
      await this.link.write(bytes);
    });
    this.chain = job.catch(() => {});
    return job;
  }

  status(): Promise<PrinterState> { return this.reader.poll(); }

  async close(): Promise<void> { this.reader.close(); await this.link.close(); }
}
