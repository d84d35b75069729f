// Host replay of x87 instructions (see fpu_host.h): one small host function per encoding form,
// generated from a template and gathered in a table indexed by escape byte and ModRM.
#include "cpu/fpu_host.h"
#include <array>
#include <utility>

namespace bt86 {

namespace {

using HostForm = void (*)(X87Image* image, void* mem, uint16_t* ax);

// Runs `.byte Escape, Modrm` between FRSTOR and FNSAVE of `image`. Memory forms use ModRM
// mod=00 rm=111, i.e. [rdi] = mem. AH carries EFLAGS in (SAHF) and out (LAHF). The host
// control word is saved before and restored after (FNSAVE leaves the FPU initialised).
template <unsigned Escape, unsigned Modrm>
void run_form(X87Image* image, void* mem, uint16_t* ax) {
  uint16_t host_cw;
  uint16_t a = *ax;
  asm volatile(
      "fnstcw %[hcw]\n\t"
      "frstor %[img]\n\t"
      "sahf\n\t"
      ".byte %c[esc], %c[modrm]\n\t"
      "lahf\n\t"
      "fnsave %[img]\n\t"
      "fldcw %[hcw]"
      : [img] "+m"(*image), [hcw] "+m"(host_cw), "+a"(a)
      : [esc] "n"(Escape), [modrm] "n"(Modrm), "D"(mem)
      : "memory", "cc", "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)");
  *ax = a;
}

// Forms per escape byte: 8 memory forms (ModRM reg field 0-7) then 64 register forms (C0-FF).
constexpr unsigned kFormsPerEscape = 8 + 64;

constexpr unsigned host_modrm(unsigned form) {
  return form < 8 ? (form << 3) | 7u : 0xC0u + (form - 8);
}

constexpr unsigned form_index(uint8_t escape, uint8_t modrm) {
  unsigned form = modrm >= 0xC0 ? 8u + (modrm - 0xC0u) : (modrm >> 3) & 7u;
  return (escape & 7u) * kFormsPerEscape + form;
}

template <size_t... K>
constexpr std::array<HostForm, sizeof...(K)> make_forms(std::index_sequence<K...>) {
  return {&run_form<0xD8 + K / kFormsPerEscape, host_modrm(K % kFormsPerEscape)>...};
}

constexpr auto kForms = make_forms(std::make_index_sequence<8 * kFormsPerEscape>{});

}  // namespace

HostReplay replay_on_host(const FpuState& f, uint8_t escape, uint8_t modrm, void* mem, uint8_t eflags) {
  HostReplay r;
  X87Image& img = r.image_;
  img.cw_reserved = img.sw_reserved = img.tw_reserved = img.fds_reserved = 0;
  img.fip = img.fdp = 0;  // the host ignores the pointers
  img.fcs = img.fop = img.fds = 0;
  img.cw = f.cw;
  // Nothing may be pending on the host: clear the flags (the guest keeps its own).
  img.sw = uint16_t(f.sw & ~(fsw::EXCEPTIONS | fsw::SF | fsw::ES | fsw::B));
  img.tw = f.tw;
  for (unsigned i = 0; i < 8; ++i) f.get_reg80(f.phys(i), img.st[i]);
  uint16_t ax = uint16_t(eflags << 8);
  kForms[form_index(escape, modrm)](&img, mem, &ax);
  r.flags_ = uint8_t(ax >> 8);
  return r;
}

bool x87_can_reside(const FpuState& f) { return (f.cw & fcw::MASKS) == fcw::MASKS; }

void x87_load_resident(const FpuState& f) {
  X87Image img{};
  img.cw = f.cw;
  img.sw = f.sw;  // (all masked: ES and B are clear)
  img.tw = f.tw;
  for (unsigned i = 0; i < 8; ++i) f.get_reg80(f.phys(i), img.st[i]);
  asm volatile("frstor %0" : : "m"(img) : "memory");
}

void x87_save_resident(FpuState& f) {
  X87Image img;
  asm volatile("fnsave %0" : "=m"(img) : : "memory");
  f.cw = uint16_t((img.cw & fcw::WRITABLE) | fcw::FORCED_ONE);
  f.sw = img.sw;
  f.tw = img.tw;
  for (unsigned i = 0; i < 8; ++i) f.set_reg80(f.phys(i), img.st[i]);
}

void HostReplay::commit(FpuState& f) const {
  const uint16_t kept = f.sw & (fsw::EXCEPTIONS | fsw::SF);
  f.sw = uint16_t((image_.sw & (fsw::CC | fsw::TOP)) | kept | raised());
  f.sync_summary();
  f.tw = image_.tw;
  for (unsigned i = 0; i < 8; ++i) f.set_reg80(f.phys(i), image_.st[i]);
}

}  // namespace bt86
