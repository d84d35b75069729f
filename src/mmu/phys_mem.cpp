// Guest physical memory (see phys_mem.h): one memfd holds RAM (offset 0, mapped shared into the
// host) and, after it, every ROM image and device-RAM block, each mapped on its own and kept
// until the destructor. ROM, device-RAM and MMIO regions are kept in a short list searched
// newest-first (a later region overrides an earlier one and RAM), and the A20 gate masks address
// bit 20 before any lookup. In the legacy BIOS area the per-chunk shadow mode first decides
// (route()) whether an access goes to RAM, to the regions only, or to regions over RAM as
// elsewhere. resolve() is the one place that decides what a page is (page() and backing()).
//
// Region ends are computed modulo 2^32 so that an image ending exactly at 4 GiB (the BIOS) works:
// a region contains paddr when (paddr - start) < (end - start), both in 32-bit arithmetic.
#include "mmu/phys_mem.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iterator>
#include <stdexcept>

namespace bt86 {

namespace {

constexpr uint32_t kPageSize = 0x1000;
constexpr uint64_t kMaxRam = 0xE0000000ull;  // 3.5 GiB: the top 512 MiB is for ROM and MMIO

// Region helpers are templates only because PhysMem::Region is private to the class.

template <class R> uint32_t region_size(const R& r) { return r.end - r.start; }
template <class R> bool region_contains(const R& r, uint32_t paddr) {
  return paddr - r.start < region_size(r);
}
// Does region r overlap [base, base + len)?  (len > 0, no wrap of the range itself)
template <class R> bool region_overlaps(const R& r, uint32_t base, uint32_t len) {
  return region_contains(r, base) || (r.start - base < len);
}

void check_access_size(unsigned size) {
  if (size != 1 && size != 2 && size != 4)
    throw std::invalid_argument("PhysMem: access size " + std::to_string(size) +
                                " (only 1, 2 or 4 bytes)");
}

uint32_t all_ones(unsigned size) { return 0xFFFFFFFFu >> (32 - 8 * size); }

void pwrite_all(int fd, const uint8_t* src, size_t len, uint64_t offset, const std::string& what) {
  while (len > 0) {
    const ssize_t n = pwrite(fd, src, len, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const char* why = n < 0 ? std::strerror(errno) : "no progress";
      throw std::runtime_error("cannot write ROM '" + what + "' (pwrite): " + why);
    }
    src += n;
    len -= size_t(n);
    offset += uint64_t(n);
  }
}

// Where an access to [a, a + len) goes: the newest region overlapping it, or RAM/unmapped space
// (nullptr) when none does. `uniform` is false when the access must be split into bytes: it
// crosses a 4 KiB page, or the deciding region does not cover all of it.
template <class Regions>
auto access_target(const Regions& regions, uint32_t a, unsigned len, bool& uniform)
    -> decltype(&regions.front()) {
  uniform = (a & (kPageSize - 1)) + len <= kPageSize;
  for (auto it = regions.rbegin(); it != regions.rend(); ++it) {
    if (!region_overlaps(*it, a, len)) continue;
    uniform = uniform && region_contains(*it, a) && region_size(*it) - (a - it->start) >= len;
    return &*it;
  }
  return nullptr;
}

}  // namespace

PhysMem::PhysMem(uint64_t ram_bytes) : ram_size_(ram_bytes) {
  if (ram_bytes == 0 || ram_bytes % kPageSize != 0 || ram_bytes > kMaxRam)
    throw std::invalid_argument("guest RAM size must be a non-zero multiple of 4 KiB, at most 3.5 GiB");
  memfd_ = memfd_create("bt86-guest-memory", MFD_CLOEXEC);
  if (memfd_ < 0)
    throw std::runtime_error(std::string("cannot create guest RAM (memfd_create): ") + std::strerror(errno));
  if (ftruncate(memfd_, static_cast<off_t>(ram_bytes)) != 0) {
    int err = errno;
    close(memfd_);
    throw std::runtime_error(std::string("cannot size guest RAM (ftruncate): ") + std::strerror(err));
  }
  void* p = mmap(nullptr, ram_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, memfd_, 0);
  if (p == MAP_FAILED) {
    int err = errno;
    close(memfd_);
    throw std::runtime_error(std::string("cannot map guest RAM (mmap): ") + std::strerror(err));
  }
  ram_ = static_cast<uint8_t*>(p);
  memfd_size_ = ram_bytes;
}

PhysMem::~PhysMem() {
  for (const Block& b : blocks_) munmap(b.host, b.bytes);
  munmap(ram_, ram_size_);
  close(memfd_);
}

// ---- memfd blocks after RAM ---------------------------------------------------------------------

PhysMem::Block& PhysMem::new_block(size_t bytes, bool rom, std::string name) {
  const size_t mapped = (bytes + kPageSize - 1) & ~size_t(kPageSize - 1);
  const uint64_t offset = memfd_size_;
  if (ftruncate(memfd_, static_cast<off_t>(offset + mapped)) != 0) {
    const int err = errno;
    throw std::runtime_error("cannot grow guest memory for '" + name + "' (ftruncate): " + std::strerror(err));
  }
  // ROM is read-only in the host too: only load_rom and forced copies (pwrite) change it.
  void* p = mmap(nullptr, mapped, rom ? PROT_READ : PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE,
                 memfd_, static_cast<off_t>(offset));
  if (p == MAP_FAILED) {
    const int err = errno;
    if (ftruncate(memfd_, static_cast<off_t>(offset)) != 0) {}  // give the space back; best effort
    throw std::runtime_error("cannot map guest memory for '" + name + "' (mmap): " + std::strerror(err));
  }
  memfd_size_ = offset + mapped;
  blocks_.push_back(Block{offset, mapped, static_cast<uint8_t*>(p), rom, std::move(name)});
  return blocks_.back();
}

PhysMem::RomImage PhysMem::load_rom(std::span<const uint8_t> data, std::string name) {
  if (data.empty()) throw std::invalid_argument("ROM '" + name + "' is empty");
  if (data.size() > 0x100000000ull) throw std::invalid_argument("ROM '" + name + "' is larger than 4 GiB");
  const Block& b = new_block(data.size(), true, std::move(name));
  // The new memfd space reads as zeros: write only pages holding something else (the machine's
  // 256 KiB legacy-area placeholder then costs no memory).
  for (size_t at = 0; at < data.size(); at += kPageSize) {
    const size_t n = std::min<size_t>(kPageSize, data.size() - at);
    const uint8_t* src = data.data() + at;
    if (std::all_of(src, src + n, [](uint8_t v) { return v == 0; })) continue;
    pwrite_all(memfd_, src, n, b.offset + at, b.name);
  }
  return RomImage{blocks_.size() - 1, data.size()};
}

void PhysMem::map_rom(uint32_t paddr, const RomImage& image, std::string name, size_t offset, size_t size) {
  if (!image.valid() || image.block >= blocks_.size() || !blocks_[image.block].rom)
    throw std::invalid_argument("ROM '" + name + "': not an image of this PhysMem");
  if (size == 0 && offset < image.size) size = image.size - offset;
  if (size == 0 || offset > image.size || size > image.size - offset || size > 0x100000000ull - paddr)
    throw std::invalid_argument("ROM '" + name + "' is empty, outside its image or extends past 4 GiB");
  const Block& b = blocks_[image.block];
  Region r{paddr, static_cast<uint32_t>(paddr + size), Region::Rom, std::move(name)};
  r.host = b.host + offset;
  r.file_offset = b.offset + offset;
  regions_.push_back(std::move(r));
  map_changed();
}

void PhysMem::add_rom(uint32_t paddr, std::span<const uint8_t> data, std::string name) {
  if (data.empty() || data.size() > 0x100000000ull - paddr)
    throw std::invalid_argument("ROM '" + name + "' is empty or extends past 4 GiB");
  const RomImage image = load_rom(data, name);
  map_rom(paddr, image, std::move(name));
}

std::span<uint8_t> PhysMem::alloc_device_ram(size_t bytes, std::string name) {
  if (bytes == 0 || bytes % kPageSize || bytes > 0x100000000ull)
    throw std::invalid_argument("device RAM '" + name + "' must be a non-zero multiple of 4 KiB, at most 4 GiB");
  Block& b = new_block(bytes, false, std::move(name));
  return {b.host, bytes};
}

void PhysMem::add_device_ram(uint32_t paddr, std::span<uint8_t> host, DirtyLog* log, std::string name) {
  if (host.empty() || host.size() > 0x100000000ull - paddr || paddr % kPageSize || host.size() % kPageSize ||
      log == nullptr || log->bytes() < host.size())
    throw std::invalid_argument("device RAM '" + name + "' is empty, unaligned, has no fitting log or extends past 4 GiB");
  const Block* owner = nullptr;
  for (const Block& b : blocks_)
    if (!b.rom && host.data() >= b.host && host.data() < b.host + b.bytes) owner = &b;
  const size_t at = owner ? size_t(host.data() - owner->host) : 0;
  if (!owner || at % kPageSize || host.size() > owner->bytes - at)
    throw std::invalid_argument("device RAM '" + name + "' is not (a page-aligned part of) memory from alloc_device_ram");
  Region r{paddr, static_cast<uint32_t>(paddr + host.size()), Region::DeviceRam, std::move(name)};
  r.host = host.data();
  r.file_offset = owner->offset + at;
  r.log = log;
  regions_.push_back(std::move(r));
  log->on_rearm = [this] { map_changed(); };
  map_changed();
}

void PhysMem::add_mmio(uint32_t paddr, uint32_t size, MmioHandler* handler, std::string name) {
  if (size == 0 || size > 0x100000000ull - paddr || handler == nullptr)
    throw std::invalid_argument("MMIO range '" + name + "' is empty, has no handler or extends past 4 GiB");
  Region r{paddr, paddr + size, Region::Mmio, std::move(name)};
  r.mmio = handler;
  regions_.push_back(std::move(r));
  map_changed();
}

bool PhysMem::remove_region(uint32_t paddr, uint32_t size) {
  for (auto it = regions_.rbegin(); it != regions_.rend(); ++it) {
    if (it->start != paddr || region_size(*it) != size) continue;
    DirtyLog* log = it->log;
    regions_.erase(std::next(it).base());
    // The log re-arms this PhysMem's mappings only while some region still maps its memory.
    if (log && std::none_of(regions_.begin(), regions_.end(), [log](const Region& r) { return r.log == log; }))
      log->on_rearm = nullptr;
    map_changed();
    return true;
  }
  return false;
}

// ---- listeners ----------------------------------------------------------------------------------

ListenerId PhysMem::add_map_listener(std::function<void()> fn, const void* owner) {
  const ListenerId id = next_listener_++;
  map_listeners_.add(id, owner, std::move(fn));
  return id;
}

ListenerId PhysMem::add_content_listener(std::function<void(uint32_t, uint32_t)> fn, const void* owner) {
  const ListenerId id = next_listener_++;
  content_listeners_.add(id, owner, std::move(fn));
  return id;
}

bool PhysMem::remove_listener(ListenerId id) {
  return id != 0 && (map_listeners_.remove(id) || content_listeners_.remove(id));
}

size_t PhysMem::remove_listeners(const void* owner) {
  return map_listeners_.remove_owner(owner) + content_listeners_.remove_owner(owner);
}

// ---- routing ------------------------------------------------------------------------------------

void PhysMem::set_a20(bool enabled) {
  if (enabled == a20_) return;
  a20_ = enabled;
  map_changed();
}

const PhysMem::Region* PhysMem::find_region(uint32_t paddr) const {
  for (auto it = regions_.rbegin(); it != regions_.rend(); ++it)
    if (region_contains(*it, paddr)) return &*it;
  return nullptr;
}

PhysMem::Route PhysMem::route(uint32_t paddr, bool write) const {
  if (paddr - kShadowBase >= kShadowEnd - kShadowBase) return Route::RegionsOverRam;
  switch (shadow_[(paddr - kShadowBase) / kShadowChunk]) {
    case Shadow::Unmanaged: return Route::RegionsOverRam;
    case Shadow::Pci: return Route::Regions;
    case Shadow::ReadOnly: return write ? Route::Regions : Route::Ram;
    case Shadow::WriteOnly: return write ? Route::Ram : Route::Regions;
    case Shadow::ReadWrite: return Route::Ram;
  }
  return Route::RegionsOverRam;
}

void PhysMem::set_shadow(uint32_t paddr, uint32_t size, Shadow mode) {
  if (paddr < kShadowBase || paddr % kShadowChunk || size % kShadowChunk || size > kShadowEnd - paddr)
    throw std::invalid_argument("PhysMem: shadow range outside the 16 KiB chunks of 0xC0000-0xFFFFF");
  bool changed = false;
  for (uint32_t a = paddr; a < paddr + size; a += kShadowChunk) {
    Shadow& m = shadow_[(a - kShadowBase) / kShadowChunk];
    if (m == mode) continue;
    m = mode;
    changed = true;
    content_changed(a, kShadowChunk);
  }
  if (changed) map_changed();
}

PhysMem::Shadow PhysMem::shadow(uint32_t paddr) const {
  if (paddr - kShadowBase >= kShadowEnd - kShadowBase) return Shadow::Unmanaged;
  return shadow_[(paddr - kShadowBase) / kShadowChunk];
}

PhysMem::Backing PhysMem::resolve(uint32_t paddr, const Region** region) {
  using Kind = Backing::Kind;
  const uint32_t base = (paddr & a20_mask()) & ~(kPageSize - 1);
  const Route reads = route(base, false);
  const auto ram = [&](bool writable) {
    return Backing{Kind::Ram, ram_ + base, memfd_, base, writable};
  };
  if (reads == Route::Ram)  // a shadow chunk reading RAM (chunks are whole pages)
    return base < ram_size_ ? ram(route(base, true) == Route::Ram) : Backing{};
  // A page only partly covered by its newest region has no direct host pointer: its accesses go
  // through read()/write(), which split them by region.
  bool whole_page = false;
  const Region* r = access_target(regions_, base, kPageSize, whole_page);
  if (!r) return reads == Route::RegionsOverRam && base < ram_size_ ? ram(true) : Backing{};
  if (!whole_page) return Backing{Kind::Split};
  if (r->kind == Region::Mmio) return Backing{Kind::Mmio};
  if (region) *region = r;
  const uint32_t in_region = base - r->start;
  const uint64_t offset = r->file_offset + in_region;
  Backing b{r->kind == Region::Rom ? Kind::Rom : Kind::DeviceRam, r->host + in_region};
  if (offset % kPageSize == 0) {  // a ROM window not page-aligned in its image cannot be mmap'ed
    b.fd = memfd_;
    b.offset = offset;
  }
  // Device RAM: writable once logged as dirty. ROM: never (under a WriteOnly chunk the slow path
  // sends writes to the RAM below).
  b.direct_write = r->kind == Region::DeviceRam && r->log->page_dirty(in_region / kPageSize);
  return b;
}

PhysMem::PageRef PhysMem::page(uint32_t paddr) {
  const Backing b = resolve(paddr);
  return {b.host, b.direct_write};
}

PhysMem::Backing PhysMem::backing(uint32_t paddr) { return resolve(paddr); }

// ---- accesses -----------------------------------------------------------------------------------

uint32_t PhysMem::read(uint32_t paddr, unsigned size) {
  check_access_size(size);
  const uint32_t a = paddr & a20_mask();
  const Route to = route(a, false);
  bool uniform = (a & (kPageSize - 1)) + size <= kPageSize;
  const Region* r = to == Route::Ram ? nullptr : access_target(regions_, a, size, uniform);
  if (!uniform) {  // straddles a page or a region edge: assemble it byte by byte
    uint32_t v = 0;
    for (unsigned i = 0; i < size; ++i) v |= read(paddr + i, 1) << (8 * i);
    return v;
  }
  uint32_t v = 0;
  if (!r) {
    if (to == Route::Regions || a >= ram_size_) return all_ones(size);  // unmapped
    std::memcpy(&v, ram_ + a, size);  // RAM ends on a page boundary: no straddle
  } else if (r->kind == Region::Mmio) {
    v = r->mmio->mmio_read(a, size);
  } else {  // ROM, device RAM
    std::memcpy(&v, r->host + (a - r->start), size);
  }
  return v;
}

void PhysMem::write(uint32_t paddr, uint32_t value, unsigned size) {
  check_access_size(size);
  const uint32_t a = paddr & a20_mask();
  const Route to = route(a, true);
  bool uniform = (a & (kPageSize - 1)) + size <= kPageSize;
  const Region* r = to == Route::Ram ? nullptr : access_target(regions_, a, size, uniform);
  if (!uniform) {
    for (unsigned i = 0; i < size; ++i) write(paddr + i, (value >> (8 * i)) & 0xFF, 1);
    return;
  }
  if (!r) {
    if (to == Route::Regions || a >= ram_size_) return;  // unmapped: dropped
    std::memcpy(ram_ + a, &value, size);
    content_changed(a, size);
  } else if (r->kind == Region::Mmio) {
    r->mmio->mmio_write(a, value, size);
  } else if (r->kind == Region::DeviceRam) {
    std::memcpy(r->host + (a - r->start), &value, size);
    r->log->mark(a - r->start, size);
  }  // ROM: dropped
}

void PhysMem::write_rom(const Region& r, uint32_t paddr, const uint8_t* src, size_t len) {
  pwrite_all(memfd_, src, len, r.file_offset + (paddr - r.start), r.name);  // the host mapping is read-only
  content_changed(paddr, uint32_t(len));
}

void PhysMem::copy_to(uint32_t paddr, const void* src, size_t len, bool force) {
  const uint8_t* in = static_cast<const uint8_t*>(src);
  while (len > 0) {
    const size_t chunk = std::min<size_t>(len, kPageSize - (paddr & (kPageSize - 1)));
    const uint32_t a = paddr & a20_mask();
    const Region* r = nullptr;
    const Backing b = resolve(paddr, &r);
    // `force` changes what reads of the page see: a ROM, or RAM in a read-only shadow chunk.
    if (b.host && (b.direct_write || (force && b.kind == Backing::Kind::Ram))) {
      std::memcpy(b.host + (a & (kPageSize - 1)), in, chunk);
      content_changed(a, uint32_t(chunk));
    } else if (force && b.kind == Backing::Kind::Rom) {
      write_rom(*r, a, in, chunk);
    } else {  // device RAM (logged), MMIO, pages split between regions, unmapped
      for (size_t i = 0; i < chunk; ++i) {
        const uint32_t ai = (paddr + uint32_t(i)) & a20_mask();
        const Region* ri = route(ai, true) == Route::Ram ? nullptr : find_region(ai);
        if (force && ri && ri->kind == Region::Rom) write_rom(*ri, ai, in + i, 1);
        else write(ai, in[i], 1);
      }
    }
    paddr += uint32_t(chunk);
    in += chunk;
    len -= chunk;
  }
}

void PhysMem::copy_from(uint32_t paddr, void* dst, size_t len) {
  uint8_t* out = static_cast<uint8_t*>(dst);
  while (len > 0) {
    const size_t chunk = std::min<size_t>(len, kPageSize - (paddr & (kPageSize - 1)));
    PageRef p = page(paddr);
    if (p.host) {
      std::memcpy(out, p.host + (paddr & (kPageSize - 1)), chunk);
    } else {
      for (size_t i = 0; i < chunk; ++i) out[i] = uint8_t(read(paddr + uint32_t(i), 1));
    }
    paddr += uint32_t(chunk);
    out += chunk;
    len -= chunk;
  }
}

}  // namespace bt86
