// Builds tiny ELF32 little-endian files around hand-written DWARF sections, for forms no compiler on
// this machine emits in the fixtures (DW_FORM_indirect, data16, ref_addr, strx3, GNU forms).

export class Bytes {
  private readonly out: number[] = [];
  get length(): number {
    return this.out.length;
  }
  u8(...v: number[]): this {
    this.out.push(...v);
    return this;
  }
  u16(v: number): this {
    return this.u8(v & 0xff, (v >> 8) & 0xff);
  }
  u32(v: number): this {
    return this.u8(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  }
  uleb(v: number): this {
    do {
      let b = v & 0x7f;
      v = Math.floor(v / 128);
      if (v) b |= 0x80;
      this.out.push(b);
    } while (v);
    return this;
  }
  str(s: string): this {
    return this.u8(...new TextEncoder().encode(s), 0);
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}

/** An ELF32 LE ARM executable with the given sections (PROGBITS, file-backed) and no segments. */
export function elf32(sections: { name: string; data: Uint8Array }[]): Uint8Array {
  const shstr = new Bytes().u8(0);
  const nameOff = sections.map((s) => {
    const o = shstr.length;
    shstr.str(s.name);
    return o;
  });
  const shstrName = shstr.length;
  shstr.str('.shstrtab');
  const body = new Bytes();
  const offsets: number[] = [];
  for (const s of sections) {
    offsets.push(52 + body.length);
    body.u8(...s.data);
  }
  const shstrOff = 52 + body.length;
  body.u8(...shstr.bytes());
  while (body.length % 4) body.u8(0);
  const shoff = 52 + body.length;
  const shnum = sections.length + 2;
  const f = new Bytes();
  f.u8(0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  f.u16(2).u16(40).u32(1).u32(0).u32(0).u32(shoff).u32(0x05000200);
  f.u16(52).u16(32).u16(0).u16(40).u16(shnum).u16(shnum - 1);
  f.u8(...body.bytes());
  for (let i = 0; i < 10; i++) f.u32(0); // null section header
  sections.forEach((s, i) => {
    f.u32(nameOff[i]).u32(1).u32(0).u32(0).u32(offsets[i]).u32(s.data.byteLength).u32(0).u32(0).u32(1).u32(0);
  });
  f.u32(shstrName).u32(3).u32(0).u32(0).u32(shstrOff).u32(shstr.length).u32(0).u32(0).u32(1).u32(0);
  return f.bytes();
}
