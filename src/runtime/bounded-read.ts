// Reading a file with a size bound: at most `maxBytes + 1` bytes are ever read, whatever the file
// (or its stat) claims, so a huge or endless file is refused without being held in memory.
import { open } from 'node:fs/promises';

export class FileTooLarge extends Error {}

export async function readBounded(path: string, maxBytes: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(maxBytes + 1);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, null);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    if (filled > maxBytes) throw new FileTooLarge(`${path} is larger than ${maxBytes} bytes: at most ${maxBytes} are read`);
    return buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}
