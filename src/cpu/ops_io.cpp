// Port I/O: IN and OUT with an imm8 or DX port and AL/AX/EAX. The protection check (IOPL and the
// TSS I/O bitmap, Cpu::check_io) comes before the port is touched.
#include "cpu/ops_common.h"
#include "cpu/ops_int.h"

namespace bt86 {

namespace {

// The port operand: an 8-bit immediate or DX.
template <Kind P> inline uint16_t port_of(Cpu& c, const Insn& i) {
  if constexpr (P == Kind::Imm) return uint16_t(i.imm & 0xFF);
  else return reg<uint16_t>(c, EDX);
}

template <class T, Kind P> void in(Cpu& c, const Insn& i) {
  const uint16_t port = port_of<P>(c, i);
  c.check_io(port, sizeof(T));
  reg<T>(c, EAX) = T(c.port_in(port, sizeof(T)));
}

template <class T, Kind P> void out(Cpu& c, const Insn& i) {
  const uint16_t port = port_of<P>(c, i);
  c.check_io(port, sizeof(T));
  c.port_out(port, reg<T>(c, EAX), sizeof(T));
}

// `acc` is the AL/AX/EAX operand, `port` the immediate or DX operand.
template <class Make> Handler bind_port_op(const Operand& acc, const Operand& port, Make&& make) {
  if (acc.kind != OpKind::Reg || acc.reg != EAX) return nullptr;
  return by_size(acc.size, [&]<class T>() -> Handler {
    if (port.kind == OpKind::Imm) return make.template operator()<T, Kind::Imm>();
    if (port.kind == OpKind::Reg && port.reg == EDX && port.size == 2) return make.template operator()<T, Kind::Reg>();
    return nullptr;
  });
}

}  // namespace

Handler bind_in(Insn& i, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) {
  if (i.nops != 2) return nullptr;
  return bind_port_op(i.op[0], i.op[1], []<class T, Kind P>() -> Handler { return &in<T, P>; });
}

Handler bind_out(Insn& i, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) {
  if (i.nops != 2) return nullptr;
  return bind_port_op(i.op[1], i.op[0], []<class T, Kind P>() -> Handler { return &out<T, P>; });
}

}  // namespace bt86
