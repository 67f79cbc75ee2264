// Which addresses a repository URL may point at: only public unicast ones. Loopback, link-local
// (cloud metadata), private, carrier-grade NAT, unspecified, multicast, reserved and documentation
// ranges are refused, in every notation a resolver accepts (inet_aton's decimal, hex and octal
// forms, IPv4-mapped and other IPv6 forms that embed an IPv4 address).

type Range = readonly [base: number, bits: number];

const ip4 = (a: number, b: number, c: number, d: number) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;

const NON_PUBLIC_V4: readonly Range[] = [
  [ip4(0, 0, 0, 0), 8], // "this network", unspecified
  [ip4(10, 0, 0, 0), 8],
  [ip4(100, 64, 0, 0), 10], // carrier-grade NAT
  [ip4(127, 0, 0, 0), 8],
  [ip4(169, 254, 0, 0), 16], // link-local, cloud metadata
  [ip4(172, 16, 0, 0), 12],
  [ip4(192, 0, 0, 0), 24], // IETF protocol assignments
  [ip4(192, 0, 2, 0), 24], // documentation
  [ip4(192, 88, 99, 0), 24], // 6to4 relay anycast
  [ip4(192, 168, 0, 0), 16],
  [ip4(198, 18, 0, 0), 15], // benchmarking
  [ip4(198, 51, 100, 0), 24],
  [ip4(203, 0, 113, 0), 24],
  [ip4(224, 0, 0, 0), 4], // multicast
  [ip4(240, 0, 0, 0), 4], // reserved, broadcast
];

function inRange(value: number, [base, bits]: Range): boolean {
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (value & mask) >>> 0 === (base & mask) >>> 0;
}

function v4NonPublic(value: number): boolean {
  return NON_PUBLIC_V4.some((r) => inRange(value, r));
}

/**
 * An IPv4 address in any form inet_aton (and so getaddrinfo, git, curl, ssh) accepts: 1 to 4 parts,
 * each decimal, 0x-hex or 0-octal, the last part filling the remaining bytes ("127.1",
 * "2130706433", "0x7f.0.0.1", "0177.0.0.1"). Returns the 32-bit value, or null when not an address.
 */
export function parseIPv4(input: string): number | null {
  const text = input.endsWith(".") ? input.slice(0, -1) : input;
  const parts = text.split(".");
  if (parts.length < 1 || parts.length > 4) return null;
  const values: number[] = [];
  for (const part of parts) {
    let n: number;
    if (/^0x[0-9a-f]*$/i.test(part)) n = part.length === 2 ? 0 : parseInt(part.slice(2), 16);
    else if (/^0[0-7]*$/.test(part)) n = parseInt(part, 8);
    else if (/^[1-9][0-9]*$/.test(part)) n = parseInt(part, 10);
    else return null;
    if (!Number.isSafeInteger(n)) return null;
    values.push(n);
  }
  const last = values.pop()!;
  if (values.some((v) => v > 255)) return null;
  const lastMax = 2 ** (8 * (4 - values.length)) - 1;
  if (last > lastMax) return null;
  let result = 0;
  values.forEach((v, i) => (result += v * 2 ** (8 * (3 - i))));
  return result + last;
}

/** The 8 hextets of an IPv6 address (zone id ignored, trailing dotted IPv4 allowed), or null. */
export function parseIPv6(input: string): number[] | null {
  let text = input.replace(/^\[|\]$/g, "");
  const zone = text.indexOf("%");
  if (zone >= 0) text = text.slice(0, zone);
  if (!text.includes(":") || !/^[0-9a-fA-F:.]+$/.test(text)) return null;
  let tail: number[] = [];
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const parts = dotted[2]!.split(".").map(Number);
    if (parts.some((p) => p > 255)) return null;
    tail = [(parts[0]! << 8) | parts[1]!, (parts[2]! << 8) | parts[3]!];
    text = dotted[1]!.endsWith("::") ? dotted[1]! : dotted[1]!.slice(0, -1);
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const hextets = (s: string) => (s === "" ? [] : s.split(":"));
  const head = hextets(halves[0]!);
  const rest = halves.length === 2 ? hextets(halves[1]!) : [];
  if ([...head, ...rest].some((h) => !/^[0-9a-fA-F]{1,4}$/.test(h))) return null;
  const known = head.length + rest.length + tail.length;
  if (halves.length === 1 ? known !== 8 : known > 7) return null;
  const zeros = new Array<number>(8 - known).fill(0);
  return [...head.map((h) => parseInt(h, 16)), ...(halves.length === 2 ? zeros : []), ...rest.map((h) => parseInt(h, 16)), ...tail];
}

function v6NonPublic(h: number[]): boolean {
  const embedded = (hi: number, lo: number) => v4NonPublic(((hi << 16) | lo) >>> 0);
  const first = h[0]!;
  if (h.slice(0, 6).every((x) => x === 0)) return true; // ::, ::1 and deprecated IPv4-compatible ::a.b.c.d
  if (h.slice(0, 5).every((x) => x === 0) && h[5] === 0xffff) return embedded(h[6]!, h[7]!); // IPv4-mapped
  if (h.slice(0, 4).every((x) => x === 0) && h[4] === 0xffff && h[5] === 0) return embedded(h[6]!, h[7]!); // SIIT ::ffff:0:a.b.c.d
  if (first === 0x64 && h[1] === 0xff9b && h.slice(2, 6).every((x) => x === 0)) return embedded(h[6]!, h[7]!); // NAT64
  if (first === 0x64 && h[1] === 0xff9b && h[2] === 1) return true; // local-use NAT64
  if (first === 0x2002) return embedded(h[1]!, h[2]!); // 6to4
  if (first === 0x2001 && h[1] === 0) return true; // Teredo
  if (first === 0x2001 && h[1] === 0xdb8) return true; // documentation
  if (first === 0x100 && h.slice(1, 4).every((x) => x === 0)) return true; // discard-only
  if ((first & 0xfe00) === 0xfc00) return true; // unique local
  if ((first & 0xffc0) === 0xfe80 || (first & 0xffc0) === 0xfec0) return true; // link-local, site-local
  if ((first & 0xff00) === 0xff00) return true; // multicast
  return false;
}

/** Whether `address` (an IP literal in any accepted notation) is anything but a public unicast address; null when it is not an IP literal. */
export function isNonPublicAddress(address: string): boolean | null {
  const v6 = parseIPv6(address);
  if (v6) return v6NonPublic(v6);
  const v4 = parseIPv4(address);
  if (v4 !== null) return v4NonPublic(v4);
  return null;
}

/** Host names that always mean this machine, whatever DNS says. */
export function isLocalHostName(host: string): boolean {
  const name = host.toLowerCase().replace(/\.+$/, "");
  return (
    name === "localhost" ||
    name.endsWith(".localhost") ||
    name === "localhost.localdomain" ||
    name === "ip6-localhost" ||
    name === "ip6-loopback"
  );
}
