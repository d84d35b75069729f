// Instruction emission with flag-definedness tracking (see emitter.h).
#include "emitter.h"
#include <cstring>
#include <stdexcept>
#include <string>

namespace difftest {

namespace {
constexpr uint32_t kComparedFlags = DT_EFLAGS_MASK;

const ZydisDecoder& decoder32() {
  static const ZydisDecoder d = [] {
    ZydisDecoder dec;
    ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_STACK_WIDTH_32);
    return dec;
  }();
  return d;
}

// Instructions that store the whole x87 status word read C0-C3 (Zydis does not list them as
// tested, and marks FNSTSW as leaving them undefined, which it does not).
bool stores_fpu_status(ZydisMnemonic m) {
  return m == ZYDIS_MNEMONIC_FNSTSW || m == ZYDIS_MNEMONIC_FNSTENV || m == ZYDIS_MNEMONIC_FNSAVE;
}
}  // namespace

namespace opnd {
ZydisEncoderOperand reg(ZydisRegister r) {
  ZydisEncoderOperand o{};
  o.type = ZYDIS_OPERAND_TYPE_REGISTER;
  o.reg.value = r;
  return o;
}
ZydisEncoderOperand imm(int64_t v) {
  ZydisEncoderOperand o{};
  o.type = ZYDIS_OPERAND_TYPE_IMMEDIATE;
  o.imm.s = v;
  return o;
}
ZydisEncoderOperand mem(unsigned size, ZydisRegister base, ZydisRegister index, unsigned scale, int64_t disp) {
  ZydisEncoderOperand o{};
  o.type = ZYDIS_OPERAND_TYPE_MEMORY;
  o.mem.size = uint16_t(size);
  o.mem.base = base;
  o.mem.index = index;
  o.mem.scale = uint8_t(index == ZYDIS_REGISTER_NONE ? 0 : scale);
  o.mem.displacement = disp;
  return o;
}
}  // namespace opnd

void Emitter::insn(ZydisMnemonic m, std::initializer_list<ZydisEncoderOperand> ops,
                   ZydisInstructionAttributes prefixes, const FlagAdjust& adj) {
  uint8_t buf[ZYDIS_MAX_INSTRUCTION_LENGTH];
  append(buf, encode(m, ops, prefixes, buf), adj);
}

size_t Emitter::encode(ZydisMnemonic m, std::initializer_list<ZydisEncoderOperand> ops,
                       ZydisInstructionAttributes prefixes, uint8_t* out) {
  ZydisEncoderRequest req;
  std::memset(&req, 0, sizeof req);
  req.machine_mode = ZYDIS_MACHINE_MODE_LEGACY_32;
  req.mnemonic = m;
  req.prefixes = prefixes;
  req.operand_count = uint8_t(ops.size());
  size_t k = 0;
  for (const ZydisEncoderOperand& o : ops) req.operands[k++] = o;
  ZyanUSize len = ZYDIS_MAX_INSTRUCTION_LENGTH;
  if (!ZYAN_SUCCESS(ZydisEncoderEncodeInstruction(&req, out, &len))) {
    std::string what = std::string("Zydis cannot encode ") + ZydisMnemonicGetString(m);
    for (const ZydisEncoderOperand& o : ops) {
      if (o.type == ZYDIS_OPERAND_TYPE_REGISTER) what += std::string(" ") + ZydisRegisterGetString(o.reg.value);
      else if (o.type == ZYDIS_OPERAND_TYPE_IMMEDIATE) what += " imm:" + std::to_string(o.imm.s);
      else what += " mem" + std::to_string(o.mem.size) + "[" + (o.mem.base ? ZydisRegisterGetString(o.mem.base) : "") + "+" +
                   (o.mem.index ? ZydisRegisterGetString(o.mem.index) : "") + "*" + std::to_string(o.mem.scale) + "+" +
                   std::to_string(o.mem.displacement) + "]";
    }
    throw std::logic_error(what);
  }
  return len;
}

void Emitter::raw(std::initializer_list<uint8_t> bytes, const FlagAdjust& adj) {
  append(bytes.begin(), bytes.size(), adj);
}

void Emitter::raw(const uint8_t* bytes, size_t len, const FlagAdjust& adj) { append(bytes, len, adj); }

void Emitter::invalid(const uint8_t* bytes, size_t len) {
  InsnRecord r;
  r.offset = uint16_t(tc_.code.size());
  r.len = uint8_t(len);
  tc_.code.insert(tc_.code.end(), bytes, bytes + len);
  tc_.insns.push_back(r);
  tc_.init.code_len = uint32_t(tc_.code.size());
}

// CMP r32, imm32 writes all six status flags, defined, and nothing else.
void Emitter::define_cpu_flags() {
  static const ZydisRegister regs[] = {ZYDIS_REGISTER_EAX, ZYDIS_REGISTER_ECX, ZYDIS_REGISTER_EDX,
                                       ZYDIS_REGISTER_EBX, ZYDIS_REGISTER_ESP, ZYDIS_REGISTER_EBP,
                                       ZYDIS_REGISTER_ESI, ZYDIS_REGISTER_EDI};
  insn(ZYDIS_MNEMONIC_CMP, {opnd::reg(rng_.pick(regs)), opnd::imm(int32_t(rng_.interesting(4)))});
}

// FXAM sets C0-C3 from the class of ST(0).
void Emitter::define_fpu_flags() { raw({0xD9, 0xE5}); }

void Emitter::append(const uint8_t* bytes, size_t len, const FlagAdjust& adj) {
  ZydisDecodedInstruction zi;
  if (!ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(&decoder32(), nullptr, bytes, len, &zi)) || zi.length != len)
  {
    std::string what = "emitted bytes do not decode to one instruction:";
    for (size_t k = 0; k < len; ++k) what += " " + std::to_string(bytes[k]);
    throw std::logic_error(what);
  }

  uint32_t tested = zi.cpu_flags ? zi.cpu_flags->tested & kComparedFlags : 0;
  uint8_t fpu_tested = zi.fpu_flags ? uint8_t(zi.fpu_flags->tested) : 0;
  if (stores_fpu_status(zi.mnemonic)) fpu_tested = 0xF;
  if (tested & undefined_cpu_) define_cpu_flags();
  if (fpu_tested & undefined_fpu_) define_fpu_flags();

  InsnRecord r;
  r.offset = uint16_t(tc_.code.size());
  r.len = uint8_t(len);
  if (zi.cpu_flags) {
    const ZydisAccessedFlags& f = *zi.cpu_flags;
    r.cpu_written = (f.modified | f.set_0 | f.set_1 | f.undefined) & kComparedFlags & ~adj.unwritten;
    r.cpu_undefined = ((f.undefined & ~adj.defined) | adj.undefined) & r.cpu_written;
  }
  if (zi.fpu_flags && !stores_fpu_status(zi.mnemonic)) {
    const ZydisAccessedFlags& f = *zi.fpu_flags;
    r.fpu_written = uint8_t((f.modified | f.set_0 | f.set_1 | f.undefined) & 0xF);
    r.fpu_undefined = uint8_t(f.undefined & 0xF);
  }
  undefined_cpu_ = (undefined_cpu_ & ~r.cpu_written) | r.cpu_undefined;
  undefined_fpu_ = uint8_t((undefined_fpu_ & ~r.fpu_written) | r.fpu_undefined);
  tc_.code.insert(tc_.code.end(), bytes, bytes + len);
  tc_.insns.push_back(r);
  tc_.init.code_len = uint32_t(tc_.code.size());
}

}  // namespace difftest
