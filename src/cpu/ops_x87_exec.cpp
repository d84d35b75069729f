// Numeric x87 instructions, executed by replaying them on the host FPU (fpu_host.h). One handler
// template covers every form; it differs only in what happens to the memory operand (none,
// read before, written after) and whether the instruction sets EFLAGS (FCOMI & co.).
//
// Sequence: entry checks (#NM, pending #MF) -> memory operand fetched / destination probed
// (faults are precise: nothing changed yet) -> host replay -> memory written unless an unmasked
// pre-completion exception suppressed the store -> EFLAGS -> FPU state -> FIP/FOP/FDP.
#include <Zydis/Zydis.h>
#include "cpu/cpu.h"
#include "cpu/fpu_exceptions.h"
#include "cpu/fpu_host.h"
#include "cpu/ops_x87.h"

namespace bt86 {

namespace {

enum class MemUse : uint8_t { None, Read, Write };

template <MemUse M, unsigned Size, bool SetsEflags>
void x87_numeric(Cpu& cpu, const Insn& in) {
  x87_enter(cpu, X87Sync::Wait);
  alignas(16) uint8_t operand[16] = {};
  uint32_t off = 0;
  if constexpr (M != MemUse::None) off = cpu.ea(in);
  if constexpr (M == MemUse::Read) cpu.read_bytes(in.seg, off, operand, Size);
  if constexpr (M == MemUse::Write) cpu.probe_write(in.seg, off, Size);

  FpuState& f = cpu.s.fpu;
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
