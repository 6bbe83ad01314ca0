import { CharterError } from "@charter/ir";
import { describe, expect, it } from "vitest";
import { gzip, paxEntry, rawTar } from "../../../../test/support/raw-tar.js";
import { readTarGzEntries } from "./tar-reader.js";

const bytes = (text: string) => Buffer.from(text, "utf8");
const read = (tar: Buffer) =>
  readTarGzEntries(gzip(tar)).map((e) => [e.name, e.path, Buffer.from(e.contents).toString()]);

describe("readTarGzEntries reads names and sizes as Go's archive/tar does", () => {
  it("ustar prefix, PAX path and size, GNU long names, base-256 sizes", () => {
    const long = `charter/${"a".repeat(150)}.rego`;
    const base256 = Buffer.alloc(12);
    base256[0] = 0x80;
    base256[11] = 3;
    expect(
      read(
        rawTar([
          { name: "p.rego", prefix: "/charter/policies", contents: bytes("one") },
          paxEntry({ path: `/${long}`, size: "3" }),
          { name: "ignored", contents: bytes("two"), size: "00000000000\0" },
          { name: "././@LongLink", type: "L", format: "gnu", contents: bytes("gnu/long.rego\0x") },
          { name: "short", format: "gnu", contents: bytes("three") },
          { name: "./b.rego", contents: bytes("abc"), size: base256 },
          { name: "folder/", type: "\0" },
          { name: "folder", type: "5" },
        ]),
      ),
    ).toEqual([
      ["/charter/policies/p.rego", "charter/policies/p.rego", "one"],
      [`/${long}`, long, "two"],
      ["gnu/long.rego", "gnu/long.rego", "three"],
      ["./b.rego", "b.rego", "abc"],
    ]);
  });

  it("a global PAX header ends a pending PAX path, as in Go", () => {
    expect(
      read(
        rawTar([
          paxEntry({ path: "renamed" }),
          paxEntry({ comment: "x" }, "g"),
          { name: "kept", contents: bytes("1") },
        ]),
      ),
    ).toEqual([["kept", "kept", "1"]]);
  });

  it("stops at the end blocks, or at the end of the data inside padding", () => {
    const tar = rawTar([{ name: "a", contents: bytes("x") }], false);
    expect(read(tar.subarray(0, 513))).toEqual([["a", "a", "x"]]);
    expect(
      read(Buffer.concat([rawTar([{ name: "a", contents: bytes("x") }]), bytes("junk")])),
    ).toEqual([["a", "a", "x"]]);
    expect(() => read(Buffer.concat([tar, Buffer.alloc(100)]))).toThrow(/a truncated tar header/);
  });

  it("refuses what Go would read differently, with the byte offset", () => {
    const file = { name: "a", contents: bytes("x") };
    const refused: [Buffer, RegExp][] = [
      [rawTar([file, file]), /a second entry for a at byte 1024/],
      [rawTar([file, { ...file, name: "/a" }]), /a second entry for a/],
      [rawTar([{ ...file, size: "-1000" }]), /size is not a number at byte 0/],
      [rawTar([{ ...file, keepChecksum: true }]), /checksum does not match/],
      [rawTar([{ ...file, format: "v7" }]), /neither ustar, PAX nor GNU/],
      [rawTar([{ name: "l", type: "2" }]), /a symbolic link, not a regular file/],
      [rawTar([{ name: "d/", type: "5", contents: bytes("x") }]), /a folder "d\/" with content/],
      [rawTar([{ name: "f/", contents: bytes("x") }]), /a file named like a folder/],
      [rawTar([paxEntry({ "GNU.sparse.major": "1" }), file]), /GNU sparse/],
      [rawTar([paxEntry({ size: "-3" }), file]), /PAX size record/],
      [rawTar([{ name: "x", edit: (h) => h.fill(0xff, 0, 1) }]), /not UTF-8/],
      [
        Buffer.concat([rawTar([file], false), Buffer.alloc(512), rawTar([file])]),
        /zero block followed by data/,
      ],
    ];
    for (const [tar, reason] of refused) {
      expect(() => read(tar)).toThrow(CharterError);
      expect(() => read(tar)).toThrow(reason);
    }
  });

  it("caps each file and the whole archive", () => {
    const tar = rawTar([{ name: "big", contents: Buffer.alloc(2048) }]);
    expect(() => readTarGzEntries(gzip(tar), "b", { maxEntryBytes: 2047 })).toThrow(
      /an entry of 2048 bytes, over the limit of 2047/,
    );
    expect(() => readTarGzEntries(gzip(tar), "b", { maxTotalBytes: 2048 })).toThrow(
      /unpacks to more than 2048 bytes/,
    );
    expect(
      readTarGzEntries(gzip(tar), "b", { maxEntryBytes: 2048, maxTotalBytes: 4096 }),
    ).toHaveLength(1);
  });
});
