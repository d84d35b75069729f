// Block building shared by the engines: decodes guest code from a block's key into its Insns,
// ending at a block-ending instruction, a page end or a size cap, and records its terminal and
// decode-time targets. See block_builder.h.
#include "cpu/block_builder.h"

#include <cstring>
#include "cpu/block_decoder.h"
#include "cpu/cpu.h"

namespace bt86 {

// Decodes the block starting at linear `lin` (EIP = b.key.eip; `host_page` is the host address of
// the start of its page, null for MMIO) into `b`. Returns false if the block must not be cached.
bool build_block(Cpu& cpu, BlockDecoder& dec, uint32_t lin, const uint8_t* host_page, Block& b,
                 unsigned max_insns, RawDecode* raw, bool straddlers) {
  const bool code32 = b.key.mode & block_mode::CODE32;
  const uint32_t limit = b.key.cs_limit;
  const uint32_t ip_mask = code32 ? 0xFFFFFFFFu : 0xFFFFu;
  uint32_t eip = b.key.eip;
  uint32_t off = lin & 0xFFF;
  bool cacheable = host_page != nullptr;
  uint8_t buf[16];
  uint32_t second_page = 0;  // a straddler's (physical)
  b.terminal = Terminal::FallThrough;
  // Decoded into a reused list and copied once at the end: growing the block's own vector an
  // instruction at a time took several allocations a block (every engine decodes through here).
  static thread_local std::vector<Insn> insns;
  insns.clear();
  struct CopyOut {  // (also when decoding throws a guest fault: the caller drops the block then)
    Block& b;
    ~CopyOut() { b.insns.assign(insns.begin(), insns.end()); }
  } copy_out{b};
  while (insns.size() < max_insns) {
    const bool first = insns.empty();
    size_t avail = 0x1000 - off;
    const uint8_t* bytes;
    if (host_page) {
      bytes = host_page + off;
    } else {
      const unsigned n = avail < 15 ? unsigned(avail) : 15;
      for (unsigned k = 0; k < n; ++k)
        buf[k] = uint8_t(cpu.mem.read(b.key.phys + (off - (lin & 0xFFF)) + k, 1));
      bytes = buf;
      avail = n;
    }
    Insn insn;
    RawDecode* rd = raw ? &raw[insns.size()] : nullptr;  // (decoded in place: no copy)
    DecodeStatus st = dec.decode(bytes, avail, code32, insn, rd);
    if (st == DecodeStatus::NeedMoreBytes) {
      if (!first) break;  // let it start its own (uncached) block
      // The instruction crosses into the next page: gather up to 15 bytes from both pages.
      std::memcpy(buf, bytes, avail);
      const uint32_t next_lin = (lin & ~0xFFFu) + 0x1000;
      uint32_t next_phys;
      const uint8_t* next = cpu.fetch_ptr(next_lin, &next_phys);
      for (size_t k = avail; k < 15; ++k)
        buf[k] = next ? next[k - avail] : uint8_t(cpu.mem.read(next_phys + uint32_t(k - avail), 1));
      st = dec.decode(buf, 15, code32, insn, rd);
      cacheable = straddlers && cacheable && next != nullptr;
      second_page = next_phys;
    }
    if (st == DecodeStatus::TooLong) {
      if (!first) break;
      guest_fault(vec::GP, 0);
    }
    if (st == DecodeStatus::Invalid || st == DecodeStatus::NeedMoreBytes) {
      if (!first) break;
      guest_fault(vec::UD);
    }
    const uint32_t last = eip + insn.len - 1;
    if (last > limit || (code32 ? last < eip : last > 0xFFFF)) {
      if (!first) break;
      guest_fault(vec::GP, 0);
    }
    insns.push_back(insn);
    b.bytes += insn.len;
    const uint32_t next_eip = (eip + insn.len) & ip_mask;
    if (insn.term != Terminal::None) {
      // Jump: targets[0]; Conditional: targets[0] taken, targets[1] not taken; anything else:
      // targets[0] is the next instruction (where a callout or an interrupt check continues).
      b.terminal = insn.term;
      b.targets[0] = b.targets[1] = next_eip;
      if (insn.op[0].kind == OpKind::Rel) b.targets[0] = (next_eip + insn.imm) & ip_mask;
      break;
    }
    eip = next_eip;
    off += insn.len;
    b.targets[0] = eip;  // FallThrough
    if (off >= 0x1000 || !cacheable) break;
  }
  if (!cacheable) b.terminal = Terminal::Fallback;
  if (b.straddles()) b.set_straddler_page(second_page);
  return cacheable;
}

}  // namespace bt86
