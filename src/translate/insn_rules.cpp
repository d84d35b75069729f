// The instruction -> implementation table of the translator (see insn_rules.h). Everything not
// listed is a callout: sensitive instructions (IN/OUT, CLI/STI, POPF/PUSHF, MOV Sreg/CRn/DRn,
// descriptor-table instructions, INT/IRET, far transfers, HLT, INVLPG, MSRs, CPUID, RDTSC), string
// instructions other than MOVS/STOS/LODS/SCAS/CMPS (INS/OUTS), the x87 environment/state and init
// instructions (FNSTENV, FLDENV, FNSAVE, FRSTOR, FXSAVE, FXRSTOR, FNINIT, FNCLEX) and FISTTP (not
// on this CPU), 8/16-bit DIV/IDIV, BCD (invalid in 64-bit mode), BOUND, ENTER, PUSHA/POPA and the
// rest of the rare ones. The x87 rows are exactly the instructions the interpreter replays on the
// host FPU (cpu/table_x87.inc), so running them natively is the same operation.
#include "translate/insn_rules.h"

#include <array>

namespace bt86 {

namespace {

struct Entry {
  ZydisMnemonic m;
  Rule r;
};

constexpr Entry kTable[] = {
    // data movement and arithmetic: the same operation on remapped operands
    {ZYDIS_MNEMONIC_MOV, Rule::Ident},     {ZYDIS_MNEMONIC_MOVZX, Rule::Ident},
    {ZYDIS_MNEMONIC_MOVSX, Rule::Ident},   {ZYDIS_MNEMONIC_XCHG, Rule::Ident},
    {ZYDIS_MNEMONIC_ADD, Rule::Ident},     {ZYDIS_MNEMONIC_OR, Rule::Ident},
    {ZYDIS_MNEMONIC_ADC, Rule::Ident},     {ZYDIS_MNEMONIC_SBB, Rule::Ident},
    {ZYDIS_MNEMONIC_AND, Rule::Ident},     {ZYDIS_MNEMONIC_SUB, Rule::Ident},
    {ZYDIS_MNEMONIC_XOR, Rule::Ident},     {ZYDIS_MNEMONIC_CMP, Rule::Ident},
    {ZYDIS_MNEMONIC_TEST, Rule::Ident},    {ZYDIS_MNEMONIC_INC, Rule::Ident},
    {ZYDIS_MNEMONIC_DEC, Rule::Ident},     {ZYDIS_MNEMONIC_NEG, Rule::Ident},
    {ZYDIS_MNEMONIC_NOT, Rule::Ident},     {ZYDIS_MNEMONIC_SHL, Rule::Ident},
    {ZYDIS_MNEMONIC_SHR, Rule::Ident},     {ZYDIS_MNEMONIC_SAR, Rule::Ident},
    {ZYDIS_MNEMONIC_ROL, Rule::Ident},     {ZYDIS_MNEMONIC_ROR, Rule::Ident},
    {ZYDIS_MNEMONIC_RCL, Rule::Ident},     {ZYDIS_MNEMONIC_RCR, Rule::Ident},
    {ZYDIS_MNEMONIC_SHLD, Rule::Ident},    {ZYDIS_MNEMONIC_SHRD, Rule::Ident},
    {ZYDIS_MNEMONIC_MUL, Rule::Ident},     {ZYDIS_MNEMONIC_IMUL, Rule::Ident},
    {ZYDIS_MNEMONIC_XADD, Rule::Ident},    {ZYDIS_MNEMONIC_CMPXCHG, Rule::Ident},
    {ZYDIS_MNEMONIC_CMPXCHG8B, Rule::Ident}, {ZYDIS_MNEMONIC_BSWAP, Rule::Ident},
    {ZYDIS_MNEMONIC_BT, Rule::Ident},      {ZYDIS_MNEMONIC_BTS, Rule::Ident},
    {ZYDIS_MNEMONIC_BTR, Rule::Ident},     {ZYDIS_MNEMONIC_BTC, Rule::Ident},
    {ZYDIS_MNEMONIC_BSF, Rule::Ident},     {ZYDIS_MNEMONIC_BSR, Rule::Ident},
    {ZYDIS_MNEMONIC_CDQ, Rule::Ident},     {ZYDIS_MNEMONIC_CWDE, Rule::Ident},
    {ZYDIS_MNEMONIC_CBW, Rule::Ident},     {ZYDIS_MNEMONIC_CWD, Rule::Ident},
    {ZYDIS_MNEMONIC_LAHF, Rule::Ident},    {ZYDIS_MNEMONIC_SAHF, Rule::Ident},
    {ZYDIS_MNEMONIC_CLC, Rule::Ident},     {ZYDIS_MNEMONIC_STC, Rule::Ident},
    {ZYDIS_MNEMONIC_CMC, Rule::Ident},
    {ZYDIS_MNEMONIC_SETB, Rule::Ident},    {ZYDIS_MNEMONIC_SETBE, Rule::Ident},
    {ZYDIS_MNEMONIC_SETL, Rule::Ident},    {ZYDIS_MNEMONIC_SETLE, Rule::Ident},
    {ZYDIS_MNEMONIC_SETNB, Rule::Ident},   {ZYDIS_MNEMONIC_SETNBE, Rule::Ident},
    {ZYDIS_MNEMONIC_SETNL, Rule::Ident},   {ZYDIS_MNEMONIC_SETNLE, Rule::Ident},
    {ZYDIS_MNEMONIC_SETNO, Rule::Ident},   {ZYDIS_MNEMONIC_SETNP, Rule::Ident},
    {ZYDIS_MNEMONIC_SETNS, Rule::Ident},   {ZYDIS_MNEMONIC_SETNZ, Rule::Ident},
    {ZYDIS_MNEMONIC_SETO, Rule::Ident},    {ZYDIS_MNEMONIC_SETP, Rule::Ident},
    {ZYDIS_MNEMONIC_SETS, Rule::Ident},    {ZYDIS_MNEMONIC_SETZ, Rule::Ident},
    {ZYDIS_MNEMONIC_CMOVB, Rule::Ident},   {ZYDIS_MNEMONIC_CMOVBE, Rule::Ident},
    {ZYDIS_MNEMONIC_CMOVL, Rule::Ident},   {ZYDIS_MNEMONIC_CMOVLE, Rule::Ident},
    {ZYDIS_MNEMONIC_CMOVNB, Rule::Ident},  {ZYDIS_MNEMONIC_CMOVNBE, Rule::Ident},
    {ZYDIS_MNEMONIC_CMOVNL, Rule::Ident},  {ZYDIS_MNEMONIC_CMOVNLE, Rule::Ident},
    {ZYDIS_MNEMONIC_CMOVNO, Rule::Ident},  {ZYDIS_MNEMONIC_CMOVNP, Rule::Ident},
    {ZYDIS_MNEMONIC_CMOVNS, Rule::Ident},  {ZYDIS_MNEMONIC_CMOVNZ, Rule::Ident},
    {ZYDIS_MNEMONIC_CMOVO, Rule::Ident},   {ZYDIS_MNEMONIC_CMOVP, Rule::Ident},
    {ZYDIS_MNEMONIC_CMOVS, Rule::Ident},   {ZYDIS_MNEMONIC_CMOVZ, Rule::Ident},
    {ZYDIS_MNEMONIC_NOP, Rule::Nop},       {ZYDIS_MNEMONIC_PAUSE, Rule::Nop},
    {ZYDIS_MNEMONIC_LEA, Rule::Lea},
    {ZYDIS_MNEMONIC_PUSH, Rule::Push},     {ZYDIS_MNEMONIC_POP, Rule::Pop},
    {ZYDIS_MNEMONIC_LEAVE, Rule::Leave},     {ZYDIS_MNEMONIC_PUSHFD, Rule::PushState},
    // control flow
    {ZYDIS_MNEMONIC_JO, Rule::Jcc},        {ZYDIS_MNEMONIC_JNO, Rule::Jcc},
    {ZYDIS_MNEMONIC_JB, Rule::Jcc},        {ZYDIS_MNEMONIC_JNB, Rule::Jcc},
    {ZYDIS_MNEMONIC_JZ, Rule::Jcc},        {ZYDIS_MNEMONIC_JNZ, Rule::Jcc},
    {ZYDIS_MNEMONIC_JBE, Rule::Jcc},       {ZYDIS_MNEMONIC_JNBE, Rule::Jcc},
    {ZYDIS_MNEMONIC_JS, Rule::Jcc},        {ZYDIS_MNEMONIC_JNS, Rule::Jcc},
    {ZYDIS_MNEMONIC_JP, Rule::Jcc},        {ZYDIS_MNEMONIC_JNP, Rule::Jcc},
    {ZYDIS_MNEMONIC_JL, Rule::Jcc},        {ZYDIS_MNEMONIC_JNL, Rule::Jcc},
    {ZYDIS_MNEMONIC_JLE, Rule::Jcc},       {ZYDIS_MNEMONIC_JNLE, Rule::Jcc},
    {ZYDIS_MNEMONIC_JECXZ, Rule::Jecxz},   {ZYDIS_MNEMONIC_LOOP, Rule::Loop},
    {ZYDIS_MNEMONIC_LOOPE, Rule::Loop},    {ZYDIS_MNEMONIC_LOOPNE, Rule::Loop},
    {ZYDIS_MNEMONIC_JMP, Rule::Jmp},       {ZYDIS_MNEMONIC_CALL, Rule::Call},
    {ZYDIS_MNEMONIC_RET, Rule::Ret},
    {ZYDIS_MNEMONIC_DIV, Rule::Div},       {ZYDIS_MNEMONIC_IDIV, Rule::Div},
    {ZYDIS_MNEMONIC_CLD, Rule::DirFlag},   {ZYDIS_MNEMONIC_STD, Rule::DirFlag},
    {ZYDIS_MNEMONIC_CLI, Rule::DirFlag},   // (where CPL <= IOPL, see Emitter::choose_rule)
    // string instructions (native on the linear view; see emit_string in block_translator.cpp)
    {ZYDIS_MNEMONIC_MOVSB, Rule::String},  {ZYDIS_MNEMONIC_MOVSW, Rule::String},
    {ZYDIS_MNEMONIC_MOVSD, Rule::String},  {ZYDIS_MNEMONIC_STOSB, Rule::String},
    {ZYDIS_MNEMONIC_STOSW, Rule::String},  {ZYDIS_MNEMONIC_STOSD, Rule::String},
    {ZYDIS_MNEMONIC_LODSB, Rule::String},  {ZYDIS_MNEMONIC_LODSW, Rule::String},
    {ZYDIS_MNEMONIC_LODSD, Rule::String},  {ZYDIS_MNEMONIC_SCASB, Rule::String},
    {ZYDIS_MNEMONIC_SCASW, Rule::String},  {ZYDIS_MNEMONIC_SCASD, Rule::String},
    {ZYDIS_MNEMONIC_CMPSB, Rule::String},  {ZYDIS_MNEMONIC_CMPSW, Rule::String},
    {ZYDIS_MNEMONIC_CMPSD, Rule::String},
    // x87 (native on the resident host FPU; see emit_x87 in block_translator.cpp)
    {ZYDIS_MNEMONIC_FLD, Rule::X87},       {ZYDIS_MNEMONIC_FILD, Rule::X87},
    {ZYDIS_MNEMONIC_FBLD, Rule::X87},      {ZYDIS_MNEMONIC_FLD1, Rule::X87},
    {ZYDIS_MNEMONIC_FLDL2T, Rule::X87},    {ZYDIS_MNEMONIC_FLDL2E, Rule::X87},
    {ZYDIS_MNEMONIC_FLDPI, Rule::X87},     {ZYDIS_MNEMONIC_FLDLG2, Rule::X87},
    {ZYDIS_MNEMONIC_FLDLN2, Rule::X87},    {ZYDIS_MNEMONIC_FLDZ, Rule::X87},
    {ZYDIS_MNEMONIC_FXCH, Rule::X87},
    {ZYDIS_MNEMONIC_FCMOVB, Rule::X87},    {ZYDIS_MNEMONIC_FCMOVE, Rule::X87},
    {ZYDIS_MNEMONIC_FCMOVBE, Rule::X87},   {ZYDIS_MNEMONIC_FCMOVU, Rule::X87},
    {ZYDIS_MNEMONIC_FCMOVNB, Rule::X87},   {ZYDIS_MNEMONIC_FCMOVNE, Rule::X87},
    {ZYDIS_MNEMONIC_FCMOVNBE, Rule::X87},  {ZYDIS_MNEMONIC_FCMOVNU, Rule::X87},
    {ZYDIS_MNEMONIC_FINCSTP, Rule::X87},   {ZYDIS_MNEMONIC_FDECSTP, Rule::X87},
    {ZYDIS_MNEMONIC_FFREE, Rule::X87},     {ZYDIS_MNEMONIC_FFREEP, Rule::X87},
    {ZYDIS_MNEMONIC_FNOP, Rule::X87},
    {ZYDIS_MNEMONIC_FST, Rule::X87},       {ZYDIS_MNEMONIC_FSTP, Rule::X87},
    {ZYDIS_MNEMONIC_FSTPNCE, Rule::X87},   {ZYDIS_MNEMONIC_FIST, Rule::X87},
    {ZYDIS_MNEMONIC_FISTP, Rule::X87},     {ZYDIS_MNEMONIC_FBSTP, Rule::X87},
    {ZYDIS_MNEMONIC_FADD, Rule::X87},      {ZYDIS_MNEMONIC_FADDP, Rule::X87},
    {ZYDIS_MNEMONIC_FIADD, Rule::X87},     {ZYDIS_MNEMONIC_FSUB, Rule::X87},
    {ZYDIS_MNEMONIC_FSUBP, Rule::X87},     {ZYDIS_MNEMONIC_FISUB, Rule::X87},
    {ZYDIS_MNEMONIC_FSUBR, Rule::X87},     {ZYDIS_MNEMONIC_FSUBRP, Rule::X87},
    {ZYDIS_MNEMONIC_FISUBR, Rule::X87},    {ZYDIS_MNEMONIC_FMUL, Rule::X87},
    {ZYDIS_MNEMONIC_FMULP, Rule::X87},     {ZYDIS_MNEMONIC_FIMUL, Rule::X87},
    {ZYDIS_MNEMONIC_FDIV, Rule::X87},      {ZYDIS_MNEMONIC_FDIVP, Rule::X87},
    {ZYDIS_MNEMONIC_FIDIV, Rule::X87},     {ZYDIS_MNEMONIC_FDIVR, Rule::X87},
    {ZYDIS_MNEMONIC_FDIVRP, Rule::X87},    {ZYDIS_MNEMONIC_FIDIVR, Rule::X87},
    {ZYDIS_MNEMONIC_FCHS, Rule::X87},      {ZYDIS_MNEMONIC_FABS, Rule::X87},
    {ZYDIS_MNEMONIC_FSQRT, Rule::X87},     {ZYDIS_MNEMONIC_FSCALE, Rule::X87},
    {ZYDIS_MNEMONIC_FXTRACT, Rule::X87},   {ZYDIS_MNEMONIC_FPREM, Rule::X87},
    {ZYDIS_MNEMONIC_FPREM1, Rule::X87},    {ZYDIS_MNEMONIC_FRNDINT, Rule::X87},
    {ZYDIS_MNEMONIC_FSIN, Rule::X87},      {ZYDIS_MNEMONIC_FCOS, Rule::X87},
    {ZYDIS_MNEMONIC_FSINCOS, Rule::X87},   {ZYDIS_MNEMONIC_FPTAN, Rule::X87},
    {ZYDIS_MNEMONIC_FPATAN, Rule::X87},    {ZYDIS_MNEMONIC_F2XM1, Rule::X87},
    {ZYDIS_MNEMONIC_FYL2X, Rule::X87},     {ZYDIS_MNEMONIC_FYL2XP1, Rule::X87},
    {ZYDIS_MNEMONIC_FCOM, Rule::X87},      {ZYDIS_MNEMONIC_FCOMP, Rule::X87},
    {ZYDIS_MNEMONIC_FCOMPP, Rule::X87},    {ZYDIS_MNEMONIC_FUCOM, Rule::X87},
    {ZYDIS_MNEMONIC_FUCOMP, Rule::X87},    {ZYDIS_MNEMONIC_FUCOMPP, Rule::X87},
    {ZYDIS_MNEMONIC_FICOM, Rule::X87},     {ZYDIS_MNEMONIC_FICOMP, Rule::X87},
    {ZYDIS_MNEMONIC_FCOMI, Rule::X87},     {ZYDIS_MNEMONIC_FCOMIP, Rule::X87},
    {ZYDIS_MNEMONIC_FUCOMI, Rule::X87},    {ZYDIS_MNEMONIC_FUCOMIP, Rule::X87},
    {ZYDIS_MNEMONIC_FTST, Rule::X87},      {ZYDIS_MNEMONIC_FXAM, Rule::X87},
    {ZYDIS_MNEMONIC_FNSTSW, Rule::X87Control}, {ZYDIS_MNEMONIC_FNSTCW, Rule::X87Control},
    {ZYDIS_MNEMONIC_FLDCW, Rule::X87Control},  {ZYDIS_MNEMONIC_FWAIT, Rule::X87Control},
};

constexpr auto kRules = [] {
  std::array<Rule, ZYDIS_MNEMONIC_MAX_VALUE + 1> t{};
  for (auto& r : t) r = Rule::Callout;
  for (const Entry& e : kTable) t[e.m] = e.r;
  return t;
}();

}  // namespace

Rule rule_of(ZydisMnemonic m) { return m <= ZYDIS_MNEMONIC_MAX_VALUE ? kRules[m] : Rule::Callout; }

const char* rule_name(Rule r) {
  switch (r) {
    case Rule::Callout: return "callout";
    case Rule::Ident: return "ident";
    case Rule::Nop: return "nop";
    case Rule::Lea: return "lea";
    case Rule::Push: return "push";
    case Rule::Pop: return "pop";
    case Rule::PushState: return "push-state";
    case Rule::Leave: return "leave";
    case Rule::Jcc: return "jcc";
    case Rule::Jecxz: return "jecxz";
    case Rule::Loop: return "loop";
    case Rule::Jmp: return "jmp";
    case Rule::Call: return "call";
    case Rule::JmpIndirect: return "jmp-indirect";
    case Rule::CallIndirect: return "call-indirect";
    case Rule::Ret: return "ret";
    case Rule::Div: return "div";
    case Rule::DirFlag: return "dir-flag";
    case Rule::String: return "string";
    case Rule::X87: return "x87";
    case Rule::X87Control: return "x87-control";
  }
  return "?";
}

}  // namespace bt86
