// Stack instructions: PUSH (register, immediate, memory), POP (register, memory), PUSHA/PUSHAD,
// POPA/POPAD, ENTER (with nesting level) and LEAVE. The operand size picks 16/32-bit slots, the
// stack size (SS.B) whether SP or ESP moves. Multi-slot instructions read everything and check
// every slot they will write, in the hardware's order, before committing anything. PUSH/POP of
// segment registers belong to the system code (bind_push_pop_seg).
#include "cpu/ops_common.h"
#include "cpu/ops_int.h"
#include "cpu/ops_sys.h"

namespace bt86 {

namespace {

// The ESP register value that set_esp(sp) would produce (16-bit stacks keep ESP's upper half).
inline uint32_t esp_value_for(const Cpu& c, uint32_t sp) {
  return c.s.stack32() ? sp : (c.s.r[ESP] & 0xFFFF0000u) | (sp & 0xFFFF);
}

// Checks a write of `size` bytes to stack offset `off` as c.write would (segment limit and
// type, alignment, paging) without writing. Multi-slot pushes check every slot this way, in the
// order the hardware writes them, before writing any: the first slot that faults is the one
// reported (#PF with its CR2 and error code) and nothing has changed. Further slots on a page
// already checked need no second page walk.
class StackWriteCheck {
 public:
  StackWriteCheck(Cpu& c, unsigned size) : c_(c), size_(size) {}
  void operator()(uint32_t off) {
    const uint32_t lin = c_.seg_check(SS, off, size_, true);
    c_.check_alignment(lin, size_);
    const uint32_t page = lin & ~0xFFFu;
    const bool one_page = page == ((lin + size_ - 1) & ~0xFFFu);
    if (one_page && page == checked_page_) return;
    c_.probe_write(SS, off, size_);
    checked_page_ = one_page ? page : kNone;
  }

 private:
  static constexpr uint32_t kNone = 1;  // never page-aligned
  Cpu& c_;
  unsigned size_;
  uint32_t checked_page_ = kNone;
};

// The same for a read (ENTER's copies of the enclosing frame pointers).
inline void check_stack_read(Cpu& c, uint32_t off, unsigned size) {
  c.check_alignment(c.seg_check(SS, off, size, false), size);
  c.probe_read(SS, off, size);
}

template <class T, Kind S> void push(Cpu& c, const Insn& i) { c.push<T>(load<T, S>(c, i, 0)); }

template <class T> void pop_reg(Cpu& c, const Insn& i) {
  T v = c.pop<T>();
  reg<T>(c, i.op[0].reg) = v;  // POP ESP: the popped value wins over the increment
}

// POP m: an ESP-based address uses ESP as it is after the pop.
template <class T> void pop_mem(Cpu& c, const Insn& i) {
  const uint32_t sp = c.s.r[ESP] & c.sp_mask();
  const T v = c.read<T>(SS, sp);
  const uint32_t saved_esp = c.s.r[ESP];
  const uint32_t new_esp = esp_value_for(c, sp + sizeof(T));
  c.s.r[ESP] = new_esp;
  const uint32_t off = c.ea(i);
  c.s.r[ESP] = saved_esp;
  c.write<T>(i.seg, off, v);
  c.s.r[ESP] = new_esp;
}

// PUSHA: AX CX DX BX (original SP) BP SI DI.
template <class T> void pusha(Cpu& c, const Insn&) {
  const uint32_t mask = c.sp_mask();
  StackWriteCheck check(c, sizeof(T));
  for (uint32_t n = 1; n <= 8; ++n) check((c.s.r[ESP] - n * sizeof(T)) & mask);
  uint32_t sp = c.s.r[ESP];
  for (unsigned r = EAX; r <= EDI; ++r) {
    sp = (sp - sizeof(T)) & mask;
    c.write<T>(SS, sp, reg<T>(c, r));
  }
  c.set_esp(sp);
}

// POPA: DI SI BP (skipped slot) BX DX CX AX.
template <class T> void popa(Cpu& c, const Insn&) {
  const uint32_t mask = c.sp_mask();
  uint32_t sp = c.s.r[ESP] & mask;
  T values[8];
  for (int r = EDI; r >= EAX; --r) {
    values[r] = c.read<T>(SS, sp);
    sp = (sp + sizeof(T)) & mask;
  }
  for (unsigned r = EAX; r <= EDI; ++r)
    if (r != ESP) reg<T>(c, r) = values[r];
  c.set_esp(sp);
}

// ENTER alloc, level: push (E)BP; copy level-1 frame pointers of the enclosing frames; push the
// new frame pointer; (E)BP = frame; (E)SP -= alloc. The operand size gives the slot size, the
// stack size (SS.B) whether SP or ESP moves and how (E)BP and (E)SP wrap.
template <class T> void enter(Cpu& c, const Insn& i) {
  constexpr uint32_t kSize = sizeof(T);
  const uint32_t mask = c.sp_mask();
  const uint32_t alloc = i.imm & 0xFFFF;
  const unsigned level = i.imm2 & 31;
  const uint32_t top = c.s.r[ESP];
  const uint32_t old_bp = c.s.r[EBP] & mask;
  // Stack slot n (0: the pushed (E)BP, 1..level-1: the copies, level: the new frame pointer) and
  // the enclosing frame's display entry copied into slot k.
  auto slot = [&](unsigned n) { return (top - (n + 1) * kSize) & mask; };
  auto display = [&](unsigned k) { return (old_bp - k * kSize) & mask; };
  const uint32_t slots = level == 0 ? 1 : level + 1;
  const uint32_t final_sp = (top - slots * kSize - alloc) & mask;

  // Every access is checked first, in the order the hardware makes them, so that the first one
  // that faults is the one reported (its CR2 and error code) and nothing has changed yet.
  StackWriteCheck check_write(c, kSize);
  check_write(slot(0));
  for (unsigned k = 1; k < level; ++k) {
    check_stack_read(c, display(k), kSize);
    check_write(slot(k));
  }
  if (level > 0) check_write(slot(level));
  c.seg_check(SS, final_sp, 1, true);  // #SS if the new stack pointer is outside the segment

  // Commit, interleaved as the hardware does: each frame pointer is read just before it is
  // pushed, so a display entry that an earlier push overwrote gives the new value.
  c.write<T>(SS, slot(0), T(c.s.r[EBP]));
  const uint32_t frame = esp_value_for(c, slot(0));
  if (level > 0) {
    for (unsigned k = 1; k < level; ++k) c.write<T>(SS, slot(k), c.read<T>(SS, display(k)));
    c.write<T>(SS, slot(level), T(frame));
  }
  reg<T>(c, EBP) = T(frame);
  c.set_esp(final_sp);
}

template <class T> void leave(Cpu& c, const Insn&) {
  const uint32_t sp = c.s.r[EBP] & c.sp_mask();
  const T v = c.read<T>(SS, sp);
  c.set_esp(sp + sizeof(T));
  reg<T>(c, EBP) = v;
}

}  // namespace

Handler bind_push(Insn& i, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand* ops) {
  if (i.nops != 1) return nullptr;
  if (i.op[0].kind == OpKind::Seg) return bind_push_pop_seg(i, zi, ops);
  return by_wide_size(i.osize, [&]<class T>() {
    return by_rmi(i.op[0], [&]<Kind S>() -> Handler { return &push<T, S>; });
  });
}

Handler bind_pop(Insn& i, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand* ops) {
  if (i.nops != 1) return nullptr;
  if (i.op[0].kind == OpKind::Seg) return bind_push_pop_seg(i, zi, ops);
  return by_wide_size(i.osize, [&]<class T>() -> Handler {
    if (i.op[0].kind == OpKind::Reg) return &pop_reg<T>;
    if (i.op[0].kind == OpKind::Mem) return &pop_mem<T>;
    return nullptr;
  });
}

Handler bind_pusha(Insn& i, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) {
  return by_wide_size(i.osize, []<class T>() -> Handler { return &pusha<T>; });
}

Handler bind_popa(Insn& i, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) {
  return by_wide_size(i.osize, []<class T>() -> Handler { return &popa<T>; });
}

Handler bind_enter(Insn& i, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) {
  return by_wide_size(i.osize, []<class T>() -> Handler { return &enter<T>; });
}

Handler bind_leave(Insn& i, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) {
  return by_wide_size(i.osize, []<class T>() -> Handler { return &leave<T>; });
}

}  // namespace bt86
