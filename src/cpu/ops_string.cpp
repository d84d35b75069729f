// String instructions MOVS CMPS SCAS LODS STOS INS OUTS (byte/word/dword) with REP/REPE/REPNE.
// The address size selects SI/DI/CX or ESI/EDI/ECX, DF the direction; the source (DS:(E)SI by
// default) takes segment overrides, the destination is always ES:(E)DI. A repeated instruction
// runs at most kRepChunk iterations per call and then re-executes itself (next_eip = eip,
// ending the block) so pending interrupts are taken between chunks. Every iteration commits its
// own register updates, so a fault leaves (E)CX/(E)SI/(E)DI describing the completed iterations.
#include <cstring>
#include <optional>
#include "cpu/alu_host.h"
#include "cpu/ops_common.h"
#include "cpu/ops_int.h"

namespace bt86 {

namespace {

enum class StrOp : uint8_t { Movs, Cmps, Scas, Lods, Stos, Ins, Outs };
enum class Rep : uint8_t { None, Rep, RepE, RepNE };

constexpr bool compares(StrOp op) { return op == StrOp::Cmps || op == StrOp::Scas; }
constexpr bool does_io(StrOp op) { return op == StrOp::Ins || op == StrOp::Outs; }

// INS must not read the port (a side effect) if the memory write will fault: the destination is
// probed for writing on the first iteration of a call and whenever it enters a new page.
template <class T, class A> inline void probe_ins_destination(Cpu& c, A di, A delta, bool first) {
  const uint32_t lin = c.seg_check(ES, di, sizeof(T), true);
  const bool new_page = ((lin ^ (lin - delta)) | (lin ^ (lin + sizeof(T) - 1))) & ~0xFFFu;
  if (first || new_page) c.probe_write(ES, di, sizeof(T));
}

// One iteration: element type T, index registers of type A, `delta` = +/- sizeof(T); `first`
// says whether this is the first iteration of this handler call.
template <StrOp OP, class T, class A> inline void step(Cpu& c, const Insn& i, A delta, bool first) {
  A& si = reg<A>(c, ESI);
  A& di = reg<A>(c, EDI);
  if constexpr (OP == StrOp::Movs) {
    c.write<T>(ES, di, c.read<T>(i.seg, si));
    si += delta;
    di += delta;
  } else if constexpr (OP == StrOp::Cmps) {
    const T a = c.read<T>(i.seg, si);
    const T b = c.read<T>(ES, di);
    uint32_t f = c.s.eflags;
    host::alu<host::AluOp::Cmp>(a, b, f);
    si += delta;
    di += delta;
    c.set_arith_flags(f);
  } else if constexpr (OP == StrOp::Scas) {
    const T b = c.read<T>(ES, di);
    uint32_t f = c.s.eflags;
    host::alu<host::AluOp::Cmp>(reg<T>(c, EAX), b, f);
    di += delta;
    c.set_arith_flags(f);
  } else if constexpr (OP == StrOp::Lods) {
    reg<T>(c, EAX) = c.read<T>(i.seg, si);
    si += delta;
  } else if constexpr (OP == StrOp::Stos) {
    c.write<T>(ES, di, reg<T>(c, EAX));
    di += delta;
  } else if constexpr (OP == StrOp::Ins) {
    probe_ins_destination<T>(c, di, delta, first);
    c.write<T>(ES, di, T(c.port_in(reg<uint16_t>(c, EDX), sizeof(T))));
    di += delta;
  } else {
    c.port_out(reg<uint16_t>(c, EDX), c.read<T>(i.seg, si), sizeof(T));
    si += delta;
  }
}

// REP STOS / REP MOVS forwards in bulk: as many elements as lie on the current page(s) when the
// TLB maps them for direct access (GuestMmu::direct_range), so a memset or memcpy runs as one;
// everything else (a page not in the TLB, MMIO, code pages, backwards, overlapping MOVS) element
// by element. Same final state either way. Returns the elements done.
template <StrOp OP, class T, class A> inline unsigned bulk_forward(Cpu& c, const Insn& i, A count, unsigned limit) {
  A& si = reg<A>(c, ESI);
  A& di = reg<A>(c, EDI);
  uint32_t n = count < limit ? uint32_t(count) : limit;
  const uint32_t dst_room = (0x1000 - ((c.s.seg[ES].base + di) & 0xFFF)) / sizeof(T);
  if (n > dst_room) n = dst_room;
  if constexpr (OP == StrOp::Movs) {
    const uint32_t src_room = (0x1000 - ((c.s.seg[i.seg].base + si) & 0xFFF)) / sizeof(T);
    if (n > src_room) n = src_room;
  }
  if (n < 2 || uint32_t(di) + n * sizeof(T) - 1 < uint32_t(di)) return 0;
  uint8_t* dst = c.mmu.direct_range(ES, di, n * sizeof(T), true);
  if (!dst) return 0;
  if constexpr (OP == StrOp::Stos) {
    const T v = reg<T>(c, EAX);
    if constexpr (sizeof(T) == 1) {
      std::memset(dst, v, n);
    } else {
      for (uint32_t k = 0; k < n; ++k) std::memcpy(dst + k * sizeof(T), &v, sizeof(T));
    }
    di += A(n * sizeof(T));
  } else {
    if (uint32_t(si) + n * sizeof(T) - 1 < uint32_t(si)) return 0;
    const uint8_t* src = c.mmu.direct_range(i.seg, si, n * sizeof(T), false);
    if (!src) return 0;
    const size_t bytes = n * sizeof(T);
    if (dst > src && dst < src + bytes) return 0;  // a forward copy onto itself repeats a pattern
    std::memmove(dst, src, bytes);
    si += A(n * sizeof(T));
    di += A(n * sizeof(T));
  }
  return n;
}

template <StrOp OP, class T, class A, Rep R> void string_op(Cpu& c, const Insn& i) {
  const A delta = c.flag(fl::DF) ? A(-A(sizeof(T))) : A(sizeof(T));
  if constexpr (R == Rep::None) {
    if constexpr (does_io(OP)) c.check_io(reg<uint16_t>(c, EDX), sizeof(T));
    step<OP, T, A>(c, i, delta, true);
  } else {
    A& count = reg<A>(c, ECX);
    if (count == 0) return;
    if constexpr (does_io(OP)) c.check_io(reg<uint16_t>(c, EDX), sizeof(T));
    for (unsigned n = 0; n < kRepChunk; ++n) {
      if constexpr ((OP == StrOp::Stos || OP == StrOp::Movs) && R == Rep::Rep && sizeof(A) == 4) {
        if (!c.flag(fl::DF)) {
          const unsigned done = bulk_forward<OP, T, A>(c, i, count, kRepChunk - n);
          if (done) {
            count = A(count - done);
            n += done - 1;
            if (count == 0) return;
            continue;
          }
        }
      }
      step<OP, T, A>(c, i, delta, n == 0);
      --count;
      if (count == 0) return;
      if constexpr (R == Rep::RepE) {
        if (!c.flag(fl::ZF)) return;
      } else if constexpr (R == Rep::RepNE) {
        if (c.flag(fl::ZF)) return;
      }
    }
    c.next_eip = c.s.eip;  // more to do: run this instruction again
    c.end_block();
  }
}

std::optional<StrOp> string_form(const ZydisDecodedInstruction& zi) {
  switch (zi.mnemonic) {
    case ZYDIS_MNEMONIC_MOVSB: case ZYDIS_MNEMONIC_MOVSW: case ZYDIS_MNEMONIC_MOVSD: return StrOp::Movs;
    case ZYDIS_MNEMONIC_CMPSB: case ZYDIS_MNEMONIC_CMPSW: case ZYDIS_MNEMONIC_CMPSD: return StrOp::Cmps;
    case ZYDIS_MNEMONIC_SCASB: case ZYDIS_MNEMONIC_SCASW: case ZYDIS_MNEMONIC_SCASD: return StrOp::Scas;
    case ZYDIS_MNEMONIC_LODSB: case ZYDIS_MNEMONIC_LODSW: case ZYDIS_MNEMONIC_LODSD: return StrOp::Lods;
    case ZYDIS_MNEMONIC_STOSB: case ZYDIS_MNEMONIC_STOSW: case ZYDIS_MNEMONIC_STOSD: return StrOp::Stos;
    case ZYDIS_MNEMONIC_INSB: case ZYDIS_MNEMONIC_INSW: case ZYDIS_MNEMONIC_INSD: return StrOp::Ins;
    case ZYDIS_MNEMONIC_OUTSB: case ZYDIS_MNEMONIC_OUTSW: case ZYDIS_MNEMONIC_OUTSD: return StrOp::Outs;
    default: return std::nullopt;
  }
}

}  // namespace

Handler bind_string(Insn& i, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand*) {
  // MOVSD/CMPSD also name SSE2 instructions (F2 0F 10/11, F2 0F C2): only A4-AF/6C-6F here.
  if (zi.opcode_map != ZYDIS_OPCODE_MAP_DEFAULT || i.nops != 0) return nullptr;
  const std::optional<StrOp> form = string_form(zi);
  if (!form) return nullptr;
  Rep rep = Rep::None;
  if (i.rep != 0) rep = !compares(*form) ? Rep::Rep : i.rep == 2 ? Rep::RepNE : Rep::RepE;
  return by_value<StrOp::Movs, StrOp::Cmps, StrOp::Scas, StrOp::Lods, StrOp::Stos, StrOp::Ins, StrOp::Outs>(
      *form, [&]<StrOp OP>() {
        return by_size(i.osize, [&]<class T>() {
          return by_wide_size(i.asize, [&]<class A>() {
            return by_value<Rep::None, Rep::Rep, Rep::RepE, Rep::RepNE>(rep, [&]<Rep R>() -> Handler {
              if constexpr (compares(OP) ? R == Rep::Rep : (R == Rep::RepE || R == Rep::RepNE)) return nullptr;
              else return &string_op<OP, T, A, R>;
            });
          });
        });
      });
}

}  // namespace bt86
