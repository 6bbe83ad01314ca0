import { readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import type { Finding } from "../types.js";
import { RowSpool } from "./row-spool.js";

const spoolFolders = () => readdirSync(tmpdir()).filter((name) => name.startsWith("charter-rows-"));

function row(index: number): Finding {
  // Astral characters, lone surrogates and line breaks in messages: a row is still one line,
  // and a character cut by a read chunk is put back together.
  const message = `${"é😀".repeat(index % 7)}\n${index % 5 === 0 ? "\ud800" : ""}line ${index}`;
  return {
    policy: `p${index % 3}`,
    rule: "r",
    result: index % 2 ? "fail" : "pass",
    message,
    messages: [message],
    severity: "high",
    enforcement: "deny",
    resource: { apiVersion: "v1", kind: "Pod", name: `n${index}`, namespace: "default" },
    resourceIndex: index,
    source: { file: "a.yaml", line: index + 1 },
  };
}

describe("RowSpool", () => {
  it("gives back a few rows from memory, in order, without a file", () => {
    const before = spoolFolders();
    const spool = new RowSpool();
    for (let i = 0; i < 10; i++) spool.push(row(i));
    expect(spoolFolders()).toEqual(before);
    expect([...spool.drain()]).toEqual(Array.from({ length: 10 }, (_, i) => row(i)));
  });

  it("spills many rows to a private file, reads them back equal and in order, and deletes it", () => {
    const before = spoolFolders();
    const spool = new RowSpool();
    const count = 60_000; // past the in-memory rows and past one read chunk of the file
    for (let i = 0; i < count; i++) spool.push(row(i));
    expect(spoolFolders().length).toBe(before.length + 1);
    let i = 0;
    for (const back of spool.drain()) {
      expect(back).toEqual(row(i));
      i++;
    }
    expect(i).toBe(count);
    expect(spool.count).toBe(count);
    expect(spoolFolders()).toEqual(before);
  });
});
