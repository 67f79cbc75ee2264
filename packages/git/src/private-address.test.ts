import { describe, expect, it } from "vitest";
import { isLocalHostName, isNonPublicAddress, parseIPv4, parseIPv6 } from "./private-address";

describe("non-public addresses", () => {
  it("reads every IPv4 notation a resolver accepts", () => {
    const loopback = 0x7f000001;
    for (const form of [
      "127.0.0.1",
      "127.1",
      "127.0.1",
      "2130706433",
      "0x7f000001",
      "0x7f.0.0.1",
      "0177.0.0.1",
      "0177.0.0.01",
      "127.0.0.1.",
    ])
      expect(parseIPv4(form), form).toBe(loopback);
    for (const form of ["256.0.0.1", "1.2.3.4.5", "08.0.0.1", "example.com", "", "1.2.3.0x1ff"]) expect(parseIPv4(form), form).toBeNull();
  });

  it("reads IPv6 with ::, zone ids and a trailing dotted IPv4", () => {
    expect(parseIPv6("::1")).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIPv6("[fe80::1%eth0]")).toEqual([0xfe80, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIPv6("::ffff:127.0.0.1")).toEqual([0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]);
    expect(parseIPv6("1:2:3:4:5:6:7:8")).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const bad of ["1:2:3", "1::2::3", "12345::", "example.com", "1.2.3.4"]) expect(parseIPv6(bad), bad).toBeNull();
  });

  it("refuses loopback, link-local, private, unspecified, multicast and reserved ranges in both families", () => {
    const refused = [
      "127.0.0.1",
      "127.255.255.254",
      "0.0.0.0",
      "0",
      "10.1.2.3",
      "172.16.0.1",
      "172.31.255.255",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "224.0.0.1",
      "255.255.255.255",
      "2130706433",
      "0xa9fea9fe",
      "0251.0376.0251.0376",
      "::",
      "::1",
      "fe80::1",
      "fc00::1",
      "fd12:3456::1",
      "ff02::1",
      "::ffff:127.0.0.1",
      "::ffff:7f00:1",
      "::ffff:169.254.169.254",
      "::127.0.0.1",
      "64:ff9b::a9fe:a9fe",
      "2002:7f00:1::",
      "2001:0:4136:e378::1",
      "2001:db8::1",
      "fec0::1",
    ];
    for (const a of refused) expect(isNonPublicAddress(a), a).toBe(true);
  });

  it("accepts public unicast addresses (also when embedded), and says null for names", () => {
    for (const a of [
      "140.82.112.3",
      "8.8.8.8",
      "172.32.0.1",
      "100.128.0.1",
      "2606:4700::1111",
      "::ffff:8.8.8.8",
      "64:ff9b::808:808",
      "2002:808:808::1",
    ])
      expect(isNonPublicAddress(a), a).toBe(false);
    expect(isNonPublicAddress("git.example.org")).toBeNull();
  });

  it("knows the names that always mean this machine", () => {
    for (const n of ["localhost", "LOCALHOST.", "api.localhost", "localhost.localdomain", "ip6-localhost"])
      expect(isLocalHostName(n), n).toBe(true);
    expect(isLocalHostName("localhost.example.com")).toBe(false);
  });
});
