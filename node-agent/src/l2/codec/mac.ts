/** MAC addresses are carried as lower-case `aa:bb:cc:dd:ee:ff` strings outside the codec. */

export const BROADCAST_MAC = 'ff:ff:ff:ff:ff:ff';
export const ZERO_MAC = '00:00:00:00:00:00';

const MAC_PATTERN = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

export function isMac(text: string): boolean {
  return MAC_PATTERN.test(text.toLowerCase());
}

export function macToBytes(mac: string): Buffer {
  if (!isMac(mac)) {
    throw new Error(`not a MAC address: ${mac}`);
  }
  return Buffer.from(mac.replace(/:/g, ''), 'hex');
}

export function bytesToMac(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 6), b =>
    b.toString(16).padStart(2, '0'),
  ).join(':');
}
