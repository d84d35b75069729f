// Processor identification and model-specific registers: CPUID (the one list of reported
// features), RDTSC (CR4.TSD), RDPMC (CR4.PCE), RDMSR/WRMSR (TSC, SYSENTER, PAT, MTRRs, the P6
// identification MSRs, IA32_APIC_BASE, the performance counters of perf_counters.cpp; #GP for
// anything else), and SYSENTER/SYSEXIT.
#include "cpu/cpu.h"
#include "cpu/ops_sys.h"

namespace bt86 {

namespace {

// ---- CPUID -----------------------------------------------------------------------------------------

// A Pentium II (Deschutes): family 6, model 5, stepping 2 (also EDX after reset, cpu.cpp).
constexpr uint32_t kSignature = 0x00000652;
constexpr uint32_t kMaxBasicLeaf = 2;

// CPUID.1:EDX. Only what bt86 implements, with where it is implemented. Deliberately absent:
// VME (no virtual interrupt flag rules), MCE/MCA, APIC (no local APIC yet; IA32_APIC_BASE is a
// plain register, see below), PAE, PSE-36, MMX, SSE/SSE2.
constexpr uint32_t kFeaturesEdx =
    1u << 0 |   // FPU  : x87 instructions (fpu_*.cpp, ops_x87)
    1u << 2 |   // DE   : CR4.DE, DR4/DR5 #UD (ops_sysreg.cpp), I/O breakpoints (debug_step.cpp)
    1u << 3 |   // PSE  : 4 MiB pages with CR4.PSE (mmu/page_walk.cpp)
    1u << 4 |   // TSC  : RDTSC, CR4.TSD, MSR 0x10 (this file)
    1u << 5 |   // MSR  : RDMSR/WRMSR (this file)
    1u << 8 |   // CX8  : CMPXCHG8B (integer family)
    1u << 11 |  // SEP  : SYSENTER/SYSEXIT and their MSRs (this file)
    1u << 12 |  // MTRR : MTRRcap, MTRRdefType, fixed and variable range MSRs (this file)
    1u << 13 |  // PGE  : global pages with CR4.PGE (mmu/page_walk.cpp, ops_sysreg.cpp)
    1u << 15 |  // CMOV : CMOVcc (integer family), FCMOVcc/FCOMI (x87 family)
    1u << 16 |  // PAT  : IA32_PAT MSR (this file)
    1u << 24;   // FXSR : FXSAVE/FXRSTOR (x87 family), CR4.OSFXSR (ops_sysreg.cpp)

struct CpuidResult {
  uint32_t eax, ebx, ecx, edx;
};

CpuidResult cpuid(uint32_t leaf) {
  switch (leaf) {
    case 0:  // "GenuineIntel" in EBX EDX ECX
      return {kMaxBasicLeaf, 0x756E6547, 0x6C65746E, 0x49656E69};
    case 1:
      return {kSignature, 0, 0, kFeaturesEdx};
    default:
      // Leaf 2 (and, as Intel CPUs do, every leaf beyond the maximum): one round of cache/TLB
      // descriptors of a Pentium II: 01 ITLB 4K, 02 ITLB 4M, 03 DTLB 4K, 43 L2 512K,
      // 08 L1I 16K, 04 DTLB 4M, 0C L1D 16K.
      return {0x03020101, 0, 0, 0x0C040843};
  }
}

void op_cpuid(Cpu& cpu, const Insn&) {
  const CpuidResult r = cpuid(cpu.s.r[EAX]);
  cpu.s.r[EAX] = r.eax;
  cpu.s.r[EBX] = r.ebx;
  cpu.s.r[ECX] = r.ecx;
  cpu.s.r[EDX] = r.edx;
}

void op_rdtsc(Cpu& cpu, const Insn&) {
  if ((cpu.s.cr4 & cr4::TSD) && cpu.s.protected_mode() && cpu.s.cpl != 0) guest_fault(vec::GP, 0);
  const uint64_t t = cpu.tsc();
  cpu.s.r[EAX] = uint32_t(t);
  cpu.s.r[EDX] = uint32_t(t >> 32);
}

// RDPMC: PerfCtr0/1 in EDX:EAX (40 bits). #GP(0) unless CPL 0 or CR4.PCE, or if ECX > 1.
void op_rdpmc(Cpu& cpu, const Insn& i) {
  if (cpu.s.protected_mode() && cpu.s.cpl != 0 && !(cpu.s.cr4 & cr4::PCE)) guest_fault(vec::GP, 0);
  if (cpu.s.r[ECX] > 1) guest_fault(vec::GP, 0);
  const uint64_t v = cpu.perf.read_counter(cpu, cpu.retired_before(i), cpu.s.r[ECX]);
  cpu.s.r[EAX] = uint32_t(v);
  cpu.s.r[EDX] = uint32_t(v >> 32);
}

// ---- MSRs ----------------------------------------------------------------------------------------------

namespace msr {
constexpr uint32_t TSC = 0x10, PLATFORM_ID = 0x17, APIC_BASE = 0x1B, BIOS_SIGN_ID = 0x8B, MTRRCAP = 0xFE;
constexpr uint32_t SYSENTER_CS = 0x174, SYSENTER_ESP = 0x175, SYSENTER_EIP = 0x176, MISC_ENABLE = 0x1A0;
constexpr uint32_t MTRR_PHYS_FIRST = 0x200, MTRR_PHYS_LAST = 0x20F;  // base/mask pairs 0-7
constexpr uint32_t MTRR_FIX64K = 0x250, MTRR_FIX16K_80000 = 0x258, MTRR_FIX16K_A0000 = 0x259;
constexpr uint32_t MTRR_FIX4K_FIRST = 0x268, MTRR_FIX4K_LAST = 0x26F;
constexpr uint32_t PAT = 0x277, MTRR_DEF_TYPE = 0x2FF;
}  // namespace msr

// IA32_APIC_BASE on the P6: BSP (bit 8, read-only), APIC global enable (bit 11), APIC base
// (bits 35-12); bits 7-0, 10-9 and 63-36 are reserved (#GP). bt86 has no local APIC and CPUID
// reports none, as on an i686 whose APIC is disabled, but bare-metal kernels commonly read and
// write this register at start-up: it is kept as a plain register. Writing the enable bit is
// accepted and read back; no APIC appears behind it (no MMIO page at the base, CPUID unchanged).
constexpr uint64_t kApicBaseBsp = 1u << 8;
constexpr uint64_t kApicBaseWritable = 1u << 11 | 0x0000000FFFFFF000ull;

// MTRRcap: 8 variable ranges, fixed ranges, write-combining; no SMRR.
constexpr uint64_t kMtrrCap = 8 | 1u << 8 | 1u << 10;

bool valid_mtrr_type(uint64_t t) { return t == 0 || t == 1 || t == 4 || t == 5 || t == 6; }
bool valid_pat_type(uint64_t t) { return valid_mtrr_type(t) || t == 7; }
// Every byte of `v` a valid memory type per `valid`.
bool valid_type_bytes(uint64_t v, bool (*valid)(uint64_t)) {
  for (unsigned k = 0; k < 8; ++k)
    if (!valid((v >> (8 * k)) & 0xFF)) return false;
  return true;
}

// Index of a fixed-range MTRR in Msrs::mtrr_fixed, or -1.
int fixed_mtrr_index(uint32_t index) {
  if (index == msr::MTRR_FIX64K) return 0;
  if (index == msr::MTRR_FIX16K_80000) return 1;
  if (index == msr::MTRR_FIX16K_A0000) return 2;
  if (index >= msr::MTRR_FIX4K_FIRST && index <= msr::MTRR_FIX4K_LAST) return 3 + int(index - msr::MTRR_FIX4K_FIRST);
  return -1;
}

constexpr uint64_t kPhysAddrBits = 0x0000000FFFFFF000ull;  // 36-bit physical page frame

bool read_msr(Cpu& cpu, uint32_t index, uint64_t* value) {
  const Msrs& m = cpu.s.msr;
  if (index >= msr::MTRR_PHYS_FIRST && index <= msr::MTRR_PHYS_LAST) {
    *value = m.mtrr_var[index - msr::MTRR_PHYS_FIRST];
    return true;
  }
  if (int f = fixed_mtrr_index(index); f >= 0) {
    *value = m.mtrr_fixed[f];
    return true;
  }
  switch (index) {
    case msr::TSC: *value = cpu.tsc(); return true;
    case msr::PLATFORM_ID: *value = 0; return true;   // platform 0
    case msr::APIC_BASE: *value = m.apic_base; return true;
    case msr::BIOS_SIGN_ID: *value = 0; return true;  // no microcode update loaded
    case msr::MTRRCAP: *value = kMtrrCap; return true;
    case msr::SYSENTER_CS: *value = m.sysenter_cs; return true;
    case msr::SYSENTER_ESP: *value = m.sysenter_esp; return true;
    case msr::SYSENTER_EIP: *value = m.sysenter_eip; return true;
    case msr::MISC_ENABLE: *value = m.misc_enable; return true;
    case msr::PAT: *value = m.pat; return true;
    case msr::MTRR_DEF_TYPE: *value = m.mtrr_def_type; return true;
    default: return false;
  }
}

// False for unknown or read-only MSRs and reserved-bit violations (#GP(0)).
bool write_msr(Cpu& cpu, uint32_t index, uint64_t v) {
  Msrs& m = cpu.s.msr;
  if (index >= msr::MTRR_PHYS_FIRST && index <= msr::MTRR_PHYS_LAST) {
    const bool is_mask = (index - msr::MTRR_PHYS_FIRST) & 1;
    const uint64_t allowed = is_mask ? (kPhysAddrBits | 1u << 11) : (kPhysAddrBits | 0xFF);
    if ((v & ~allowed) || (!is_mask && !valid_mtrr_type(v & 0xFF))) return false;
    m.mtrr_var[index - msr::MTRR_PHYS_FIRST] = v;
    return true;
  }
  if (int f = fixed_mtrr_index(index); f >= 0) {
    if (!valid_type_bytes(v, valid_mtrr_type)) return false;
    m.mtrr_fixed[f] = v;
    return true;
  }
  switch (index) {
    case msr::TSC: m.tsc_adjust = v - cpu.clock.tsc(); return true;
    case msr::BIOS_SIGN_ID: return true;  // the "clear before CPUID" write; the signature stays 0
    case msr::SYSENTER_CS: m.sysenter_cs = uint32_t(v); return true;
    case msr::SYSENTER_ESP: m.sysenter_esp = uint32_t(v); return true;
    case msr::SYSENTER_EIP: m.sysenter_eip = uint32_t(v); return true;
    case msr::MISC_ENABLE: m.misc_enable = v; return true;
    case msr::APIC_BASE:
      if (v & ~(kApicBaseWritable | kApicBaseBsp)) return false;
      m.apic_base = (v & kApicBaseWritable) | (m.apic_base & kApicBaseBsp);  // BSP is read-only
      return true;
    case msr::PAT:
      if (!valid_type_bytes(v, valid_pat_type)) return false;
      m.pat = v;
      return true;
    case msr::MTRR_DEF_TYPE:
      if ((v & ~uint64_t(0xCFF)) || !valid_mtrr_type(v & 0xFF)) return false;
      m.mtrr_def_type = v;
      return true;
    default: return false;  // includes the read-only PLATFORM_ID and MTRRCAP
  }
}

void require_cpl0(const Cpu& cpu) {
  if (cpu.s.protected_mode() && cpu.s.cpl != 0) guest_fault(vec::GP, 0);
}

void op_rdmsr(Cpu& cpu, const Insn& i) {
  require_cpl0(cpu);
  uint64_t v;
  const uint32_t index = cpu.s.r[ECX];
  if (!cpu.perf.read_msr(cpu, cpu.retired_before(i), index, &v) && !read_msr(cpu, index, &v))
    guest_fault(vec::GP, 0);
  cpu.s.r[EAX] = uint32_t(v);
  cpu.s.r[EDX] = uint32_t(v >> 32);
}

void op_wrmsr(Cpu& cpu, const Insn& i) {
  require_cpl0(cpu);
  const uint64_t v = uint64_t(cpu.s.r[EDX]) << 32 | cpu.s.r[EAX];
  const uint32_t index = cpu.s.r[ECX];
  // (A performance MSR that refuses the value is refused by write_msr too: #GP.)
  if (!cpu.perf.write_msr(cpu, cpu.retired_before(i), index, v) && !write_msr(cpu, index, v))
    guest_fault(vec::GP, 0);
}

// ---- SYSENTER / SYSEXIT ------------------------------------------------------------------------------

// Flat 4 GiB segments SYSENTER/SYSEXIT install (their descriptors are not read).
Segment flat_segment(uint16_t sel, uint32_t base_attr, uint8_t dpl) {
  constexpr uint32_t kBig4G = 1u << 22 | 1u << 23;  // D/B and G
  return Segment{sel, 0, 0xFFFFFFFFu, base_attr | kBig4G | uint32_t(dpl) << 13};
}

void enter_flat(Cpu& cpu, uint8_t cpl, uint16_t cs, uint32_t esp, uint32_t eip) {
  cpu.set_cpl(cpl);
  cpu.set_seg(CS, flat_segment(uint16_t(cs | cpl), kAttrCodeRX, cpl));
  cpu.set_seg(SS, flat_segment(uint16_t((cs + 8) | cpl), kAttrDataRW, cpl));
  cpu.s.r[ESP] = esp;
  cpu.s.eip = eip;
  cpu.next_eip = eip;
  cpu.end_block();
}

void op_sysenter(Cpu& cpu, const Insn&) {
  const uint16_t cs = uint16_t(cpu.s.msr.sysenter_cs & 0xFFFC);
  if (!cpu.s.protected_mode() || cs == 0) guest_fault(vec::GP, 0);
  cpu.write_eflags(0, fl::VM | fl::IF | fl::RF);
  enter_flat(cpu, 0, cs, cpu.s.msr.sysenter_esp, cpu.s.msr.sysenter_eip);
}

void op_sysexit(Cpu& cpu, const Insn&) {
  const uint16_t cs = uint16_t(cpu.s.msr.sysenter_cs & 0xFFFC);
  if (!cpu.s.protected_mode() || cpu.s.v86() || cpu.s.cpl != 0 || cs == 0) guest_fault(vec::GP, 0);
  enter_flat(cpu, 3, uint16_t(cs + 16), cpu.s.r[ECX], cpu.s.r[EDX]);
}

}  // namespace

Handler bind_cpuid(Insn&, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) { return op_cpuid; }
Handler bind_rdtsc(Insn&, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) { return op_rdtsc; }
Handler bind_rdpmc(Insn&, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) { return op_rdpmc; }
Handler bind_rdmsr(Insn&, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) { return op_rdmsr; }
Handler bind_wrmsr(Insn&, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) { return op_wrmsr; }
Handler bind_sysenter(Insn&, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) { return op_sysenter; }
Handler bind_sysexit(Insn&, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) { return op_sysexit; }

}  // namespace bt86
