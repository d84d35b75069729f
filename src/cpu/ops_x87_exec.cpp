// Numeric x87 instructions, executed by replaying them on the host FPU (fpu_host.h). One handler
// template covers every form; it differs only in what happens to the memory operand (none,
// read before, written after) and whether the instruction sets EFLAGS (FCOMI & co.).
//
// Sequence: entry checks (#NM, pending #MF) -> memory operand fetched / destination probed
// (faults are precise: nothing changed yet) -> host replay -> memory written unless an unmasked
// pre-completion exception suppressed the store -> EFLAGS -> FPU state -> FIP/FOP/FDP.
#include <Zydis/Zydis.h>
#include <cstring>
#include "cpu/cpu.h"
#include "cpu/fpu_exceptions.h"
#include "cpu/fpu_host.h"
#include "cpu/ops_x87.h"

namespace bt86 {

namespace {

enum class MemUse : uint8_t { None, Read, Write };

// FLD m64 (DD /0) and FST/FSTP m64 (DD /2, /3) of ordinary values without the host replay (the
// most common x87 instructions in compiled code, and the replay's FRSTOR/FNSAVE dominate their
// cost). Only cases that raise no exception and whose result is exact take this path: a normal
// or zero double loaded into an empty register; a valid or zero ST(0) that a double holds
// exactly, in normal range. C1 is cleared as the hardware does; C0, C2, C3 stay. Everything else
// (denormals, infinities, NaNs, stack faults, inexact stores) goes to the replay. Returns true
// if done.
bool x87_double_fast_path(Cpu& cpu, const Insn& in, uint8_t* operand, uint32_t off) {
  if (in.opcode != 0xDD || (in.modrm >> 6) == 3) return false;
  const unsigned op = (in.modrm >> 3) & 7;
  FpuState& f = cpu.s.fpu;
  if (op == 0) {  // FLD m64
    uint64_t bits;
    std::memcpy(&bits, operand, 8);
    const unsigned exp = unsigned(bits >> 52) & 0x7FF;
    const bool zero = (bits & ~(1ull << 63)) == 0;
    const unsigned top = (f.top() - 1) & 7;
    if (exp == 0x7FF || (exp == 0 && !zero) || f.tag(top) != ftag::Empty) return false;
    double d;
    std::memcpy(&d, &bits, 8);
    const long double v = d;
    f.set_reg80(top, reinterpret_cast<const uint8_t*>(&v));
    f.tw = uint16_t((f.tw & ~(3u << (2 * top))) | ((zero ? ftag::Zero : ftag::Valid) << (2 * top)));
    f.set_top(top);
    f.sw &= uint16_t(~fsw::C1);
    return true;
  }
  if (op == 2 || op == 3) {  // FST m64, FSTP m64
    const unsigned top = f.top();
    const unsigned tag = f.tag(top);
    if (tag != ftag::Valid && tag != ftag::Zero) return false;
    const long double v = f.regs[top];
    const double d = double(v);
    const double a = d < 0 ? -d : d;
    if (static_cast<long double>(d) != v || (a != 0 && (a < 2.2250738585072014e-308 || a > 1.7976931348623157e308)))
      return false;
    std::memcpy(operand, &d, 8);
    cpu.write_bytes(in.seg, off, operand, 8);
    f.sw &= uint16_t(~fsw::C1);
    if (op == 3) {
      f.tw = uint16_t(f.tw | (3u << (2 * top)));
      f.set_top(top + 1);
    }
    return true;
  }
  return false;
}

template <MemUse M, unsigned Size, bool SetsEflags>
void x87_numeric(Cpu& cpu, const Insn& in) {
  x87_enter(cpu, X87Sync::Wait);
  alignas(16) uint8_t operand[16] = {};
  uint32_t off = 0;
  if constexpr (M != MemUse::None) off = cpu.ea(in);
  if constexpr (M == MemUse::Read) cpu.read_bytes(in.seg, off, operand, Size);
  if constexpr (M == MemUse::Write) cpu.probe_write(in.seg, off, Size);

  FpuState& f = cpu.s.fpu;
  if constexpr (Size == 8 && !SetsEflags) {
    if (x87_double_fast_path(cpu, in, operand, off)) {
      x87_record_instruction(cpu, in);
      x87_record_operand(cpu, in, off);
      return;
    }
  }
  const HostReplay r = replay_on_host(f, in.opcode, in.modrm, operand, uint8_t(cpu.s.eflags));
  if constexpr (M == MemUse::Write) {
    if (!result_suppressed(r.raised(), f.cw)) cpu.write_bytes(in.seg, off, operand, Size);
  }
  if constexpr (SetsEflags) {
    // ZF PF CF from the compare, OF SF AF cleared. Hardware writes them even when an unmasked
    // invalid operation is raised (the SDM's footnote says otherwise; Intel and AMD parts, and
    // our host oracle, write the unordered result 1/1/1), so take the host's flags as they are.
    constexpr uint32_t kCompareFlags = fl::ZF | fl::PF | fl::CF;
    cpu.s.eflags = (cpu.s.eflags & ~fl::ARITH) | (r.host_flags() & kCompareFlags);
  }
  r.commit(f);
  x87_record_instruction(cpu, in);
  if constexpr (M != MemUse::None) x87_record_operand(cpu, in, off);
}

template <MemUse M>
Handler for_memory_size(unsigned size) {
  switch (size) {
    case 2: return x87_numeric<M, 2, false>;
    case 4: return x87_numeric<M, 4, false>;
    case 8: return x87_numeric<M, 8, false>;
    case 10: return x87_numeric<M, 10, false>;
    default: return nullptr;
  }
}

template <MemUse M>
Handler bind_form(const Insn& insn) {
  if (insn.nops >= 1 && insn.op[0].kind == OpKind::Mem) return for_memory_size<M>(insn.op[0].size);
  for (unsigned k = 0; k < insn.nops; ++k)
    if (insn.op[k].kind != OpKind::St) return nullptr;
  return x87_numeric<MemUse::None, 0, false>;
}

}  // namespace

Handler bind_x87_numeric(Insn& insn, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) {
  return bind_form<MemUse::Read>(insn);
}

Handler bind_x87_store(Insn& insn, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) {
  return bind_form<MemUse::Write>(insn);
}

Handler bind_x87_compare_eflags(Insn& insn, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) {
  if (insn.nops != 2 || insn.op[0].kind != OpKind::St || insn.op[1].kind != OpKind::St) return nullptr;
  return x87_numeric<MemUse::None, 0, true>;
}

}  // namespace bt86
