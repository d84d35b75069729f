// Zydis -> Insn: fills the generic fields every handler may use (operand kinds/sizes/registers,
// immediates, the memory operand's addressing, prefixes), asks the instruction table for the
// binder of the mnemonic, and marks instructions that end a block.
#include "cpu/block_decoder.h"
#include <cstdio>
#include <mutex>
#include <set>
#include "cpu/cpu.h"
#include "cpu/insn_table.h"

namespace bt86 {

BlockDecoder::BlockDecoder() {
  ZydisDecoderInit(&dec16_, ZYDIS_MACHINE_MODE_LEGACY_16, ZYDIS_STACK_WIDTH_16);
  ZydisDecoderInit(&dec32_, ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_STACK_WIDTH_32);
}

static uint8_t gpr_index(ZydisRegister r) {
  if (r == ZYDIS_REGISTER_NONE) return GPR_NONE;
  return uint8_t(ZydisRegisterGetId(r));
}

static Operand convert_register(ZydisRegister r) {
  Operand o;
  o.reg = uint8_t(ZydisRegisterGetId(r));
  switch (ZydisRegisterGetClass(r)) {
    case ZYDIS_REGCLASS_GPR8: o.kind = OpKind::Reg; o.size = 1; break;
    case ZYDIS_REGCLASS_GPR16: o.kind = OpKind::Reg; o.size = 2; break;
    case ZYDIS_REGCLASS_GPR32: o.kind = OpKind::Reg; o.size = 4; break;
    case ZYDIS_REGCLASS_SEGMENT: o.kind = OpKind::Seg; o.size = 2; break;
    case ZYDIS_REGCLASS_CONTROL: o.kind = OpKind::Cr; o.size = 4; break;
    case ZYDIS_REGCLASS_DEBUG: o.kind = OpKind::Dr; o.size = 4; break;
    case ZYDIS_REGCLASS_X87: o.kind = OpKind::St; o.size = 10; break;
    case ZYDIS_REGCLASS_XMM: o.kind = OpKind::Xmm; o.size = 16; break;
    default: o.kind = OpKind::None; break;
  }
  return o;
}

static void fill_memory(Insn& i, const ZydisDecodedOperand& op) {
  i.seg = op.mem.segment == ZYDIS_REGISTER_NONE ? uint8_t(DS) : uint8_t(ZydisRegisterGetId(op.mem.segment));
  i.base = gpr_index(op.mem.base);
  i.index = gpr_index(op.mem.index);
  i.scale = op.mem.scale == 8 ? 3 : op.mem.scale == 4 ? 2 : op.mem.scale == 2 ? 1 : 0;
  i.disp = op.mem.disp.has_displacement ? uint32_t(op.mem.disp.value) : 0;
}

// How the instruction ends its block (Terminal::None if it does not). Sensitive instructions
// that change mode, protection or the interrupt window end their blocks here, statically, so a
// block's last instruction says why it ends.
static Terminal classify(const ZydisDecodedInstruction& zi, const ZydisDecodedOperand* ops) {
  const bool far = zi.meta.branch_type == ZYDIS_BRANCH_TYPE_FAR;
  const bool relative = zi.operand_count_visible > 0 && ops[0].type == ZYDIS_OPERAND_TYPE_IMMEDIATE &&
                        ops[0].imm.is_relative;
  switch (zi.meta.category) {
    case ZYDIS_CATEGORY_COND_BR: return Terminal::Conditional;
    case ZYDIS_CATEGORY_UNCOND_BR:
    case ZYDIS_CATEGORY_CALL:
      return far ? Terminal::Callout : relative ? Terminal::Jump : Terminal::Indirect;
    case ZYDIS_CATEGORY_RET: return far ? Terminal::Callout : Terminal::Return;
    case ZYDIS_CATEGORY_INTERRUPT: case ZYDIS_CATEGORY_SYSCALL: case ZYDIS_CATEGORY_SYSRET:
      return Terminal::Callout;
    default: break;
  }
  if (zi.meta.branch_type != ZYDIS_BRANCH_TYPE_NONE) return far ? Terminal::Callout : Terminal::Indirect;
  const bool writes_ss = zi.operand_count_visible > 0 && ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER &&
                         ops[0].reg.value == ZYDIS_REGISTER_SS;
  const bool writes_sys_reg = zi.operand_count_visible > 0 && ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER &&
                              (ZydisRegisterGetClass(ops[0].reg.value) == ZYDIS_REGCLASS_CONTROL ||
                               ZydisRegisterGetClass(ops[0].reg.value) == ZYDIS_REGCLASS_DEBUG);
  switch (zi.mnemonic) {
    case ZYDIS_MNEMONIC_HLT: case ZYDIS_MNEMONIC_IRET: case ZYDIS_MNEMONIC_IRETD:
    case ZYDIS_MNEMONIC_UD0: case ZYDIS_MNEMONIC_UD1: case ZYDIS_MNEMONIC_UD2:
    case ZYDIS_MNEMONIC_LGDT: case ZYDIS_MNEMONIC_LIDT: case ZYDIS_MNEMONIC_LLDT:
    case ZYDIS_MNEMONIC_LTR: case ZYDIS_MNEMONIC_LMSW: case ZYDIS_MNEMONIC_CLTS:
    case ZYDIS_MNEMONIC_INVLPG: case ZYDIS_MNEMONIC_WRMSR: case ZYDIS_MNEMONIC_SYSENTER:
    case ZYDIS_MNEMONIC_SYSEXIT:
      return Terminal::Callout;
    case ZYDIS_MNEMONIC_MOV:
      return writes_sys_reg ? Terminal::Callout : writes_ss ? Terminal::InterruptCheck : Terminal::None;
    case ZYDIS_MNEMONIC_POP:
      return writes_ss ? Terminal::InterruptCheck : Terminal::None;
    case ZYDIS_MNEMONIC_STI: case ZYDIS_MNEMONIC_POPF: case ZYDIS_MNEMONIC_POPFD:
      return Terminal::InterruptCheck;
    default:
      return Terminal::None;
  }
}

DecodeStatus BlockDecoder::decode(const uint8_t* bytes, size_t avail, bool code32, Insn& out, RawDecode* raw) {
  RawDecode local;
  RawDecode& r = raw ? *raw : local;
  ZydisDecodedInstruction& zi = r.zi;
  ZydisDecodedOperand* ops = r.ops;
  ZyanStatus st = ZydisDecoderDecodeFull(code32 ? &dec32_ : &dec16_, bytes, avail, &zi, ops);
  if (!ZYAN_SUCCESS(st)) {
    if (st == ZYDIS_STATUS_NO_MORE_DATA) return avail >= 15 ? DecodeStatus::TooLong : DecodeStatus::NeedMoreBytes;
    if (st == ZYDIS_STATUS_INSTRUCTION_TOO_LONG) return DecodeStatus::TooLong;
    return DecodeStatus::Invalid;
  }
  out = Insn{};
  out.len = zi.length;
  out.osize = uint8_t(zi.operand_width / 8);
  out.asize = uint8_t(zi.address_width / 8);
  out.mnemonic = uint16_t(zi.mnemonic);
  out.opcode = zi.opcode;
  out.modrm = (zi.attributes & ZYDIS_ATTRIB_HAS_MODRM) ? bytes[zi.raw.modrm.offset] : 0;
  if (zi.attributes & (ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE)) out.rep = 1;
  if (zi.attributes & ZYDIS_ATTRIB_HAS_REPNE) out.rep = 2;
  out.nops = zi.operand_count_visible > 3 ? 3 : zi.operand_count_visible;

  bool have_mem = false;
  unsigned imm_count = 0;
  for (unsigned k = 0; k < zi.operand_count_visible && k < 3; ++k) {
    const ZydisDecodedOperand& op = ops[k];
    Operand& o = out.op[k];
    switch (op.type) {
      case ZYDIS_OPERAND_TYPE_REGISTER:
        o = convert_register(op.reg.value);
        break;
      case ZYDIS_OPERAND_TYPE_MEMORY:
        o.kind = OpKind::Mem;
        o.size = uint8_t(op.size / 8);
        fill_memory(out, op);
        have_mem = true;
        break;
      case ZYDIS_OPERAND_TYPE_POINTER:
        o.kind = OpKind::Far;
        o.size = uint8_t(op.size / 8);
        out.imm = op.ptr.offset;
        out.imm2 = op.ptr.segment;
        break;
      case ZYDIS_OPERAND_TYPE_IMMEDIATE:
        o.kind = op.imm.is_relative ? OpKind::Rel : OpKind::Imm;
        o.size = uint8_t(op.size / 8);
        (imm_count++ == 0 ? out.imm : out.imm2) = uint32_t(op.imm.value.u);
        break;
      default:
        break;
    }
  }
  // Implicit memory operands (string instructions, XLAT): record the source-side segment and
  // addressing (the one not based on (E)DI) so segment overrides reach the handler.
  if (!have_mem) {
    const ZydisDecodedOperand* pick = nullptr;
    for (unsigned k = 0; k < zi.operand_count; ++k) {
      const ZydisDecodedOperand& op = ops[k];
      if (op.type != ZYDIS_OPERAND_TYPE_MEMORY || op.mem.type != ZYDIS_MEMOP_TYPE_MEM) continue;
      if (op.mem.base == ZYDIS_REGISTER_ESP || op.mem.base == ZYDIS_REGISTER_SP) continue;  // stack
      bool di_based = op.mem.base == ZYDIS_REGISTER_EDI || op.mem.base == ZYDIS_REGISTER_DI;
      if (!pick || !di_based) pick = &op;
    }
    if (pick) fill_memory(out, *pick);
  }
  out.term = classify(zi, ops);

  Binder bind = find_binder(zi.mnemonic);
  Handler h = bind ? bind(out, zi, ops) : nullptr;
  out.fn = h ? h : op_unimplemented;
  return DecodeStatus::Ok;
}

void BlockDecoder::format(const uint8_t* bytes, size_t avail, bool code32, uint32_t eip, char* buf, size_t n) {
  static ZydisFormatter fmt = [] {
    ZydisFormatter f;
    ZydisFormatterInit(&f, ZYDIS_FORMATTER_STYLE_INTEL);
    return f;
  }();
  ZydisDecoder d;
  ZydisDecoderInit(&d, code32 ? ZYDIS_MACHINE_MODE_LEGACY_32 : ZYDIS_MACHINE_MODE_LEGACY_16,
                   code32 ? ZYDIS_STACK_WIDTH_32 : ZYDIS_STACK_WIDTH_16);
  ZydisDecodedInstruction zi;
  ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
  if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&d, bytes, avail, &zi, ops)) ||
      !ZYAN_SUCCESS(ZydisFormatterFormatInstruction(&fmt, &zi, ops, zi.operand_count_visible, buf, n, eip, nullptr))) {
    std::snprintf(buf, n, "(bad)");
  }
}

void op_unimplemented(Cpu& cpu, const Insn& i) {
  static std::set<uint16_t> reported;
  if (reported.insert(i.mnemonic).second) {
    std::fprintf(stderr, "bt86: unimplemented instruction %s at %04x:%08x — raising #UD\n",
                 ZydisMnemonicGetString(ZydisMnemonic(i.mnemonic)), cpu.s.seg[CS].sel, cpu.s.eip);
  }
  guest_fault(vec::UD);
}

}  // namespace bt86
