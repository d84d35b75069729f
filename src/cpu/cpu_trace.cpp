// -d trace output. See cpu_trace.h.
#include "cpu/cpu_trace.h"
#include <capstone/capstone.h>
#include <vector>
#include "cpu/block.h"

namespace bt86 {

void disassemble_block(PhysMem& mem, const Block& b, FILE* out) {
  std::vector<uint8_t> bytes(b.bytes);
  const uint32_t first = b.bytes_on_first_page();  // (a straddler: the rest from its second page)
  for (uint32_t k = 0; k < b.bytes; ++k)
    bytes[k] = uint8_t(mem.read(k < first ? b.key.phys + k : b.extra_phys + (k - first), 1));
  const bool code32 = b.key.mode & block_mode::CODE32;
  csh h;
  if (cs_open(CS_ARCH_X86, code32 ? CS_MODE_32 : CS_MODE_16, &h) != CS_ERR_OK) return;
  cs_insn* insn = nullptr;
  const size_t n = cs_disasm(h, bytes.data(), bytes.size(), b.key.eip, 0, &insn);
  for (size_t k = 0; k < n; ++k)
    std::fprintf(out, "0x%08llx:  %-8s %s\n", (unsigned long long)insn[k].address, insn[k].mnemonic, insn[k].op_str);
  if (n) cs_free(insn, n);
  cs_close(&h);
}

void disassemble_host(const uint8_t* code, size_t size, FILE* out) {
  csh h;
  if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK) return;
  cs_insn* insn = nullptr;
  const size_t n = cs_disasm(h, code, size, uint64_t(uintptr_t(code)), 0, &insn);
  for (size_t k = 0; k < n; ++k)
    std::fprintf(out, "0x%012llx:  %-8s %s\n", (unsigned long long)insn[k].address, insn[k].mnemonic, insn[k].op_str);
  if (n) cs_free(insn, n);
  cs_close(&h);
}

void trace_block_asm(Cpu& cpu, const Block& b, uint32_t lin) {
  FILE* out = cpu.trace.out;
  std::fprintf(out, "IN: %04x:%08x (linear %08x, phys %08x, %zu insns)\n", cpu.s.seg[CS].sel, cpu.s.eip,
               lin, b.key.phys, b.insns.size());
  disassemble_block(cpu.mem, b, out);
  std::fputc('\n', out);
}

void dump_registers(const CpuState& s, FILE* out) {
  std::fprintf(out, "EAX=%08x EBX=%08x ECX=%08x EDX=%08x\nESI=%08x EDI=%08x EBP=%08x ESP=%08x\n",
               s.r[EAX], s.r[EBX], s.r[ECX], s.r[EDX], s.r[ESI], s.r[EDI], s.r[EBP], s.r[ESP]);
  std::fprintf(out, "EIP=%08x EFL=%08x [%c%c%c%c%c%c%c] CPL=%u\n", s.eip, s.eflags,
               s.eflags & fl::DF ? 'D' : '-', s.eflags & fl::OF ? 'O' : '-', s.eflags & fl::SF ? 'S' : '-',
               s.eflags & fl::ZF ? 'Z' : '-', s.eflags & fl::AF ? 'A' : '-', s.eflags & fl::PF ? 'P' : '-',
               s.eflags & fl::CF ? 'C' : '-', s.cpl);
  static const char* names[6] = {"ES", "CS", "SS", "DS", "FS", "GS"};
  for (unsigned k = 0; k < 6; ++k)
    std::fprintf(out, "%s =%04x %08x %08x %08x\n", names[k], s.seg[k].sel, s.seg[k].base, s.seg[k].limit, s.seg[k].attr);
  std::fprintf(out, "LDT=%04x %08x %08x TR=%04x %08x %08x\n", s.ldtr.sel, s.ldtr.base, s.ldtr.limit, s.tr.sel,
               s.tr.base, s.tr.limit);
  std::fprintf(out, "GDT=%08x %04x IDT=%08x %04x\n", s.gdtr.base, s.gdtr.limit, s.idtr.base, s.idtr.limit);
  std::fprintf(out, "CR0=%08x CR2=%08x CR3=%08x CR4=%08x\n", s.cr0, s.cr2, s.cr3, s.cr4);
}

void trace_block_state(Cpu& cpu, const Block& b) {
  FILE* out = cpu.trace.out;
  if (cpu.trace.exec)
    std::fprintf(out, "Trace: %04x:%08x phys %08x [%zu insns]\n", cpu.s.seg[CS].sel, cpu.s.eip, b.key.phys, b.insns.size());
  if (cpu.trace.cpu) {
    dump_registers(cpu.s, out);
    std::fputc('\n', out);
  }
}

void trace_interrupt(Cpu& cpu, uint8_t vector, IntKind kind, int32_t error) {
  static const char* kinds[] = {"exception", "INT", "INT3", "INTO", "external", "ICEBP"};
  std::fprintf(cpu.trace.out, "%s v=%02x e=%04x cpl=%u IP=%04x:%08x SP=%04x:%08x CR2=%08x EAX=%08x\n",
               kinds[unsigned(kind)], vector, error < 0 ? 0xFFFF : unsigned(error) & 0xFFFF, cpu.s.cpl,
               cpu.s.seg[CS].sel, cpu.s.eip, cpu.s.seg[SS].sel, cpu.s.r[ESP], cpu.s.cr2, cpu.s.r[EAX]);
}

}  // namespace bt86
