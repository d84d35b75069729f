// One guest block -> host code (see block_translator.h and docs/translator.md).
//
// Layout of a translated block:
//   entries: entry_spilled / entry (one of them moves the guest flags to where the body wants
//            them, see Emitter::run), lea r13, [r13 - n]; movzx r9d, byte [r13] (the budget:
//            faults into budget_exit once spent, see budget_area.h)
//           ... one sequence per guest instruction ...
//           exits (chainable stubs / jump to the lookup routine)
//   out of line: memory slow paths (callouts), budget_exit
// The guest's arithmetic flags are exact at every point where the guest could observe them (a
// callout, a fault, an exit). Host sequences that clobber the host flags (TLB probes, the DIV
// checks, inline-cache compares) first park them in CpuState::jit_flags_spill (once per value, in
// LAHF/SETO form, runtime_stubs.h); while they are parked, a native instruction that writes all six needs nothing
// back, one that needs only CF back (INC/DEC keep it; ADC/SBB read it) gets it with one BT from
// the slot, anything else — and every callout, exit and branch — gets all of them back with
// POPFQ, the expensive instruction this design keeps off the common paths.
#include "translate/block_translator.h"

#include <Zydis/Zydis.h>
#include <algorithm>
#include <cstring>
#include <new>
#include <stdexcept>
#include <vector>
#include "cpu/block.h"
#include "cpu/cpu_state.h"
#include "cpu/fpu_exceptions.h"
#include "mmu/guest_mmu.h"
#include "translate/code_buffer.h"
#include "translate/insn_rules.h"

namespace bt86 {

using namespace asmjit;
using namespace jit;

namespace {

constexpr uint32_t kArith = ZYDIS_CPUFLAG_CF | ZYDIS_CPUFLAG_PF | ZYDIS_CPUFLAG_AF | ZYDIS_CPUFLAG_ZF |
                            ZYDIS_CPUFLAG_SF | ZYDIS_CPUFLAG_OF;

struct Decoded {
  const ZydisDecodedInstruction* zi = nullptr;  // (in the translator's RawDecode buffer)
  const ZydisDecodedOperand* ops = nullptr;
  uint32_t eip = 0;
  Rule rule = Rule::Callout;
  CalloutKind why = CalloutKind::Unsupported;  // when rule == Callout
  int mem = -1;  // index of the explicit memory operand, if any
  uint8_t seg = SEG_NONE;  // FS or GS for a memory operand through them (checked at run time)
  // The host bytes entry_flags() already encoded (encode_gs_form for a memory operand, else
  // encode_for_host), for the emitter to take: -1 not tried, 0 could not be encoded.
  int8_t pre_len = -1;
  uint8_t pre[ZYDIS_MAX_INSTRUCTION_LENGTH + 8];
};

bool is_gpr(ZydisRegister r) {
  const ZydisRegisterClass c = ZydisRegisterGetClass(r);
  return c == ZYDIS_REGCLASS_GPR8 || c == ZYDIS_REGCLASS_GPR16 || c == ZYDIS_REGCLASS_GPR32;
}

// Guest register -> host register for re-encoding (ESP/SP -> R12D/R12W; others keep their
// number). Sets *high_byte for AH..BH, which cannot be encoded next to a REX prefix.
ZydisRegister host_register(ZydisRegister r, bool* high_byte, bool* rex) {
  switch (ZydisRegisterGetClass(r)) {
    case ZYDIS_REGCLASS_GPR32:
      if (r == ZYDIS_REGISTER_ESP) { *rex = true; return ZYDIS_REGISTER_R12D; }
      return r;
    case ZYDIS_REGCLASS_GPR16:
      if (r == ZYDIS_REGISTER_SP) { *rex = true; return ZYDIS_REGISTER_R12W; }
      return r;
    case ZYDIS_REGCLASS_GPR8:
      if (ZydisRegisterGetId(r) >= 4) *high_byte = true;
      return r;
    default:
      return r;
  }
}

ZydisRegister host_address_register(ZydisRegister r) {
  if (r == ZYDIS_REGISTER_NONE) return r;
  static const ZydisRegister map[8] = {ZYDIS_REGISTER_RAX, ZYDIS_REGISTER_RCX, ZYDIS_REGISTER_RDX,
                                       ZYDIS_REGISTER_RBX, ZYDIS_REGISTER_R12, ZYDIS_REGISTER_RBP,
                                       ZYDIS_REGISTER_RSI, ZYDIS_REGISTER_RDI};
  return map[ZydisRegisterGetId(r) & 7];
}

// `lea dst32, [base + index * scale + disp32]` in 64-bit mode, encoded by hand (host register
// numbers 0-15, -1 for none; at least one of base and index; index never RSP): what the Zydis
// encoder would give, without its cost, for an instruction every memory operand needs.
size_t encode_lea32(uint8_t* out, int dst, int base, int index, unsigned scale, int32_t disp) {
  size_t n = 0;
  const uint8_t rex = uint8_t(0x40 | (dst >= 8 ? 4 : 0) | (index >= 8 ? 2 : 0) | (base >= 8 ? 1 : 0));
  if (rex != 0x40) out[n++] = rex;
  out[n++] = 0x8D;
  // mod: no displacement (never with a base whose low bits are 101: that form means disp32 /
  // RIP-relative), disp8, or disp32; no base at all takes SIB base 101 with a disp32.
  unsigned mod;
  if (base < 0) mod = 0;
  else if (disp == 0 && (base & 7) != 5) mod = 0;
  else if (disp >= -128 && disp <= 127) mod = 1;
  else mod = 2;
  const bool sib = index >= 0 || base < 0 || (base & 7) == 4;
  out[n++] = uint8_t(mod << 6 | (dst & 7) << 3 | (sib ? 4 : (base & 7)));
  if (sib) {
    const unsigned ss = index < 0 ? 0 : scale == 8 ? 3 : scale == 4 ? 2 : scale == 2 ? 1 : 0;
    out[n++] = uint8_t(ss << 6 | (index < 0 ? 4 : (index & 7)) << 3 | (base < 0 ? 5 : (base & 7)));
  }
  if (base < 0 || mod == 2) {
    std::memcpy(out + n, &disp, 4);
    n += 4;
  } else if (mod == 1) {
    out[n++] = uint8_t(int8_t(disp));
  }
  return n;
}

// Memory operands the translator reaches inline: 32-bit addressing through a flat segment (DS,
// ES, SS: flat by the block's mode) or FS/GS (sets *seg: base and limit checked at run time).
bool inline_memory(const ZydisDecodedOperand& op, uint8_t* seg) {
  if (op.mem.type != ZYDIS_MEMOP_TYPE_MEM && op.mem.type != ZYDIS_MEMOP_TYPE_AGEN) return false;
  switch (op.mem.segment) {
    case ZYDIS_REGISTER_DS: case ZYDIS_REGISTER_ES: case ZYDIS_REGISTER_SS: case ZYDIS_REGISTER_NONE:
      break;
    case ZYDIS_REGISTER_FS: *seg = FS; break;
    case ZYDIS_REGISTER_GS: *seg = GS; break;
    default:
      return false;
  }
  auto ok = [](ZydisRegister r) { return r == ZYDIS_REGISTER_NONE || ZydisRegisterGetClass(r) == ZYDIS_REGCLASS_GPR32; };
  return ok(op.mem.base) && ok(op.mem.index);
}

// Whether this host's AND clears AF (documented as undefined; AMD and Intel parts clear it).
// Probed once, so a host that kept AF would just make logical instructions partial writers.
bool host_logic_clears_af() {
  static const bool clears = [] {
    unsigned long f;
    unsigned a = 3, b = 5;
    asm volatile("pushfq\n\tmovq $0x10, %%rax\n\tpushq %%rax\n\tpopfq\n\tandl %2, %1\n\tpushfq\n\tpopq %0\n\tpopfq"
                 : "=r"(f), "+r"(a) : "r"(b) : "rax", "cc");
    return (f & 0x10) == 0;
  }();
  return clears;
}

// The arithmetic flags the instruction surely writes, whatever its operands. Flags documented as
// undefined count as kept: hosts keep some of them (MUL keeps SF/ZF/AF/PF on AMD), and the
// interpreter runs the same host instruction on the real incoming flags. Shifts and rotates
// write nothing when the masked count is 0, so only an immediate count that is not 0 counts.
uint32_t written_flags(const ZydisDecodedInstruction& zi, const ZydisDecodedOperand* ops) {
  if (!zi.cpu_flags) return 0;
  const ZydisAccessedFlags& f = *zi.cpu_flags;
  uint32_t w = (f.modified | f.set_0 | f.set_1) & kArith;
  switch (zi.mnemonic) {
    case ZYDIS_MNEMONIC_AND: case ZYDIS_MNEMONIC_OR: case ZYDIS_MNEMONIC_XOR: case ZYDIS_MNEMONIC_TEST:
      if (host_logic_clears_af()) w |= ZYDIS_CPUFLAG_AF;
      return w;
    case ZYDIS_MNEMONIC_SHL: case ZYDIS_MNEMONIC_SHR: case ZYDIS_MNEMONIC_SAR: case ZYDIS_MNEMONIC_SHLD:
    case ZYDIS_MNEMONIC_SHRD: case ZYDIS_MNEMONIC_ROL: case ZYDIS_MNEMONIC_ROR: case ZYDIS_MNEMONIC_RCL:
    case ZYDIS_MNEMONIC_RCR: {
      const ZydisDecodedOperand& c = ops[zi.operand_count_visible - 1];
      return c.type == ZYDIS_OPERAND_TYPE_IMMEDIATE && (c.imm.value.u & 0x1F) != 0 ? w : 0;
    }
    default:
      return w;
  }
}

x::CondCode cond_of(ZydisMnemonic m) {
  switch (m) {
    case ZYDIS_MNEMONIC_JO: return x::CondCode::kO;
    case ZYDIS_MNEMONIC_JNO: return x::CondCode::kNO;
    case ZYDIS_MNEMONIC_JB: return x::CondCode::kB;
    case ZYDIS_MNEMONIC_JNB: return x::CondCode::kAE;
    case ZYDIS_MNEMONIC_JZ: return x::CondCode::kE;
    case ZYDIS_MNEMONIC_JNZ: return x::CondCode::kNE;
    case ZYDIS_MNEMONIC_JBE: return x::CondCode::kBE;
    case ZYDIS_MNEMONIC_JNBE: return x::CondCode::kA;
    case ZYDIS_MNEMONIC_JS: return x::CondCode::kS;
    case ZYDIS_MNEMONIC_JNS: return x::CondCode::kNS;
    case ZYDIS_MNEMONIC_JP: return x::CondCode::kPE;
    case ZYDIS_MNEMONIC_JNP: return x::CondCode::kPO;
    case ZYDIS_MNEMONIC_JL: return x::CondCode::kL;
    case ZYDIS_MNEMONIC_JNL: return x::CondCode::kGE;
    case ZYDIS_MNEMONIC_JLE: return x::CondCode::kLE;
    default: return x::CondCode::kG;  // JNLE
  }
}

constexpr uint8_t kFirstRead = 1, kFirstWrite = 2;  // CalloutSite::first_access

class Emitter {
 public:
  // AsmJit's code holder and assembler are reused from block to block (their zones keep their
  // memory: translation is measured against boot time).
  struct AsmState {
    struct Errors : ErrorHandler {
      bool failed = false;
      void handleError(Error, const char*, BaseEmitter*) override { failed = true; }
    } errors;
    CodeHolder code;
    x::Assembler a;
  };
  static AsmState& asm_state() {
    static thread_local AsmState st;
    return st;
  }
  // Per-block working lists, emptied for each block but keeping their memory.
  template <class T> static std::vector<T>& scratch() {
    static thread_local std::vector<T> v;
    v.clear();
    return v;
  }

  Emitter(const Block& b, const RawDecode* raw, const uint8_t* bytes, CodeBuffer& buf,
          const RuntimeRoutines& rt, EntryOrder order)
      : b_(b), raw_(raw), bytes_(bytes), buf_(buf), rt_(rt), order_(order) {
    code_.reset(ResetPolicy::kSoft);
    code_.init(Environment::host(), uint64_t(buf.cursor()));
    errors_.failed = false;
    code_.setErrorHandler(&errors_);
    code_.attach(&a_);
    if (code_.newSection(&cold_, ".cold", SIZE_MAX, SectionFlags::kExecutable, 1)) errors_.failed = true;
    cold_base_ = uint64_t(buf.cold_cursor());
    if (cold_) cold_->setOffset(cold_base_ - code_.baseAddress());  // (where place_split_code puts it)
  }

  std::shared_ptr<TranslatedCode> run(TranslationCounts* counts);

 private:

  struct SlowPath {
    Label at, resume;
    const CalloutSite* site;
    bool resume_spilled = true;  // the fast path's flag state where the slow path rejoins it
    Label access;                // linear views: the host access that may fault
    bool spilled_at_access = true;  // the flag state there (which callout thunk the stub calls)
    bool string_pointers = false;   // RSI/RDI hold view addresses: back to ESI/EDI first
    int lea_insn = -1;              // a GS-form access (no r10d): the instruction whose address
                                    // the stub computes into r10d for a first-access site,
    int lea_reg = -1;               // or the host register (id) and displacement of a stack
    int32_t lea_disp = 0;           // access's address
    bool unsettled = false;         // before an Unsettled body's flag write (see EntryFlags)
    int32_t esp_before = 0;         // lazy ESP (esp_bias_): what r12d lacks before the
    int32_t esp_after = 0;          // instruction (added before the callout) and after it
                                    // (taken off again before resuming)
  };
  // A flat stack access on the view: `gs: addr32 [reg + disp]` (encode_gs_form's addressing).
  static x::Mem gs_mem(const x::Gp& reg32, int32_t disp, uint32_t size) {
    x::Mem m = x::ptr(reg32, disp, size);
    m.setSegment(x::gs);
    return m;
  }
  // The slow path just made for a GS-form stack access at [reg + disp].
  void note_stack_access(const x::Gp& reg, int32_t disp) {
    slow_.back().lea_reg = int(reg.id());
    slow_.back().lea_disp = disp;
  }
  x::Mem mem32() const { return x::dword_ptr(base_, x::r10); }  // the probed access, 4 bytes
  // Hand-encoded forms of the instructions every block's exits and slow paths are made of
  // (AsmJit's encoder costs more per instruction than all the rest of translating one). The code
  // holder's base is where the block will be placed, so a rel32 to an absolute target is known
  // as soon as the instruction is written.
  void put(const uint8_t* bytes, size_t n) { a_.embed(bytes, n); }
  // Hot and cold code (code_buffer.h): the block's straight-line code goes to the text section,
  // placed at the hot cursor (the code holder's base); what runs only now and then to a second
  // section placed at the cold cursor (place_split_code). Labels and jumps work across them.
  void to_cold() {
    a_.section(cold_);
    cold_now_ = true;
  }
  void to_hot() {
    a_.section(code_.textSection());
    cold_now_ = false;
  }
  uint64_t here() const { return (cold_now_ ? cold_base_ : code_.baseAddress()) + a_.offset(); }
  uint64_t address_of(Label l) const {  // (a bound label)
    return (code_.labelEntry(l)->section() == cold_ ? cold_base_ : code_.baseAddress()) + code_.labelOffset(l);
  }
  void put_rel32(uint8_t opcode, uint64_t target) {  // E9 jmp / E8 call
    const int64_t rel = int64_t(target) - int64_t(here() + 5);
    if (rel != int64_t(int32_t(rel))) {
      encode_failed_ = true;
      return;
    }
    uint8_t b[5] = {opcode};
    const int32_t r = int32_t(rel);
    std::memcpy(b + 1, &r, 4);
    put(b, 5);
  }
  void put_jmp_bound(Label l) {  // jmp to a label bound earlier (else AsmJit's)
    if (!code_.isLabelBound(l)) return void(a_.long_().jmp(l));
    put_rel32(0xE9, address_of(l));
  }
  void put_lea_r13(int32_t d) {  // lea r13, [r13 + d] (the host flags stay)
    uint8_t b[7] = {0x4D, 0x8D, 0x6D, uint8_t(d)};
    if (d >= -128 && d <= 127) return put(b, 4);
    b[2] = 0xAD;
    std::memcpy(b + 3, &d, 4);
    put(b, 7);
  }
  // The budget: r13 -= the block's length, then a load from [r13] that faults into the block's
  // budget exit if that left it negative (budget_area.h). The host flags stay.
  void put_budget_check(int32_t minus_n) {
    put_lea_r13(minus_n);
    put_budget_load();
  }
  void put_budget_load() {
    static const uint8_t load[5] = {0x45, 0x0F, 0xB6, 0x4D, 0x00};  // movzx r9d, byte [r13 + 0]
    put(load, 5);
  }
  // Jumps to `fail` unless the exec TLB (this code's privilege) maps linear page `lin_page` to
  // physical page `phys_page`. Clobbers the host flags, r9, r11.
  void put_exec_tlb_check(uint32_t lin_page, uint32_t phys_page, Label fail) {
    const uint8_t* e = rt_.exec_tlb[user_code()] + ((lin_page >> 12) & (GuestMmu::kTlbSize - 1)) * GuestMmu::kTlbEntryBytes;
    a_.mov(x::r11, imm(uint64_t(e)));
    a_.cmp(x::dword_ptr(x::r11, int32_t(GuestMmu::kTlbTagOffset)), int32_t(lin_page));
    a_.jne(fail);
    a_.mov(x::r9d, x::dword_ptr(x::r11, int32_t(GuestMmu::kTlbPhysOffset)));
    a_.and_(x::r9d, int32_t(~0xFFFu));  // (the global bit)
    a_.cmp(x::r9d, int32_t(phys_page));
    a_.jne(fail);
  }
  void put_mov_r10_imm64(uint64_t v) {  // mov r10, imm64
    uint8_t b[10] = {0x49, 0xBA};
    std::memcpy(b + 2, &v, 8);
    put(b, 10);
  }
  bool user_code() const { return ((b_.key.mode >> block_mode::CPL_SHIFT) & 3) == 3; }  // CPL 3
  // mov r9d, [r15 + kCodeEpochOffset + 4 * user]; cmp r9d, [r11 + 4]: the code epoch of this
  // block's privilege against the one an inline cache or return slot at r11 was filled in.
  void put_epoch_compare() {
    uint8_t b[11] = {0x45, 0x8B, 0x8F};
    const uint32_t disp = uint32_t(kCodeEpochOffset + 4 * user_code());
    std::memcpy(b + 3, &disp, 4);
    b[7] = 0x45, b[8] = 0x3B, b[9] = 0x4B, b[10] = 0x04;
    put(b, 11);
  }
  // r9 = the return-address-stack index of the guest stack word at ESP + adjust, scaled for
  // [r11 + r9 * 2] ((ESP + adjust) & 0xFFFC), r11 = the table (jit_abi.h). Clobbers the host flags.
  void put_ras_index(int32_t adjust) {
    uint8_t b[18] = {0x45, 0x8D, 0x8C, 0x24};  // lea r9d, [r12 + adjust]
    std::memcpy(b + 4, &adjust, 4);
    static const uint8_t mask[7] = {0x41, 0x81, 0xE1, 0xFC, 0xFF, 0x00, 0x00};  // and r9d, 0xFFFC
    std::memcpy(b + 8, mask, 7);
    put(b, 15);
    put_mov_r11_imm64(uint64_t(rt_.ras));
  }
  void put_mov_r11_imm64(uint64_t v) {  // mov r11, imm64
    uint8_t b[10] = {0x49, 0xBB};
    std::memcpy(b + 2, &v, 8);
    put(b, 10);
  }
  void put_mov_eip(uint32_t v) {  // mov dword [r15 + kEipOffset], imm32 (8 bytes: room for a jmp rel32)
    static_assert(kEipOffset < 128, "disp8 form");
    uint8_t b[8] = {0x41, 0xC7, 0x47, uint8_t(kEipOffset)};
    std::memcpy(b + 4, &v, 4);
    put(b, 8);
  }
  void bind_resume(Label l) {  // binds a slow path's resume label, noting the flag state there
    a_.bind(l);
    for (SlowPath& sp : slow_)
      if (sp.resume == l) sp.resume_spilled = spilled_;
  }
  void spill_flags();
  void restore_all_flags();
  void host_flags_needed();
  void flags_for_native(unsigned k);

  void decode_all();
  // Where a block's body wants the guest flags at its start (see run()). Unsettled: dead too, but
  // flat accesses that may fault come before the instruction that writes them all, so until then
  // r9d says where they are (1: parked by entry_spilled, 0: in the host); such an access's slow
  // path takes them in the host, and the SIGSEGV handler, seeing r9d = 1, first loads the parked
  // ones into the context's flags.
  enum class EntryFlags { Dead, Unsettled, Parked, InHost };
  EntryFlags entry_flags(unsigned* settled_at = nullptr);
  bool pre_encoded(unsigned k);
  void choose_rule(Decoded& d, const Insn& insn);
  CalloutSite* site(unsigned k, CalloutKind kind, bool ends_block);
  const CalloutSite* memory_site(unsigned k, bool ends_block, uint8_t first);
  void emit_callout(unsigned k, CalloutKind kind);
  void emit_lea(ZydisRegister dst, const ZydisDecodedOperand& mem);
  // defer_access: the caller binds the access label itself (bind_access) right before the access.
  // first: the access is the instruction's first and flat (CalloutSite::first_access).
  void emit_probe(unsigned k, unsigned size, bool write, uint8_t seg = SEG_NONE, bool defer_access = false,
                  uint8_t first = 0);
  void bind_access() { a_.bind(slow_.back().access); }
  bool encode_for_host(unsigned k, uint8_t* out, size_t* len);
  bool encode_memory_form(unsigned k, uint8_t* out, size_t* len);
  // (opcode >= 0: that one-byte opcode instead of the guest's; reg >= 0: that host register in
  // ModRM.reg instead of the guest's operand there)
  bool encode_gs_form(unsigned k, uint8_t* out, size_t* len, int opcode = -1, int reg = -1);
  bool emit_xchg_memory(unsigned k);
  bool emit_ident(unsigned k);
  bool verbatim_ok(unsigned k) const;
  bool copy_verbatim(unsigned k);
  void emit_x87(unsigned k);
  void emit_string(unsigned k);
  void record_x87_pointers(unsigned k);
  void emit_push_value(unsigned k, const x::Gp* reg, uint32_t imm, bool lazy = false);
  void emit_exit(uint32_t target, unsigned slot);
  void emit_div(unsigned k);
  void emit_lookup_jump(int32_t ret_pop = -1);
  void emit_ras_push(uint32_t return_eip);
  void emit_inlined_thunk(uint32_t return_eip);
  void emit_insn(unsigned k);
  void embed(ZydisEncoderRequest& req);

  const Block& b_;
  const RawDecode* raw_;
  const uint8_t* bytes_;               // the block's guest bytes (one page)
  CodeBuffer& buf_;
  const RuntimeRoutines& rt_;
  const EntryOrder order_;
  AsmState& st_ = asm_state();
  CodeHolder& code_ = st_.code;
  AsmState::Errors& errors_ = st_.errors;
  x::Assembler& a_ = st_.a;
  Section* cold_ = nullptr;  // (to_cold)
  uint64_t cold_base_ = 0;
  bool cold_now_ = false;
  std::vector<Decoded>& d_ = scratch<Decoded>();
  std::shared_ptr<TranslatedCode> tc_ = std::make_shared<TranslatedCode>();
  std::vector<SlowPath>& slow_ = scratch<SlowPath>();
  // Native x87 instructions: where the out-of-line state load goes back to (emit_x87).
  struct X87Entry {
    Label load, native, done;
    const CalloutSite* site;
    bool done_spilled = true;  // the flag state at `done`
  };
  std::vector<X87Entry>& x87_ = scratch<X87Entry>();
  struct BudgetSite {
    Label check, resume;
  };
  std::vector<BudgetSite>& budget_sites_ = scratch<BudgetSite>();  // budget checks inside the body
  Label stub_label_[2];
  Label jcc_end_;  // right after a Jcc whose taken arm is slot 0's exit (its rel32 ends here)
  bool stub_used_[2] = {false, false};
  bool stub_spilled_[2] = {false, false};
  bool encode_failed_ = false;
  bool data_full_ = false;  // no room for an inline cache: flush, as for a full code buffer
  bool spilled_ = false;  // the guest flags are in the spill slot, the host flags are garbage
  // Lazy ESP: over a run of PUSH/POP (and the RET ending it) the guest ESP is r12d + esp_bias_;
  // each access uses gs:[r12d + bias + ...] and r12d is brought up to date once, before any
  // other instruction (flush_esp). Their slow paths bring it up to date first and re-bias after.
  int32_t esp_bias_ = 0;
  void flush_esp() {
    if (esp_bias_) a_.lea(x::r12d, x::ptr(x::r12, esp_bias_));
    esp_bias_ = 0;
  }
  bool lazy_stack_op(unsigned k) const;
  int unsettled_until_ = -1;  // Unsettled body: instructions up to this one may find the flags
                              // in either place (r9d says which)
  x::Gp base_ = x::r11;   // base register of the access a probe prepared ([base_ + r10])
};

// A fixed instruction sequence (no labels, nothing position-dependent) assembled once and copied
// into blocks as bytes: the flag spill and reload come at every block entry and many exits, and
// AsmJit's encoding per instruction is a good part of translation time.
struct FixedCode {
  uint8_t bytes[32];
  size_t size;
  template <class Gen>
  explicit FixedCode(Gen gen) {
    CodeHolder code;
    code.init(Environment::host());
    x::Assembler a(&code);
    gen(a);
    const auto& buf = code.textSection()->buffer();
    if (buf.size() > sizeof(bytes)) throw std::logic_error("FixedCode: sequence too long");
    size = buf.size();
    std::memcpy(bytes, buf.data(), size);
  }
  void emit(x::Assembler& a) const { a.embed(bytes, size); }
};

// Before host code clobbers the host flags: the guest's go to the spill slot (once per value).
void Emitter::spill_flags() {
  if (spilled_) return;
  static const FixedCode spill([](x::Assembler& a) { save_flags_lahf(a, x::r11, kFlagsSpillOffset); });
  spill.emit(a_);
  spilled_ = true;
}

// All guest flags from the spill slot into the host (a path leaving a clobber: slow path, budget
// exit; or host_flags_needed).
void Emitter::restore_all_flags() {
  static const FixedCode reload([](x::Assembler& a) { restore_flags_lahf(a, x::r9, kFlagsSpillOffset); });
  reload.emit(a_);
}

// The next host code needs every guest flag in the host (a callout, an exit, a branch).
void Emitter::host_flags_needed() {
  if (!spilled_) return;
  restore_all_flags();
  spilled_ = false;
}

// Before native instruction k runs with the flags spilled: the host flags must hold every flag it
// reads or does not overwrite. Nothing to do if it writes all six; only CF (INC, DEC, ADC after a
// full writer...) comes back with one BT from the slot; anything else with POPFQ. Afterwards the
// host flags are the guest's again.
void Emitter::flags_for_native(unsigned k) {
  const Decoded& d = d_[k];
  if (!spilled_ || !d.zi->cpu_flags) return;
  const ZydisAccessedFlags& f = *d.zi->cpu_flags;
  const uint32_t touched = (f.tested | f.modified | f.set_0 | f.set_1 | f.undefined) & kArith;
  if (!touched) return;  // stays spilled
  const uint32_t need = ((f.tested & kArith) | (kArith & ~written_flags(*d.zi, d.ops))) & kArith;
  if (need == 0) {
    spilled_ = false;
  } else if (need == ZYDIS_CPUFLAG_CF) {
    a_.bt(x::word_ptr(kState, int32_t(kFlagsSpillOffset)), 8);  // (CF: bit 0 of the LAHF byte)
    spilled_ = false;
  } else {
    host_flags_needed();
  }
}

void Emitter::decode_all() {
  d_.resize(b_.insns.size());
  uint32_t eip = b_.key.eip;
  for (size_t k = 0; k < b_.insns.size(); ++k) {
    Decoded& d = d_[k];
    d.zi = &raw_[k].zi;
    d.ops = raw_[k].ops;
    d.eip = eip;
    eip += b_.insns[k].len;
    choose_rule(d, b_.insns[k]);
  }
}

// Where the block's body wants the guest flags it is entered with (see Emitter::run):
// - Dead: an instruction writes all six before any instruction reads one, and nothing before it
//   could show them (register arithmetic, moves and LEA only: no memory access, fault, callout or
//   exit). Neither entry needs to move them.
// - Parked: the body parks them itself before it needs them in the host (the return-address
//   push of a CALL, the inline-cache compare of a RET or indirect branch, a callout, ...), so it
//   may as well start with them parked: callers that parked them already (lookups, CALLs) enter
//   with nothing to do, and the others park them at entry instead of later.
// - InHost: anything else (a flag reader first, a partial writer, a branch on them, ...).
// Encodes instruction k once for entry_flags() and the emitter: the GS form over the views for a
// flat memory operand, encode_for_host for register code. True if it could be encoded.
bool Emitter::pre_encoded(unsigned k) {
  Decoded& d = d_[k];
  if (d.pre_len < 0) {
    size_t len = 0;
    const bool ok = d.mem >= 0 ? rt_.views && d.seg == SEG_NONE && encode_gs_form(k, d.pre, &len)
                               : encode_for_host(k, d.pre, &len);
    d.pre_len = int8_t(ok ? len : 0);
  }
  return d.pre_len > 0;
}

Emitter::EntryFlags Emitter::entry_flags(unsigned* settled_at) {
  bool may_show = false;  // something so far may show the flags (a memory access may fault)
  bool unsettled_ok = rt_.views;  // ... and only flat accesses that leave r9 alone (Unsettled)
  for (unsigned k = 0; k < d_.size(); ++k) {
    const Decoded& d = d_[k];
    switch (d.rule) {
      case Rule::Ident:
        // (Register code that is not copied as it is goes through the encoder, and if that
        // fails, a callout, which shows the flags: not dead then. ESP-naming instructions
        // like `add esp, 0x1c` encode.)
        if (d.mem < 0 && !verbatim_ok(k) && !pre_encoded(k)) may_show = true, unsettled_ok = false;
        if (d.mem >= 0 && (d.seg != SEG_NONE || !pre_encoded(k))) unsettled_ok = false;
        break;
      case Rule::Push:
        if (d.mem >= 0) unsettled_ok = false;
        break;
      case Rule::Pop:
        if (d.ops[0].reg.value == ZYDIS_REGISTER_ESP) unsettled_ok = false;
        break;
      case Rule::Leave:  // (its view form uses r9)
        unsettled_ok = false;
        break;
      case Rule::Lea: case Rule::Nop:
        break;
      case Rule::PushState:
        if (d.zi->mnemonic == ZYDIS_MNEMONIC_PUSHFD) return EntryFlags::Parked;
        unsettled_ok = false;
        break;
      case Rule::Call: case Rule::CallIndirect: case Rule::JmpIndirect: case Rule::Ret: case Rule::DirFlag:
      case Rule::Callout: case Rule::X87: case Rule::X87Control: case Rule::String:
        return EntryFlags::Parked;
      default:  // branches on the flags or ECX, direct jumps (their exit keeps the state), DIV
        return EntryFlags::InHost;
    }
    const bool accesses = (d.mem >= 0 && d.rule != Rule::Lea && d.rule != Rule::Nop) || d.rule == Rule::Push ||
                          d.rule == Rule::Pop || d.rule == Rule::Leave || d.rule == Rule::PushState;
    if (accesses && !rt_.views) return EntryFlags::Parked;  // (the TLB probe parks them)
    may_show |= accesses;
    if (!d.zi->cpu_flags) continue;
    const ZydisAccessedFlags& f = *d.zi->cpu_flags;
    if (f.tested & kArith) return EntryFlags::InHost;
    if (written_flags(*d.zi, d.ops) == kArith) {
      if (settled_at) *settled_at = k;
      return !may_show ? EntryFlags::Dead : unsettled_ok ? EntryFlags::Unsettled : EntryFlags::InHost;
    }
    if ((f.modified | f.set_0 | f.set_1 | f.undefined) & kArith) return EntryFlags::InHost;  // some kept
  }
  return EntryFlags::InHost;
}

// The rule for this instance: the mnemonic's rule if its operands allow it, else a callout.
void Emitter::choose_rule(Decoded& d, const Insn& insn) {
  const ZydisDecodedInstruction& zi = *d.zi;
  Rule r = rule_of(zi.mnemonic);
  d.why = CalloutKind::Unsupported;
  if (insn.term == Terminal::Callout || insn.term == Terminal::InterruptCheck) {
    d.rule = Rule::Callout;
    d.why = CalloutKind::Sensitive;
    return;
  }
  if (rt_.adapted && !rt_.adapted->empty() && rt_.adapted->count(d.eip)) {
    d.rule = Rule::Callout;
    d.why = CalloutKind::Adapted;
    return;
  }
  bool mem_ok = true, gprs_only = true, high_byte = false, bt_reg = false;
  for (unsigned i = 0; i < zi.operand_count_visible; ++i) {
    const ZydisDecodedOperand& op = d.ops[i];
    if (op.type == ZYDIS_OPERAND_TYPE_MEMORY) {
      d.mem = int(i);
      if (!inline_memory(op, &d.seg)) mem_ok = false;
    } else if (op.type == ZYDIS_OPERAND_TYPE_REGISTER) {
      if (!is_gpr(op.reg.value)) gprs_only = false;
      else if (ZydisRegisterGetClass(op.reg.value) == ZYDIS_REGCLASS_GPR8 && ZydisRegisterGetId(op.reg.value) >= 4)
        high_byte = true;
    } else if (op.type == ZYDIS_OPERAND_TYPE_POINTER) {
      gprs_only = false;
    }
  }
  switch (zi.mnemonic) {
    case ZYDIS_MNEMONIC_BT: case ZYDIS_MNEMONIC_BTS: case ZYDIS_MNEMONIC_BTR: case ZYDIS_MNEMONIC_BTC:
      // A register bit offset reaches beyond the memory operand: the interpreter does it.
      bt_reg = d.mem == 0 && d.ops[1].type == ZYDIS_OPERAND_TYPE_REGISTER;
      break;
    default: break;
  }
  if (r == Rule::String) {
    // The one-byte forms A4-A7/AA-AF (not SSE2's MOVSD/CMPSD), 32-bit addressing, the source
    // through a flat data segment, no LOCK; only over linear views (emit_string).
    const bool ok = zi.opcode_map == ZYDIS_OPCODE_MAP_DEFAULT && zi.opcode >= 0xA4 && zi.opcode <= 0xAF &&
                    zi.opcode != 0xA8 && zi.opcode != 0xA9 && zi.address_width == 32 &&
                    (insn.seg == ES || insn.seg == SS || insn.seg == DS) && !(zi.attributes & ZYDIS_ATTRIB_HAS_LOCK);
    d.rule = ok ? r : Rule::Callout;
    return;
  }
  if (r == Rule::X87 || r == Rule::X87Control) {
    // ST(i) registers, AX (FNSTSW AX) and one memory operand through a flat segment.
    bool ok = zi.address_width == 32 && d.seg == SEG_NONE;
    for (unsigned i = 0; i < zi.operand_count_visible; ++i) {
      const ZydisDecodedOperand& op = d.ops[i];
      if (op.type == ZYDIS_OPERAND_TYPE_REGISTER && ZydisRegisterGetClass(op.reg.value) != ZYDIS_REGCLASS_X87 &&
          op.reg.value != ZYDIS_REGISTER_AX)
        ok = false;
      if (op.type != ZYDIS_OPERAND_TYPE_REGISTER && op.type != ZYDIS_OPERAND_TYPE_MEMORY) ok = false;
    }
    if (!ok || !mem_ok) d.why = d.seg != SEG_NONE ? CalloutKind::Segment : CalloutKind::Unsupported;
    d.rule = ok && mem_ok ? r : Rule::Callout;
    return;
  }
  if (zi.mnemonic == ZYDIS_MNEMONIC_PUSH && zi.operand_width == 32 && zi.operand_count_visible == 1 &&
      d.ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER && ZydisRegisterGetClass(d.ops[0].reg.value) == ZYDIS_REGCLASS_SEGMENT)
    r = Rule::PushState;
  if (r == Rule::PushState) {  // (PUSHFD: IOPL-sensitive only in V86 mode, which is not translated)
    d.rule = zi.operand_width == 32 ? r : Rule::Callout;
    return;
  }
  // AH..BH next to a memory operand: the probe's [base + r10] needs a REX prefix, which would
  // make them SPL..DIL; the GS form needs one only for ESP (encode_gs_form says, and emit_ident
  // calls out when it cannot).
  if (!gprs_only || bt_reg || zi.address_width != 32 || (d.mem >= 0 && high_byte && !rt_.views)) r = Rule::Callout;
  if (d.mem >= 0 && !mem_ok && r != Rule::Callout) {
    r = Rule::Callout;
    d.why = CalloutKind::Segment;
  }
  switch (r) {
    case Rule::Push:
      if (zi.operand_width != 32 || (d.ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER &&
                                                       ZydisRegisterGetClass(d.ops[0].reg.value) != ZYDIS_REGCLASS_GPR32))
        r = Rule::Callout;
      break;
    case Rule::Pop:
      if (zi.operand_width != 32 || d.ops[0].type != ZYDIS_OPERAND_TYPE_REGISTER ||
          ZydisRegisterGetClass(d.ops[0].reg.value) != ZYDIS_REGCLASS_GPR32)
        r = Rule::Callout;
      break;
    case Rule::Lea:  // (an absolute [disp32] is a MOV of the constant: 32-bit destinations only)
      if (d.ops[1].mem.base == ZYDIS_REGISTER_NONE && d.ops[1].mem.index == ZYDIS_REGISTER_NONE &&
          ZydisRegisterGetClass(d.ops[0].reg.value) != ZYDIS_REGCLASS_GPR32)
        r = Rule::Callout;
      break;
    case Rule::DirFlag:
      if (zi.mnemonic == ZYDIS_MNEMONIC_CLI) {  // (#GP unless CPL <= IOPL: then the interpreter's)
        using namespace block_mode;
        const uint32_t m = b_.key.mode;
        const unsigned cpl = (m >> CPL_SHIFT) & 3, iopl = (m >> IOPL_SHIFT) & 3;
        if (!(m & PE) || (m & VM86) || cpl > iopl) r = Rule::Callout;
      }
      break;
    case Rule::Div:
      if (zi.operand_width != 32) r = Rule::Callout;
      break;
    case Rule::Leave: case Rule::Jcc: case Rule::Loop: case Rule::Jecxz:
      if (zi.operand_width != 32) r = Rule::Callout;
      break;
    case Rule::Jmp: case Rule::Call:
      if (zi.operand_width != 32) r = Rule::Callout;
      else if (insn.term == Terminal::Indirect) r = r == Rule::Jmp ? Rule::JmpIndirect : Rule::CallIndirect;
      else if (insn.term != Terminal::Jump) r = Rule::Callout;
      break;
    case Rule::Ret:
      if (zi.operand_width != 32 || insn.term != Terminal::Return) r = Rule::Callout;
      break;
    default:
      break;
  }
  d.rule = r;
}

const CalloutSite* Emitter::memory_site(unsigned k, bool ends_block, uint8_t first) {
  CalloutSite* cs = site(k, CalloutKind::MemorySlowPath, ends_block);
  cs->first_access = first;
  return cs;
}

CalloutSite* Emitter::site(unsigned k, CalloutKind kind, bool ends_block) {
  CalloutSite s;
  s.insn = &b_.insns[k];
  s.eip = d_[k].eip;
  s.left = uint16_t(d_.size() - k);
  s.ends_block = ends_block;
  s.kind = kind;
  // In the code buffer's data area: the code holds its address, it stays until the buffer is
  // flushed (as the code does), and a block takes only the sites it has.
  void* at = buf_.alloc_data(sizeof(CalloutSite));
  if (!at) {
    data_full_ = true;
    static CalloutSite unused;
    return &unused;  // (the translation is dropped: the buffer is flushed and it starts again)
  }
  return new (at) CalloutSite(s);
}

// POPF and STI end their blocks (they may enable interrupts or change the mode), but most times
// no interrupt is waiting and the mode stays: their callout may then return "go on" and the block
// continues at the next instruction through an ordinary exit (Translator::callout decides).
void Emitter::emit_callout(unsigned k, CalloutKind kind) {
  const bool ends = b_.insns[k].term != Terminal::None;
  const ZydisMnemonic m = d_[k].zi->mnemonic;
  const bool go_on = ends && b_.insns[k].term == Terminal::InterruptCheck && k + 1 == d_.size() &&
                     (m == ZYDIS_MNEMONIC_POPFD || m == ZYDIS_MNEMONIC_POPF || m == ZYDIS_MNEMONIC_STI);
  CalloutSite* s = site(k, kind, ends);
  s->may_go_on = go_on;
  s->mode = b_.key.mode;
  a_.mov(x::r10, imm(uint64_t(s)));
  put_rel32(0xE8, uint64_t(spilled_ ? rt_.callout_spilled : rt_.callout));
  spilled_ = true;    // the thunk returns with the guest flags parked in the spill slot
  if (go_on) emit_exit(b_.targets[0], 0);  // (targets[0]: the next instruction)
  else if (ends) a_.ud2();  // the callout always leaves after a block-ending instruction
}

void Emitter::embed(ZydisEncoderRequest& req) {
  uint8_t out[ZYDIS_MAX_INSTRUCTION_LENGTH];
  ZyanUSize len = sizeof out;
  if (!ZYAN_SUCCESS(ZydisEncoderEncodeInstruction(&req, out, &len))) {
    encode_failed_ = true;
    return;
  }
  a_.embed(out, len);
}

// lea dst32, [mapped base + mapped index * scale + disp] (64-bit address arithmetic truncated to
// 32 bits: the guest's wrap-around).
void Emitter::emit_lea(ZydisRegister dst, const ZydisDecodedOperand& m) {
  ZydisEncoderRequest req;
  std::memset(&req, 0, sizeof req);
  req.machine_mode = ZYDIS_MACHINE_MODE_LONG_64;
  req.mnemonic = ZYDIS_MNEMONIC_LEA;
  req.operand_count = 2;
  req.operands[0].type = ZYDIS_OPERAND_TYPE_REGISTER;
  req.operands[0].reg.value = dst;
  req.operands[1].type = ZYDIS_OPERAND_TYPE_MEMORY;
  req.operands[1].mem.base = host_address_register(m.mem.base);
  req.operands[1].mem.index = host_address_register(m.mem.index);
  req.operands[1].mem.scale = m.mem.index == ZYDIS_REGISTER_NONE ? 0 : m.mem.scale;
  req.operands[1].mem.displacement = m.mem.disp.has_displacement ? int32_t(m.mem.disp.value) : 0;
  req.operands[1].mem.size = 8;  // LEA's memory operand is sized as the (64-bit) address
  if (req.operands[1].mem.base == ZYDIS_REGISTER_NONE && req.operands[1].mem.index == ZYDIS_REGISTER_NONE) {
    a_.mov(x::r10d, uint32_t(req.operands[1].mem.displacement));
    if (dst != ZYDIS_REGISTER_R10D) encode_failed_ = true;
    return;
  }
  const ZydisRegister b = req.operands[1].mem.base, i = req.operands[1].mem.index;
  if (ZydisRegisterGetClass(dst) == ZYDIS_REGCLASS_GPR32 && i != ZYDIS_REGISTER_RSP) {
    uint8_t out[16];
    const size_t n = encode_lea32(out, ZydisRegisterGetId(dst), b == ZYDIS_REGISTER_NONE ? -1 : ZydisRegisterGetId(b),
                                  i == ZYDIS_REGISTER_NONE ? -1 : ZydisRegisterGetId(i), req.operands[1].mem.scale,
                                  int32_t(req.operands[1].mem.displacement));
    put(out, n);
    return;
  }
  embed(req);
}

// r10d = linear address -> r11 = host addend (fast path), or the callout slow path for
// instruction k. The guest flags are spilled first (see the top of the file).
void Emitter::emit_probe(unsigned k, unsigned size, bool write, uint8_t seg, bool defer_access, uint8_t first) {
  const bool user = user_code();
  const bool ends = b_.insns[k].term != Terminal::None;
  if (rt_.views) {
    // Linear views: no probe. FS/GS add their base and use the view their check allows; the
    // access itself is the fault site the SIGSEGV handler maps to this slow path.
    SlowPath sp{a_.newLabel(), a_.newLabel(), nullptr};
    if (seg != SEG_NONE) {
      a_.mov(x::r11, imm(uint64_t(&rt_.seg_view[user][seg][write])));
      a_.mov(x::r11, x::qword_ptr(x::r11));
      a_.mov(x::r9, imm(uint64_t(&rt_.seg_base[seg])));
      a_.mov(x::r9d, x::dword_ptr(x::r9));
      a_.lea(x::r10d, x::ptr(x::r10, x::r9));
      base_ = x::r11;
    } else {
      base_ = kTlb;
    }
    // (The spill slot stays right up to the access, whatever flags_for_native does in between.)
    sp.access = a_.newLabel();
    if (!defer_access) a_.bind(sp.access);
    sp.spilled_at_access = spilled_;
    sp.unsettled = int(k) <= unsettled_until_;
    sp.site = memory_site(k, ends, seg == SEG_NONE ? first : 0);
    slow_.push_back(sp);
    return;
  }
  base_ = x::r11;
  const int32_t set = int32_t((unsigned(user) * GuestMmu::kTlbKinds + (write ? GuestMmu::kTlbWrite : GuestMmu::kTlbRead)) *
                              GuestMmu::kTlbSize * GuestMmu::kTlbEntryBytes);
  SlowPath sp{a_.newLabel(), a_.newLabel(), nullptr};
  spill_flags();
  if (seg != SEG_NONE) {  // FS/GS: offsets unchecked only while the segment is flat-limited
    a_.test(x::dword_ptr(kTlb, rt_.seg_ok_offset + 4 * seg), write ? 2 : 1);
    a_.jz(sp.at);
    a_.add(x::r10d, x::dword_ptr(kTlb, rt_.seg_base_offset + 4 * seg));
  }
  a_.mov(x::r11d, x::r10d);
  a_.shr(x::r11d, 8);
  a_.and_(x::r11d, (GuestMmu::kTlbSize - 1) * GuestMmu::kTlbEntryBytes);
  if (size > 1) a_.lea(x::r9d, x::ptr(x::r10, int32_t(size - 1)));
  else a_.mov(x::r9d, x::r10d);
  a_.and_(x::r9d, int32_t(0xFFFFF000u));
  a_.cmp(x::r9d, x::dword_ptr(kTlb, x::r11, 0, set + int32_t(GuestMmu::kTlbTagOffset)));
  a_.jne(sp.at);
  a_.mov(x::r11, x::qword_ptr(kTlb, x::r11, 0, set + int32_t(GuestMmu::kTlbAddendOffset)));
  sp.site = memory_site(k, ends, seg == SEG_NONE ? first : 0);
  slow_.push_back(sp);
}

// A legacy-encoded instruction with a memory operand in ModRM.rm and 32-bit addressing: the
// form whose bytes encode_memory_form and encode_gs_form keep.
static bool modrm_memory_form(const ZydisDecodedInstruction& zi) {
  return zi.encoding == ZYDIS_INSTRUCTION_ENCODING_LEGACY && (zi.attributes & ZYDIS_ATTRIB_HAS_MODRM) &&
         zi.raw.modrm.mod != 3 && zi.address_width == 32;
}

// The guest instruction's legacy prefixes but its segment overrides (meaningless in 64-bit mode;
// the access's segment was checked flat) and LOCK appended at out[*n]; false for an address-size
// prefix. LOCK goes because the guest has one processor and nothing else runs while translated
// code does (no host thread touches guest memory): a locked read-modify-write and the plain one
// are the same to everything that could look, and the bus lock costs ~20 cycles (glibc's stdio
// and malloc locks take and release one per call).
static bool copy_prefixes(const uint8_t* p, unsigned count, uint8_t* out, size_t* n) {
  for (unsigned i = 0; i < count; ++i) {
    switch (p[i]) {
      case 0x26: case 0x2E: case 0x36: case 0x3E: case 0x64: case 0x65: case 0xF0: continue;
      case 0x67: return false;
      default: out[(*n)++] = p[i];
    }
  }
  return true;
}

// Instruction k encoded for the host: registers remapped, the memory operand (if any) as
// [r14 + r10] (linear views, flat segment) or [r11 + r10] (after a probe / FS-GS base). False if
// it cannot be encoded.
bool Emitter::encode_for_host(unsigned k, uint8_t* out, size_t* len) {
  if (encode_memory_form(k, out, len)) return true;
  const Decoded& d = d_[k];
  ZydisEncoderRequest req;
  if (!ZYAN_SUCCESS(ZydisEncoderDecodedInstructionToEncoderRequest(d.zi, d.ops, d.zi->operand_count_visible, &req)))
    return false;
  req.machine_mode = ZYDIS_MACHINE_MODE_LONG_64;
  req.prefixes &= ~ZydisInstructionAttributes(ZYDIS_ATTRIB_HAS_SEGMENT | ZYDIS_ATTRIB_HAS_LOCK);  // (copy_prefixes)
  req.address_size_hint = ZYDIS_ADDRESS_SIZE_HINT_NONE;
  bool high_byte = false, rex = false;
  for (unsigned i = 0; i < req.operand_count; ++i) {
    ZydisEncoderOperand& op = req.operands[i];
    if (op.type == ZYDIS_OPERAND_TYPE_REGISTER) {
      op.reg.value = host_register(op.reg.value, &high_byte, &rex);
    } else if (op.type == ZYDIS_OPERAND_TYPE_MEMORY) {
      op.mem.base = rt_.views && d.seg == SEG_NONE ? ZYDIS_REGISTER_R14 : ZYDIS_REGISTER_R11;
      op.mem.index = ZYDIS_REGISTER_R10;
      op.mem.scale = 1;
      op.mem.displacement = 0;
      rex = true;
    }
  }
  if (high_byte && rex) return false;
  ZyanUSize n = ZYDIS_MAX_INSTRUCTION_LENGTH;
  if (!ZYAN_SUCCESS(ZydisEncoderEncodeInstruction(&req, out, &n))) return false;
  *len = n;
  return true;
}

// encode_for_host's common case without the encoder (which costs more than the rest of an
// instruction's translation): a legacy-encoded instruction with its memory operand in ModRM.rm
// keeps its bytes but for segment prefixes (dropped), a REX prefix before the opcode (X: r10 is
// the index, B: r14 or r11 the base, R: ESP in ModRM.reg is r12) and ModRM/SIB naming
// [base + r10] with no displacement; immediates follow as they were. False for anything else
// (16-bit addressing, AH..BH in ModRM.reg, which a REX prefix would turn into SPL..DIL, ...).
bool Emitter::encode_memory_form(unsigned k, uint8_t* out, size_t* len) {
  const Decoded& d = d_[k];
  const ZydisDecodedInstruction& zi = *d.zi;
  if (!modrm_memory_form(zi)) return false;
  uint8_t rex = 0x43;  // 0100 WRXB: X (r10 index) and B (base)
  for (unsigned i = 0; i < zi.operand_count_visible; ++i) {
    const ZydisDecodedOperand& o = d.ops[i];
    if (o.encoding != ZYDIS_OPERAND_ENCODING_MODRM_REG) continue;
    if (o.type != ZYDIS_OPERAND_TYPE_REGISTER) return false;
    switch (o.reg.value) {
      case ZYDIS_REGISTER_AH: case ZYDIS_REGISTER_CH: case ZYDIS_REGISTER_DH: case ZYDIS_REGISTER_BH: return false;
      case ZYDIS_REGISTER_ESP: case ZYDIS_REGISTER_SP: rex |= 0x04; break;
      default: break;
    }
  }
  const uint8_t* p = bytes_ + (d.eip - b_.key.eip);
  size_t n = 0;
  if (!copy_prefixes(p, zi.raw.prefix_count, out, &n)) return false;
  out[n++] = rex;
  for (unsigned i = zi.raw.prefix_count; i < zi.raw.modrm.offset; ++i) out[n++] = p[i];  // opcode
  const uint8_t base = rt_.views && d.seg == SEG_NONE ? 6 : 3;  // r14 / r11 (low bits)
  out[n++] = uint8_t((zi.raw.modrm.reg & 7) << 3 | 4);  // mod 00, rm 100: a SIB byte follows
  out[n++] = uint8_t(2 << 3 | base);                     // scale 1, index r10 (low bits 010)
  for (unsigned i = zi.raw.imm[0].size ? zi.raw.imm[0].offset : zi.length; i < zi.length; ++i) out[n++] = p[i];
  *len = n;
  return true;
}

// A flat access over the linear views in one host instruction: GS is based at the view
// (set before translated code runs, gs_base.h), so the guest's own ModRM/SIB/displacement under an address-size
// prefix compute the 32-bit linear address (wrapping as the guest's does) and the host adds the
// view: `65 67 [guest prefixes] [REX] opcode ModRM [SIB] [disp] [imm]`. REX only for ESP (r12) in
// ModRM.reg (R) or as the SIB base (B); an absolute [disp32] (ModRM 00/101, RIP-relative in
// 64-bit mode) becomes the SIB form with no base and no index. False where encode_memory_form's
// limits apply (not legacy, 16-bit addressing, AH..BH next to a REX prefix).
bool Emitter::encode_gs_form(unsigned k, uint8_t* out, size_t* len, int opcode, int reg) {
  const Decoded& d = d_[k];
  const ZydisDecodedInstruction& zi = *d.zi;
  if (!modrm_memory_form(zi)) return false;
  if (opcode >= 0 && zi.raw.modrm.offset - zi.raw.prefix_count != 1) return false;  // (one opcode byte)
  const bool sib = zi.raw.modrm.rm == 4;
  const bool absolute = zi.raw.modrm.mod == 0 && zi.raw.modrm.rm == 5;
  uint8_t rex = reg >= 8 ? 0x44 : 0;
  bool high_byte = false;
  for (unsigned i = 0; i < zi.operand_count_visible && reg < 0; ++i) {
    const ZydisDecodedOperand& o = d.ops[i];
    if (o.encoding != ZYDIS_OPERAND_ENCODING_MODRM_REG) continue;
    if (o.type != ZYDIS_OPERAND_TYPE_REGISTER) return false;
    switch (o.reg.value) {
      case ZYDIS_REGISTER_AH: case ZYDIS_REGISTER_CH: case ZYDIS_REGISTER_DH: case ZYDIS_REGISTER_BH: high_byte = true; break;
      case ZYDIS_REGISTER_ESP: case ZYDIS_REGISTER_SP: rex |= 0x44; break;
      default: break;
    }
  }
  if (sib && zi.raw.sib.base == 4) rex |= 0x41;  // [esp + ...] -> [r12d + ...]
  if (rex && high_byte) return false;
  const uint8_t* p = bytes_ + (d.eip - b_.key.eip);
  size_t n = 0;
  out[n++] = 0x65;
  out[n++] = 0x67;
  if (!copy_prefixes(p, zi.raw.prefix_count, out, &n)) return false;
  if (rex) out[n++] = rex;
  if (opcode >= 0) out[n++] = uint8_t(opcode);
  else for (unsigned i = zi.raw.prefix_count; i < zi.raw.modrm.offset; ++i) out[n++] = p[i];  // opcode
  const uint8_t reg_field = uint8_t(((reg >= 0 ? unsigned(reg) : zi.raw.modrm.reg) & 7) << 3);
  if (absolute) {
    out[n++] = uint8_t(reg_field | 4);  // mod 00, rm 100: SIB
    out[n++] = 0x25;                    // no index, no base: disp32
  } else {
    out[n++] = uint8_t((p[zi.raw.modrm.offset] & 0xC7) | reg_field);
    if (sib) out[n++] = p[zi.raw.modrm.offset + 1];
  }
  for (unsigned i = zi.raw.modrm.offset + 1 + (sib ? 1 : 0); i < zi.length; ++i) out[n++] = p[i];  // disp, imm
  if (n > ZYDIS_MAX_INSTRUCTION_LENGTH) return false;  // (the host's limit is 15 bytes too)
  *len = n;
  return true;
}

// Re-encodes instruction k for the host: registers remapped, the memory operand (if any) becomes
// [r11 + r10] after a probe. Returns false if it cannot be encoded (the caller calls out).
bool Emitter::emit_ident(unsigned k) {
  const Decoded& d = d_[k];
  if (d.mem < 0 && copy_verbatim(k)) return true;
  uint8_t out[ZYDIS_MAX_INSTRUCTION_LENGTH + 8];  // (encode_gs_form writes up to 19 bytes, then checks)
  size_t len = 0;
  if (d.mem >= 0 && rt_.views && d.seg == SEG_NONE && pre_encoded(k)) {
    len = size_t(d.pre_len);
    std::memcpy(out, d.pre, len);
    // One host instruction: `gs: addr32 op [guest address]`, GS based at the view (no LEA).
    const ZydisDecodedOperand& m = d.ops[d.mem];
    emit_probe(k, m.size / 8, (m.actions & ZYDIS_OPERAND_ACTION_MASK_WRITE) != 0, SEG_NONE, true,
               (m.actions & ZYDIS_OPERAND_ACTION_MASK_WRITE) ? kFirstWrite : kFirstRead);
    slow_.back().lea_insn = int(k);  // (the slow path computes r10d itself)
    flags_for_native(k);
    bind_access();
    a_.embed(out, len);
    bind_resume(slow_.back().resume);
    return true;
  }
  if (d.mem < 0 && d.pre_len >= 0) {  // (entry_flags() encoded it)
    if (d.pre_len == 0) return false;
    len = size_t(d.pre_len);
    std::memcpy(out, d.pre, len);
  } else if (!encode_for_host(k, out, &len)) {
    return false;
  }
  if (d.mem >= 0) {
    const ZydisDecodedOperand& m = d.ops[d.mem];
    emit_lea(ZYDIS_REGISTER_R10D, m);
    emit_probe(k, m.size / 8, (m.actions & ZYDIS_OPERAND_ACTION_MASK_WRITE) != 0, d.seg, rt_.views,
               (m.actions & ZYDIS_OPERAND_ACTION_MASK_WRITE) ? kFirstWrite : kFirstRead);  // (RMW: a write, as
                                                                                          // the #PF error code says)
  }
  flags_for_native(k);
  if (d.mem >= 0 && rt_.views) bind_access();
  a_.embed(out, len);
  // (The slow path joins here with the host flags loaded by the callout: consistent with either
  // state of the fast path, as the spill slot is still right where the instruction left flags.)
  if (d.mem >= 0) bind_resume(slow_.back().resume);
  return true;
}

// XCHG with a memory operand (86/87 /r, flat, over the views) without its implicit bus lock (see
// copy_prefixes): `mov r11, [m]; mov [m], reg; mov reg, r11`. Two accesses, so two fault sites,
// each with a slow path that runs the whole XCHG (the first changes only r11) and one resume
// point; both are writes to the #PF error code, as the locked access is. False where the
// register is ESP or AH..BH (emit_ident's one locked instruction then).
bool Emitter::emit_xchg_memory(unsigned k) {
  const Decoded& d = d_[k];
  const ZydisDecodedInstruction& zi = *d.zi;
  if (d.mem < 0 || !rt_.views || d.seg != SEG_NONE || zi.opcode_map != ZYDIS_OPCODE_MAP_DEFAULT ||
      (zi.opcode != 0x86 && zi.opcode != 0x87))
    return false;
  const ZydisDecodedOperand& r = d.ops[d.mem == 0 ? 1 : 0];
  const ZydisDecodedOperand& m = d.ops[d.mem];
  if (r.type != ZYDIS_OPERAND_TYPE_REGISTER || !is_gpr(r.reg.value)) return false;
  const unsigned id = ZydisRegisterGetId(r.reg.value);
  if (id >= 4 && (zi.opcode == 0x86 || r.reg.value == ZYDIS_REGISTER_ESP || r.reg.value == ZYDIS_REGISTER_SP))
    return false;
  uint8_t load[ZYDIS_MAX_INSTRUCTION_LENGTH + 8], store[ZYDIS_MAX_INSTRUCTION_LENGTH + 8];
  size_t load_len = 0, store_len = 0;
  const uint8_t wide = zi.opcode & 1;
  if (!encode_gs_form(k, load, &load_len, 0x8A | wide, 11) || !encode_gs_form(k, store, &store_len, 0x88 | wide))
    return false;
  const unsigned size = m.size / 8;
  emit_probe(k, size, true, SEG_NONE, true, kFirstWrite);
  slow_.back().lea_insn = int(k);
  const Label resume = slow_.back().resume;
  flags_for_native(k);
  bind_access();
  a_.embed(load, load_len);
  emit_probe(k, size, true, SEG_NONE, true, kFirstWrite);
  slow_.back().lea_insn = int(k);
  slow_.back().resume = resume;
  bind_access();
  a_.embed(store, store_len);
  uint8_t back[4];  // mov reg, r11 (89 /r: r11 in ModRM.reg, the register in rm)
  size_t n = 0;
  if (zi.operand_width == 16) back[n++] = 0x66;
  back[n++] = 0x44;
  back[n++] = uint8_t(0x88 | wide);
  back[n++] = uint8_t(0xC0 | 3 << 3 | id);
  put(back, n);
  bind_resume(resume);
  return true;
}

// A register-only instruction that does not name ESP means the same in 64-bit mode byte for byte
// (32-bit operand size by default, EAX..EDI and AL..BH without REX) except for the one-byte
// INC/DEC forms 40-4F (REX prefixes there) and the 82 alias of the 80 group (invalid there): it
// is copied as it is, which is also the fastest way to translate it. Prefixes other than the
// operand size and (meaningless here) segment overrides go through the encoder instead.
bool Emitter::verbatim_ok(unsigned k) const {
  const Decoded& d = d_[k];
  const uint8_t* p = bytes_ + (d.eip - b_.key.eip);
  const unsigned n_prefix = d.zi->raw.prefix_count;
  for (unsigned i = 0; i < n_prefix; ++i) {
    switch (p[i]) {
      case 0x66: case 0x26: case 0x2E: case 0x36: case 0x3E: case 0x64: case 0x65: break;
      default: return false;
    }
  }
  const uint8_t op = p[n_prefix];
  if ((op >= 0x40 && op <= 0x4F) || op == 0x82) return false;
  for (unsigned i = 0; i < d.zi->operand_count_visible; ++i) {
    const ZydisDecodedOperand& o = d.ops[i];
    if (o.type == ZYDIS_OPERAND_TYPE_MEMORY || o.type == ZYDIS_OPERAND_TYPE_POINTER) return false;
    if (o.type == ZYDIS_OPERAND_TYPE_REGISTER && (o.reg.value == ZYDIS_REGISTER_ESP || o.reg.value == ZYDIS_REGISTER_SP))
      return false;
  }
  return true;
}

bool Emitter::copy_verbatim(unsigned k) {
  if (!verbatim_ok(k)) return false;
  flags_for_native(k);
  a_.embed(bytes_ + (d_[k].eip - b_.key.eip), b_.insns[k].len);
  return true;
}

// x87 instruction k natively (Rule::X87, X87Control). The guest x87 state must be in the host FPU
// (CpuState::jit_x87_resident, cpu/fpu_host.h): if it is not, an out-of-line X87State callout
// loads it and comes back to the native instruction or, where it cannot be loaded (CR0.EM/TS, an
// unmasked exception), has the interpreter run the instruction and skips it. A memory operand is
// one host access like any other (its slow path: the interpreter runs the instruction after
// taking the state back). FLDCW checks the new control word first and calls out if it would
// unmask an exception. Numeric instructions then store FIP, FCS, FOP and, with a memory operand,
// FDP and FDS, as the interpreter's x87_record_* do; control instructions store none.
void Emitter::emit_x87(unsigned k) {
  const Decoded& d = d_[k];
  const bool fldcw = d.zi->mnemonic == ZYDIS_MNEMONIC_FLDCW;
  uint8_t out[ZYDIS_MAX_INSTRUCTION_LENGTH];
  size_t len = 0;
  if (d.mem >= 0 ? !encode_for_host(k, out, &len) : !verbatim_ok(k)) {
    emit_callout(k, CalloutKind::Unsupported);
    return;
  }
  spill_flags();  // (the residency check compares)
  X87Entry e{a_.newLabel(), a_.newLabel(), a_.newLabel(), site(k, CalloutKind::X87State, false)};
  a_.cmp(x::byte_ptr(kState, int32_t(kX87ResidentOffset)), 0);
  a_.je(e.load);
  a_.bind(e.native);
  if (d.mem >= 0) {
    const ZydisDecodedOperand& m = d.ops[d.mem];
    emit_lea(ZYDIS_REGISTER_R10D, m);
    emit_probe(k, m.size / 8, (m.actions & ZYDIS_OPERAND_ACTION_MASK_WRITE) != 0, SEG_NONE, rt_.views);
    slow_.back().resume = e.done;
    if (fldcw) {  // (the first access is this load)
      if (rt_.views) bind_access();
      a_.movzx(x::r9d, x::word_ptr(base_, x::r10));
      a_.and_(x::r9d, int32_t(fcw::MASKS));
      a_.cmp(x::r9d, int32_t(fcw::MASKS));
      SlowPath unmask{a_.newLabel(), e.done, site(k, CalloutKind::Unsupported, false)};
      a_.jne(unmask.at);
      slow_.push_back(unmask);
    }
  }
  flags_for_native(k);
  if (d.mem >= 0 && rt_.views && !fldcw) bind_access();
  if (d.mem >= 0) a_.embed(out, len);
  else a_.embed(bytes_ + (d.eip - b_.key.eip), b_.insns[k].len);
  if (d.rule == Rule::X87) record_x87_pointers(k);
  bind_resume(e.done);
  e.done_spilled = spilled_;
  x87_.push_back(e);
}

// String instruction k natively on the linear view: ESI/EDI become host pointers (r14 + offset),
// the host instruction runs with the guest's prefixes (REP, operand size; segment overrides mean
// nothing in 64-bit mode and only flat DS/ES/SS get here) and 64-bit addressing, and a 32-bit MOV
// turns the advanced pointers back into offsets (views are 4 GiB-aligned; a run past 4 GiB hits
// the view's guard and takes the slow path, which wraps). It calls out instead when DF is set or a
// REP count exceeds kRepChunk (the interpreter then chunks it exactly). A fault part-way (page not
// mapped yet: the handler maps it and the instruction resumes; MMIO, a code page, a guest fault:
// the slow path) leaves the registers describing the iterations done, as the hardware does, and
// the interpreter finishes the instruction from there. CMPS/SCAS get the guest flags in the host
// first (a zero count leaves them).
void Emitter::emit_string(unsigned k) {
  const Decoded& d = d_[k];
  if (!rt_.views) {
    emit_callout(k, CalloutKind::Unsupported);
    return;
  }
  const uint8_t op = d.zi->opcode & 0xFE;
  const bool reads_si = op == 0xA4 || op == 0xA6 || op == 0xAC;
  const bool sets_flags = op == 0xA6 || op == 0xAE;
  const bool rep = d.zi->attributes & (ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE | ZYDIS_ATTRIB_HAS_REPNE);
  spill_flags();
  SlowPath check{a_.newLabel(), a_.newLabel(), site(k, CalloutKind::Unsupported, false)};
  a_.test(x::dword_ptr(kState, int32_t(kEflagsOffset)), int32_t(fl::DF));
  a_.jnz(check.at);
  if (rep) {
    a_.cmp(x::ecx, int32_t(kRepChunk));
    a_.ja(check.at);
  }
  slow_.push_back(check);
  if (reads_si) a_.add(x::rsi, kTlb);
  if (op != 0xAC) a_.add(x::rdi, kTlb);  // (all but LODS address ES:EDI)
  if (sets_flags) host_flags_needed();
  SlowPath fault{a_.newLabel(), check.resume, site(k, CalloutKind::MemorySlowPath, false)};
  fault.access = a_.newLabel();
  fault.spilled_at_access = spilled_;
  fault.string_pointers = true;
  a_.bind(fault.access);
  a_.embed(bytes_ + (d.eip - b_.key.eip), b_.insns[k].len);
  if (reads_si) a_.mov(x::esi, x::esi);
  if (op != 0xAC) a_.mov(x::edi, x::edi);
  slow_.push_back(fault);
  bind_resume(check.resume);
}

// FIP/FCS/FOP (and FDP/FDS with a memory operand, whose offset is still in r10d) of instruction
// k, into CpuState::fpu. MOVs only: the host flags stay as they are.
void Emitter::record_x87_pointers(unsigned k) {
  const Decoded& d = d_[k];
  const Insn& in = b_.insns[k];
  auto fpu = [](size_t field) { return int32_t(kFpuOffset + field); };
  auto sel = [](unsigned seg) { return int32_t(kSegOffset + seg * sizeof(Segment) + offsetof(Segment, sel)); };
  a_.mov(x::dword_ptr(kState, fpu(offsetof(FpuState, fip))), d.eip);
  a_.mov(x::word_ptr(kState, fpu(offsetof(FpuState, fop))), x87_fop(in.opcode, in.modrm));
  a_.movzx(x::r9d, x::word_ptr(kState, sel(CS)));
  a_.mov(x::word_ptr(kState, fpu(offsetof(FpuState, fcs))), x::r9w);
  if (d.mem < 0) return;
  a_.mov(x::dword_ptr(kState, fpu(offsetof(FpuState, fdp))), x::r10d);
  a_.movzx(x::r9d, x::word_ptr(kState, sel(in.seg)));
  a_.mov(x::word_ptr(kState, fpu(offsetof(FpuState, fds))), x::r9w);
}

// push: [ESP - 4] = value (a guest register or an immediate), then ESP -= 4.
// Over the views: mov gs:[r12d + bias - 4], value, then either ESP lazily (bias -= 4) or
// lea r12d, [r12 + bias - 4].
void Emitter::emit_push_value(unsigned k, const x::Gp* reg, uint32_t value, bool lazy) {
  if (rt_.views) {
    emit_probe(k, 4, true, SEG_NONE, false, d_[k].mem < 0 ? kFirstWrite : 0);  // (PUSH m32: its read is first)
    note_stack_access(x::r12, -4);
    const int32_t at = esp_bias_ - 4;
    slow_.back().esp_before = esp_bias_;
    if (reg) a_.mov(gs_mem(x::r12d, at, 4), *reg);
    else a_.mov(gs_mem(x::r12d, at, 4), value);
    if (lazy) {
      esp_bias_ = at;
      slow_.back().esp_after = at;
    } else {
      a_.lea(x::r12d, x::ptr(x::r12, at));
      esp_bias_ = 0;
    }
    return;
  }
  a_.lea(x::r10d, x::ptr(x::r12, -4));
  emit_probe(k, 4, true, SEG_NONE, false, d_[k].mem < 0 ? kFirstWrite : 0);  // (PUSH m32: its read is first)
  if (reg) a_.mov(mem32(), *reg);
  else a_.mov(mem32(), value);
  a_.mov(x::r12d, x::r10d);
}

// Leaves for `target`: a chainable stub in `slot` if the target is on this block's page (links
// are made only there), else the inline lookup.
// An exit keeps the flag state it finds: a stub with the flags parked is linked to the target's
// entry_spilled (and leaves through exit_link_spilled while unlinked), a lookup goes through
// lookup (emit_lookup_jump); so block to block the flags are parked once and never reloaded in between.
void Emitter::emit_exit(uint32_t target, unsigned slot) {
  // Code after an exit is only reached by a branch around it (the other arm of a Jcc) and finds
  // the flag state from before the exit: whatever the exit's code parks stays with it.
  struct KeepFlagState {
    bool& s;
    const bool saved;
    ~KeepFlagState() { s = saved; }
  } keep{spilled_, spilled_};
  if (((target ^ b_.key.eip) & ~0xFFFu) == 0) {
    // The stub: a jmp rel32 in the hot code (linking points it at the target's entry) to the
    // cold part that asks the dispatcher to link it. A stub emitted in the cold code (a Jcc's
    // taken arm, which linking bypasses) is that cold part itself, its first five bytes the
    // ones linking rewrites.
    const bool was_cold = cold_now_;
    stub_label_[slot] = a_.newLabel();
    stub_used_[slot] = true;
    stub_spilled_[slot] = spilled_;
    const Label far_side = a_.newLabel();
    a_.bind(stub_label_[slot]);
    if (!was_cold) {
      a_.long_().jmp(far_side);
      to_cold();
    }
    a_.bind(far_side);
    put_mov_eip(target);  // (8 bytes: room for a jmp rel32)
    put_mov_r10_imm64(uint64_t(&b_));
    const uint8_t mov_r9d[6] = {0x41, 0xB9, uint8_t(slot), 0, 0, 0};  // mov r9d, slot
    put(mov_r9d, 6);
    put_rel32(0xE9, uint64_t(spilled_ ? rt_.exit_link_spilled : rt_.exit_link));
    if (!was_cold) to_hot();
  } else {
    a_.mov(x::r8d, target);
    emit_lookup_jump();
  }
}

// After a CALL's push (R12D = the guest ESP holding the return address): its return slot into
// the return-address stack (jit_abi.h), for the RET that comes back. The flags are parked first
// (the index computation clobbers them; the exit right after mostly parks them anyway).
void Emitter::emit_ras_push(uint32_t return_eip) {
  if (!rt_.ras) return;
  auto* slot = reinterpret_cast<jit::ReturnSlot*>(buf_.alloc_data(sizeof(jit::ReturnSlot)));
  if (!slot) {
    data_full_ = true;
    return;
  }
  *slot = jit::ReturnSlot{};
  slot->ic.eip = return_eip;
  slot->mode = b_.key.mode;
  spill_flags();
  put_ras_index(0);
  put_mov_r10_imm64(uint64_t(slot));
  static const uint8_t store[4] = {0x4F, 0x89, 0x14, 0x4B};  // mov [r11 + r9 * 2], r10
  put(store, 4);
}

// r8d = target EIP. The site's inline cache: the same target as last time, in the same code
// epoch (no TLB flush, INVLPG or dropped block since), goes straight to that block past its
// flag spill; otherwise the lookup routine (which fills the cache on a hit). A RET (ret_pop >= 0:
// the bytes it popped) first tries the return slot its stack word's return-address-stack entry
// points at (emit_ras_push): the same return address, mode and epoch go straight there; the same
// return address and mode in another epoch have the lookup routine fill that slot; another
// return address tries the inline cache (cold). Return slot first: 3-7 % faster on the CPU-bound
// workloads than inline cache first (ninth session), most RETs having more than one caller.
void Emitter::emit_lookup_jump(int32_t ret_pop) {
  auto* ic = reinterpret_cast<jit::InlineCache*>(buf_.alloc_data(sizeof(jit::InlineCache)));
  if (!ic) {
    data_full_ = true;
    return;
  }
  *ic = jit::InlineCache{};
  spill_flags();
  static_assert(offsetof(jit::InlineCache, eip) == 0 && offsetof(jit::InlineCache, epoch) == 4 &&
                offsetof(jit::InlineCache, code) == 8, "hand-encoded below");
  static const uint8_t cmp_eip[3] = {0x45, 0x3B, 0x03};     // cmp r8d, [r11]
  static const uint8_t jmp_code[4] = {0x41, 0xFF, 0x63, 0x08};  // jmp [r11 + 8]
  const Label general = a_.newLabel();
  const bool ras = ret_pop >= 0 && rt_.ras;
  Label fill;
  if (ras) {
    // A RET: its return slot first (most RETs have more than one caller, whose inline cache
    // would miss), then the inline cache (cold).
    const Label own_ic = a_.newLabel();
    fill = a_.newLabel();
    put_ras_index(-ret_pop);  // (the stack word the RET read)
    static const uint8_t load[4] = {0x4F, 0x8B, 0x1C, 0x4B};  // mov r11, [r11 + r9 * 2]
    put(load, 4);
    put(cmp_eip, 3);  // (the return address)
    a_.jne(own_ic);
    uint8_t mode[8] = {0x41, 0x81, 0x7B, uint8_t(offsetof(jit::ReturnSlot, mode))};  // cmp dword [r11 + 16], mode
    std::memcpy(mode + 4, &b_.key.mode, 4);
    put(mode, 8);
    a_.jne(own_ic);
    put_epoch_compare();
    a_.jne(fill);
    put(jmp_code, 4);
    to_cold();
    a_.bind(own_ic);
  }
  put_mov_r11_imm64(uint64_t(ic));
  put(cmp_eip, 3);
  a_.jne(general);
  put_epoch_compare();
  a_.jne(general);
  put(jmp_code, 4);
  to_cold();  // (the lookup routine: less often; r11 = the inline cache, or from `fill` the slot)
  a_.bind(general);
  if (ras) a_.bind(fill);
  {  // mov r9, mode << 32
    uint8_t b[10] = {0x49, 0xB9};
    const uint64_t tag = uint64_t(b_.key.mode) << 32;
    std::memcpy(b + 2, &tag, 8);
    put(b, 10);
  }
  const bool user = user_code();
  put_rel32(0xE9, uint64_t(rt_.lookup[user]));
  to_hot();
}

// After a CALL's push: the PC thunk it calls (Block::thunk_reg, noted by the translator), run
// inline. It would load the return address into its register and return there: two more
// instructions, which get a budget check of their own. Only while the exec TLB still maps the
// thunk's page to the frame it was read from (its bytes are the block's extra bytes, so writing
// them drops the block); else, or if the budget ends at the CALL, the CALL goes on as usual.
void Emitter::emit_inlined_thunk(uint32_t return_eip) {
  const Label call = a_.newLabel(), no_budget = a_.newLabel(), check = a_.newLabel();
  spill_flags();
  put_exec_tlb_check((b_.key.cs_base + b_.targets[0]) & ~0xFFFu, b_.extra_phys & ~0xFFFu, call);
  put_lea_r13(-2);
  a_.bind(check);
  put_budget_load();
  budget_sites_.push_back({check, no_budget});
  a_.mov(guest_reg32(b_.thunk_reg), return_eip);
  a_.lea(x::r12d, x::ptr(x::r12, 4));  // (its RET pops what the CALL pushed)
  emit_exit(return_eip, 1);
  a_.bind(no_budget);  // (from the SIGSEGV handler)
  put_lea_r13(2);
  a_.bind(call);
}

// The stack instructions that keep ESP lazily (esp_bias_): PUSH r32 (not ESP) / imm, POP r32 (not
// ESP) and RET, over the linear views.
bool Emitter::lazy_stack_op(unsigned k) const {
  if (!rt_.views) return false;
  const Decoded& d = d_[k];
  switch (d.rule) {
    case Rule::Push:
      return d.mem < 0 && !(d.ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER && d.ops[0].reg.value == ZYDIS_REGISTER_ESP);
    case Rule::Pop:
      return d.ops[0].reg.value != ZYDIS_REGISTER_ESP;
    case Rule::Ret:
      return true;
    default:
      return false;
  }
}

void Emitter::emit_insn(unsigned k) {
  Decoded& d = d_[k];
  const Insn& insn = b_.insns[k];
  const uint32_t next = d.eip + insn.len;
  switch (d.rule) {
    case Rule::Nop:
      return;
    case Rule::Ident:
      if (d.zi->mnemonic == ZYDIS_MNEMONIC_XCHG && emit_xchg_memory(k)) return;
      if (!emit_ident(k)) emit_callout(k, CalloutKind::Unsupported);
      return;
    case Rule::Lea: {
      if (d.ops[1].mem.base == ZYDIS_REGISTER_NONE && d.ops[1].mem.index == ZYDIS_REGISTER_NONE) {
        a_.mov(guest_reg32(ZydisRegisterGetId(d.ops[0].reg.value)), uint32_t(d.ops[1].mem.disp.value));
        return;
      }
      bool hb = false, rex = false;
      emit_lea(host_register(d.ops[0].reg.value, &hb, &rex), d.ops[1]);
      return;
    }
    case Rule::DirFlag:
      spill_flags();  // (the AND/OR below clobber the host flags)
      if (d.zi->mnemonic == ZYDIS_MNEMONIC_CLD) a_.and_(x::dword_ptr(kState, int32_t(kEflagsOffset)), int32_t(~fl::DF));
      else if (d.zi->mnemonic == ZYDIS_MNEMONIC_CLI) a_.and_(x::dword_ptr(kState, int32_t(kEflagsOffset)), int32_t(~fl::IF));
      else a_.or_(x::dword_ptr(kState, int32_t(kEflagsOffset)), int32_t(fl::DF));
      return;
    case Rule::Push:
      if (d.mem >= 0) {  // PUSH m32: load through one probe, store through another
        emit_lea(ZYDIS_REGISTER_R10D, d.ops[d.mem]);
        emit_probe(k, 4, false, d.seg);
        const Label after = a_.newLabel();
        slow_.back().resume = after;  // (a slow path runs the whole PUSH)
        a_.mov(x::r8d, mem32());
        emit_push_value(k, &x::r8d, 0);
        slow_.back().resume = after;
        bind_resume(after);
        return;
      }
      if (d.ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER) {
        const x::Gp r = guest_reg32(ZydisRegisterGetId(d.ops[0].reg.value));
        emit_push_value(k, &r, 0, lazy_stack_op(k));
      } else {
        emit_push_value(k, nullptr, uint32_t(d.ops[0].imm.value.u), lazy_stack_op(k));
      }
      bind_resume(slow_.back().resume);
      return;
    case Rule::PushState:
      if (d.zi->mnemonic == ZYDIS_MNEMONIC_PUSHFD) {
        // The image the interpreter pushes: EFLAGS without VM and RF, with the guest flags.
        spill_flags();
        eflags_from_spill(a_, x::r8d, x::r9d, fl::ARITH | fl::VM | fl::RF);
        emit_push_value(k, &x::r8d, 0);
      } else {
        const unsigned sreg = b_.insns[k].op[0].reg;
        a_.movzx(x::r8d, x::word_ptr(kState, int32_t(kSegOffset + sreg * sizeof(Segment) + offsetof(Segment, sel))));
        a_.lea(x::r10d, x::ptr(x::r12, -4));
        emit_probe(k, 2, true);
        a_.mov(x::word_ptr(base_, x::r10), x::r8w);
        a_.mov(x::r12d, x::r10d);
      }
      bind_resume(slow_.back().resume);
      return;
    case Rule::Pop:
      if (lazy_stack_op(k)) {  // mov reg, gs:[r12d + bias] (ESP lazily: bias += 4)
        emit_probe(k, 4, false, SEG_NONE, false, kFirstRead);
        note_stack_access(x::r12, 0);
        slow_.back().esp_before = esp_bias_;
        a_.mov(guest_reg32(ZydisRegisterGetId(d.ops[0].reg.value)), gs_mem(x::r12d, esp_bias_, 4));
        esp_bias_ += 4;
        slow_.back().esp_after = esp_bias_;
        bind_resume(slow_.back().resume);
        return;
      }
      a_.mov(x::r10d, x::r12d);
      emit_probe(k, 4, false, SEG_NONE, false, kFirstRead);
      a_.mov(x::r9d, mem32());
      a_.lea(x::r12d, x::ptr(x::r12, 4));
      a_.mov(guest_reg32(ZydisRegisterGetId(d.ops[0].reg.value)), x::r9d);
      bind_resume(slow_.back().resume);
      return;
    case Rule::Leave:
      if (rt_.views) {  // mov r9d, gs:[ebp]; lea r12d, [rbp + 4]; mov ebp, r9d
        emit_probe(k, 4, false);
        note_stack_access(x::rbp, 0);
        a_.mov(x::r9d, gs_mem(x::ebp, 0, 4));
        a_.lea(x::r12d, x::ptr(x::rbp, 4));
        a_.mov(x::ebp, x::r9d);
        bind_resume(slow_.back().resume);
        return;
      }
      a_.mov(x::r10d, x::ebp);
      emit_probe(k, 4, false);
      a_.mov(x::r9d, mem32());
      a_.lea(x::r12d, x::ptr(x::r10, 4));
      a_.mov(x::ebp, x::r9d);
      bind_resume(slow_.back().resume);
      return;
    case Rule::Jcc: {
      // The taken arm's stub is cold (linking points the Jcc itself at the target): the hot
      // code ends with the fall-through's five-byte jump, which a block laid out right after
      // this one turns into a NOP (Translator::lay_out_successor).
      host_flags_needed();  // (both exits assume the flags in the host)
      Label taken = a_.newLabel();
      a_.long_().j(cond_of(d.zi->mnemonic), taken);  // (rel32: linking the taken arm patches it)
      jcc_end_ = a_.newLabel();
      a_.bind(jcc_end_);
      if (((b_.targets[0] ^ b_.key.eip) & ~0xFFFu) == 0) {
        const bool spilled = spilled_;
        to_cold();
        a_.bind(taken);
        emit_exit(b_.targets[0], 0);
        to_hot();
        spilled_ = spilled;
        emit_exit(b_.targets[1], 1);
      } else {  // (the taken arm through the inline cache and lookup: in the hot code, as before)
        emit_exit(b_.targets[1], 1);
        a_.bind(taken);
        emit_exit(b_.targets[0], 0);
      }
      return;
    }
    case Rule::Jecxz: {
      host_flags_needed();  // (both exits assume the flags in the host)
      Label taken = a_.newLabel(), not_taken = a_.newLabel();
      a_.jecxz(x::ecx, taken);
      a_.jmp(not_taken);
      a_.bind(taken);
      emit_exit(b_.targets[0], 0);
      a_.bind(not_taken);
      emit_exit(b_.targets[1], 1);
      return;
    }
    case Rule::Loop: {
      host_flags_needed();  // (both exits assume the flags in the host)
      // ECX -= 1 (no flags changed); LOOPE/LOOPNE also need ZF.
      Label taken = a_.newLabel(), not_taken = a_.newLabel(), zero = a_.newLabel();
      a_.lea(x::ecx, x::ptr(x::rcx, -1));
      a_.jecxz(x::ecx, zero);
      if (d.zi->mnemonic == ZYDIS_MNEMONIC_LOOPE) a_.jne(not_taken);
      if (d.zi->mnemonic == ZYDIS_MNEMONIC_LOOPNE) a_.je(not_taken);
      a_.jmp(taken);
      a_.bind(zero);
      a_.bind(not_taken);
      emit_exit(b_.targets[1], 1);
      a_.bind(taken);
      emit_exit(b_.targets[0], 0);
      return;
    }
    case Rule::Jmp:
      emit_exit(b_.targets[0], 0);
      return;
    case Rule::Call:
      emit_push_value(k, nullptr, next);
      bind_resume(slow_.back().resume);  // (never reached: a CALL's slow path leaves)
      if (b_.thunk_reg != Block::kNoThunk) emit_inlined_thunk(next);
      emit_ras_push(next);
      emit_exit(b_.targets[0], 0);
      return;
    case Rule::JmpIndirect: case Rule::CallIndirect:
      if (d.ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER) {
        a_.mov(x::r8d, guest_reg32(ZydisRegisterGetId(d.ops[0].reg.value)));
      } else {
        emit_lea(ZYDIS_REGISTER_R10D, d.ops[0]);
        emit_probe(k, 4, false, d.seg);
        a_.mov(x::r8d, mem32());
      }
      if (d.rule == Rule::CallIndirect) {
        emit_push_value(k, nullptr, next);
        emit_ras_push(next);
      }
      emit_lookup_jump();
      return;
    case Rule::Ret: {
      const uint32_t pop = 4 + (d.zi->operand_count_visible > 0 ? uint32_t(d.ops[0].imm.value.u & 0xFFFF) : 0);
      if (rt_.views) {  // mov r8d, gs:[r12d + bias]; lea r12d, [r12 + bias + pop]
        emit_probe(k, 4, false, SEG_NONE, false, kFirstRead);
        note_stack_access(x::r12, 0);
        slow_.back().esp_before = esp_bias_;  // (its slow path leaves the block)
        a_.mov(x::r8d, gs_mem(x::r12d, esp_bias_, 4));
        a_.lea(x::r12d, x::ptr(x::r12, esp_bias_ + int32_t(pop)));
        esp_bias_ = 0;
        emit_lookup_jump(int32_t(pop));
        return;
      } else {
        a_.mov(x::r10d, x::r12d);
        emit_probe(k, 4, false, SEG_NONE, false, kFirstRead);
        a_.mov(x::r8d, mem32());
      }
      a_.lea(x::r12d, x::ptr(x::r12, int32_t(pop)));
      emit_lookup_jump(int32_t(pop));
      return;
    }
    case Rule::Div:
      emit_div(k);
      return;
    case Rule::X87: case Rule::X87Control:
      emit_x87(k);
      return;
    case Rule::String:
      emit_string(k);
      return;
    case Rule::Callout:
      emit_callout(k, d.why);
      return;
  }
}

// DIV/IDIV r/m32: the divisor into r8d (a probe for memory), then the cases where the host would
// raise #DE (zero divisor, quotient too wide: for IDIV, conservatively whenever EDX is not EAX's
// sign extension, and INT_MIN / -1) go to the callout, which raises the guest #DE precisely.
// Their flags are undefined and kept as the host keeps them: all guest flags go back before it.
void Emitter::emit_div(unsigned k) {
  const Decoded& d = d_[k];
  const bool is_signed = d.zi->mnemonic == ZYDIS_MNEMONIC_IDIV;
  Label after = a_.newLabel();
  if (d.mem >= 0) {
    emit_lea(ZYDIS_REGISTER_R10D, d.ops[d.mem]);
    emit_probe(k, 4, false, d.seg);  // (its slow path runs the whole division)
    slow_.back().resume = after;
    a_.mov(x::r8d, mem32());
  } else {
    a_.mov(x::r8d, guest_reg32(ZydisRegisterGetId(d.ops[0].reg.value)));
  }
  SlowPath sp{a_.newLabel(), after, nullptr};
  spill_flags();
  a_.test(x::r8d, x::r8d);
  a_.jz(sp.at);
  if (is_signed) {
    Label fits = a_.newLabel();
    a_.mov(x::r11d, x::eax);
    a_.sar(x::r11d, 31);
    a_.cmp(x::r11d, x::edx);
    a_.jne(sp.at);
    a_.cmp(x::r8d, -1);
    a_.jne(fits);
    a_.cmp(x::eax, int32_t(0x80000000u));
    a_.je(sp.at);
    a_.bind(fits);
  } else {
    a_.cmp(x::edx, x::r8d);
    a_.jae(sp.at);
  }
  host_flags_needed();  // (DIV keeps the flags it leaves undefined: all of them go back)
  if (is_signed) a_.idiv(x::r8d);
  else a_.div(x::r8d);
  sp.site = site(k, CalloutKind::Unsupported, false);
  slow_.push_back(sp);
  bind_resume(after);
}

std::shared_ptr<TranslatedCode> Emitter::run(TranslationCounts* counts) {
  decode_all();
  const unsigned n = unsigned(d_.size());
  Label budget_exit = a_.newLabel();

  // Entries: `entry` with the guest flags in the host, `entry_spilled` with them parked. The budget
  // check (budget_area.h) leaves the flags where they are; the body starts with them where
  // entry_flags() says it wants them, and one of the entries moves them there. If they are dead,
  // neither does: entry_spilled has a budget check of its own, whose exit takes them back.
  const Label entry = a_.newLabel(), entry_spilled = a_.newLabel();
  Label page2_exit, budget_exit_spilled;
  unsigned settled_at = 0;
  const EntryFlags wants = b_.straddles() ? EntryFlags::Parked : entry_flags(&settled_at);
  // A block laid out right after its predecessor (order_ != Default) starts with the entry that
  // predecessor's fall-through takes; the other one then lives in the cold code and jumps back.
  if (order_ == EntryOrder::InHostFirst && (wants == EntryFlags::Dead || wants == EntryFlags::Unsettled)) {
    // (entry_spilled's budget check is in the cold code: a budget site of its own, which
    // handle_host_fault finds through the cold parts' index)
    budget_exit_spilled = a_.newLabel();
    const Label body = a_.newLabel(), check = a_.newLabel();
    a_.bind(entry);
    put_budget_check(-int32_t(n));  // (r9d = 0 for an Unsettled body: the flags are in the host)
    a_.bind(body);
    to_cold();
    a_.bind(entry_spilled);
    put_lea_r13(-int32_t(n));
    a_.bind(check);
    put_budget_load();
    budget_sites_.push_back({check, budget_exit_spilled});
    if (wants == EntryFlags::Unsettled) a_.mov(x::r9d, 1);  // (MOV: the flags stay)
    put_jmp_bound(body);
    to_hot();
    if (wants == EntryFlags::Unsettled) unsettled_until_ = int(settled_at);
  } else if (order_ == EntryOrder::InHostFirst && wants == EntryFlags::InHost) {
    a_.bind(entry);
    put_budget_check(-int32_t(n));
    to_cold();
    a_.bind(entry_spilled);
    restore_all_flags();
    put_jmp_bound(entry);
    to_hot();
  } else if (wants == EntryFlags::Dead || wants == EntryFlags::Unsettled) {
    budget_exit_spilled = a_.newLabel();
    const Label body = a_.newLabel();
    a_.bind(entry_spilled);
    put_budget_check(-int32_t(n));
    if (wants == EntryFlags::Unsettled) a_.mov(x::r9d, 1);  // (MOV: the flags stay)
    a_.jmp(body);
    a_.bind(entry);
    put_budget_check(-int32_t(n));  // (r9d = 0: the budget load reads the BudgetArea's zeros)
    a_.bind(body);
    if (wants == EntryFlags::Unsettled) unsettled_until_ = int(settled_at);
  } else if (wants == EntryFlags::InHost) {
    a_.bind(entry_spilled);
    restore_all_flags();
    a_.bind(entry);
    put_budget_check(-int32_t(n));
  } else if (wants == EntryFlags::Parked && order_ == EntryOrder::SpilledFirst) {
    a_.bind(entry_spilled);
    to_cold();
    a_.bind(entry);
    spill_flags();
    put_jmp_bound(entry_spilled);
    to_hot();
    spilled_ = true;
  } else {
    a_.bind(entry);
    spill_flags();
    a_.bind(entry_spilled);
  }
  if (b_.straddles()) {
    // A straddler (its instruction runs into the next page) is right only while the exec TLB maps
    // that page to the frame it was translated from; else back to C++, which walks the page tables
    // (refilling the entry) or leaves the instruction to the interpreter. (The check clobbers the
    // host flags: a straddler's body starts with the guest's parked.)
    page2_exit = a_.newLabel();
    put_exec_tlb_check((b_.key.lin() & ~0xFFFu) + 0x1000, b_.extra_phys, page2_exit);
  }
  if (wants == EntryFlags::Parked) put_budget_check(-int32_t(n));
  const bool spilled_at_check = spilled_;

  for (unsigned k = 0; k < n; ++k) {
    if (!lazy_stack_op(k)) flush_esp();
    emit_insn(k);
    if (counts) {
      if (d_[k].rule == Rule::Callout) ++counts->callout_insns;
      else ++counts->inline_insns;
    }
  }
  const Terminal t = b_.insns.back().term;
  if (t == Terminal::None) {  // fall-through (page end or size cap)
    flush_esp();
    emit_exit(b_.targets[0], 0);
  }

  to_cold();  // the rest runs only now and then
  for (const SlowPath& sp : slow_) {
    a_.bind(sp.at);  // (TLB probes parked the flags; with views it depends on the access point)
    if (sp.esp_before) a_.lea(x::r12d, x::ptr(x::r12, sp.esp_before));  // (LEA: the flags stay)
    if (sp.string_pointers) {  // mov esi, esi; mov edi, edi (32-bit MOVs: the flags stay; views are 4 GiB-aligned)
      static const uint8_t zero_upper[4] = {0x89, 0xF6, 0x89, 0xFF};
      put(zero_upper, 4);
    }
    if (sp.site->first_access && sp.lea_insn >= 0) emit_lea(ZYDIS_REGISTER_R10D, d_[sp.lea_insn].ops[d_[sp.lea_insn].mem]);
    if (sp.site->first_access && sp.lea_reg >= 0) a_.lea(x::r10d, x::ptr(x::gpq(uint32_t(sp.lea_reg)), sp.lea_disp));
    if (sp.site->first_access) {  // mov dword [r15 + kSlowLinOffset], r10d
      uint8_t b[7] = {0x45, 0x89, 0x97};
      const uint32_t disp = uint32_t(kSlowLinOffset);
      std::memcpy(b + 3, &disp, 4);
      put(b, 7);
    }
    put_mov_r10_imm64(uint64_t(sp.site));
    put_rel32(0xE8, uint64_t(sp.spilled_at_access ? rt_.callout_spilled : rt_.callout));
    if (sp.site->ends_block) {
      static const uint8_t ud2[2] = {0x0F, 0x0B};
      put(ud2, 2);
      continue;
    }
    if (!sp.resume_spilled) restore_all_flags();
    if (sp.unsettled) a_.mov(x::r9d, sp.resume_spilled ? 1 : 0);  // (where the flags are now)
    if (sp.esp_after) a_.lea(x::r12d, x::ptr(x::r12, -sp.esp_after));
    put_jmp_bound(sp.resume);
  }
  for (const X87Entry& e : x87_) {  // the guest x87 state into the host FPU, or interpreted
    a_.bind(e.load);
    a_.mov(x::r10, imm(uint64_t(e.site)));
    put_rel32(0xE8, uint64_t(rt_.callout_spilled));
    a_.cmp(x::byte_ptr(kState, int32_t(kX87ResidentOffset)), 0);
    a_.jne(e.native);
    if (!e.done_spilled) restore_all_flags();
    a_.jmp(e.done);
  }
  a_.bind(budget_exit);  // (from the SIGSEGV handler: the entry's load found the budget spent)
  put_lea_r13(int32_t(n));
  if (spilled_at_check) restore_all_flags();
  put_mov_eip(b_.key.eip);
  put_rel32(0xE9, uint64_t(rt_.exit_budget));
  if (budget_exit_spilled.isValid()) {
    a_.bind(budget_exit_spilled);
    put_lea_r13(int32_t(n));
    restore_all_flags();
    put_mov_eip(b_.key.eip);
    put_rel32(0xE9, uint64_t(rt_.exit_budget));
  }
  if (b_.straddles()) {
    a_.bind(page2_exit);
    restore_all_flags();
    put_mov_eip(b_.key.eip);
    put_rel32(0xE9, uint64_t(rt_.exit_page2));
  }

  if (data_full_) {
    if (counts) counts->no_room = true;
    return nullptr;
  }
  if (errors_.failed || encode_failed_) return nullptr;
  to_hot();
  size_t size = 0, cold_size = 0;
  uint8_t* base = place_split_code(code_, cold_, buf_, &size, &tc_->cold, &cold_size);
  if (!base) {
    if (counts) counts->no_room = true;
    return nullptr;
  }
  tc_->code = base;
  tc_->entry = base + code_.labelOffsetFromBase(entry);
  tc_->entry_spilled = base + code_.labelOffsetFromBase(entry_spilled);
  tc_->budget_exit = uint32_t(code_.labelOffsetFromBase(budget_exit));
  tc_->budget_exit_spilled = budget_exit_spilled.isValid() ? uint32_t(code_.labelOffsetFromBase(budget_exit_spilled))
                                                           : tc_->budget_exit;
  tc_->size = uint32_t(size);
  tc_->cold_size = uint32_t(cold_size);
  if (rt_.views)
    for (const SlowPath& sp : slow_)
      if (sp.access.isValid())
        tc_->fault_sites.push_back({uint32_t(code_.labelOffsetFromBase(sp.access)), uint32_t(code_.labelOffsetFromBase(sp.at)),
                                    sp.unsettled});
  for (const BudgetSite& s : budget_sites_)
    tc_->budget_sites.push_back({uint32_t(code_.labelOffsetFromBase(s.check)), uint32_t(code_.labelOffsetFromBase(s.resume))});
  std::sort(tc_->fault_sites.begin(), tc_->fault_sites.end(),
            [](const TranslatedCode::FaultSite& a, const TranslatedCode::FaultSite& b) { return a.access < b.access; });
  for (unsigned s = 0; s < 2; ++s) {
    if (!stub_used_[s]) continue;
    tc_->stub[s] = base + code_.labelOffsetFromBase(stub_label_[s]);
    tc_->stub_spilled[s] = stub_spilled_[s];
    if (s == 0 && jcc_end_.isValid()) tc_->jcc_rel = base + code_.labelOffsetFromBase(jcc_end_) - 4;
    std::memcpy(tc_->stub_bytes[s], tc_->stub[s], 5);
  }
  return tc_;
}

}  // namespace

std::shared_ptr<TranslatedCode> translate_block(const Block& b, const RawDecode* raw, const uint8_t* bytes,
                                                CodeBuffer& buf, const RuntimeRoutines& rt, TranslationCounts* counts,
                                                EntryOrder order) {
  TranslationCounts c;
  Emitter e(b, raw, bytes, buf, rt, order);
  auto tc = e.run(&c);
  if (counts) *counts = c;
  return tc;
}

}  // namespace bt86
