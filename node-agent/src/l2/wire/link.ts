/** A raw Ethernet port on one interface: what the announcer needs from the wire. */
export interface L2Link {
  readonly interfaceName: string;
  readonly mac: string;
  /** Sends one whole Ethernet frame; false (never a throw) when the kernel refused it. */
  send(frame: Buffer): boolean;
  /** Called with a copy of every ARP and NS/NA frame seen on the interface. */
  onFrame(listener: (frame: Buffer) => void): void;
  close(): void;
}

export type L2LinkFactory = (interfaceName: string) => L2Link;
