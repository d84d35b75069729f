// MMC command execution for the emulated CD/DVD-ROM drive (see cdrom_mmc.h). Multi-byte fields
// in command blocks and replies are big-endian, as in SCSI.
#include "devices/cdrom_mmc.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "version.h"

namespace bt86 {

namespace {

// Operation codes.
constexpr uint8_t kTestUnitReady = 0x00, kRequestSense = 0x03, kInquiry = 0x12, kModeSense6 = 0x1A,
                  kStartStopUnit = 0x1B, kPreventAllow = 0x1E, kReadCapacity = 0x25, kRead10 = 0x28,
                  kReadToc = 0x43, kGetConfiguration = 0x46, kGetEventStatus = 0x4A,
                  kReadDiscInformation = 0x51, kModeSense10 = 0x5A, kRead12 = 0xA8,
                  kSetCdSpeed = 0xBB, kMechanismStatus = 0xBD;

constexpr uint8_t kPageErrorRecovery = 0x01, kPageCapabilities = 0x2A, kPageAll = 0x3F;
constexpr uint8_t kPageControlChangeable = 1, kPageControlSaved = 3;
constexpr uint16_t kProfileCdRom = 0x0008, kProfileDvdRom = 0x0010;
constexpr uint16_t kFeatureProfileList = 0x0000, kFeatureCore = 0x0001;
constexpr uint8_t kTrackLeadOut = 0xAA, kAdrControlDataTrack = 0x14;
constexpr uint16_t kSpeedKBps = 706;  // 4x CD
constexpr uint32_t kMsfOffset = 150;  // 2 seconds of pregap

uint32_t be16(const uint8_t* p) { return uint32_t(p[0]) << 8 | p[1]; }
uint32_t be32(const uint8_t* p) { return be16(p) << 16 | be16(p + 2); }
void put16(std::vector<uint8_t>& v, size_t at, uint32_t x) { v[at] = uint8_t(x >> 8); v[at + 1] = uint8_t(x); }
void put32(std::vector<uint8_t>& v, size_t at, uint32_t x) { put16(v, at, x >> 16); put16(v, at + 2, x); }
void append16(std::vector<uint8_t>& v, uint32_t x) { v.push_back(uint8_t(x >> 8)); v.push_back(uint8_t(x)); }
void append32(std::vector<uint8_t>& v, uint32_t x) { append16(v, x >> 16); append16(v, x); }

// An address in READ TOC format: LBA, or 0:M:S:F.
void append_address(std::vector<uint8_t>& v, uint32_t lba, bool msf) {
  if (!msf) { append32(v, lba); return; }
  const uint32_t f = lba + kMsfOffset;
  v.push_back(0);
  v.push_back(uint8_t(f / (75 * 60)));
  v.push_back(uint8_t(f / 75 % 60));
  v.push_back(uint8_t(f % 75));
}

void put_ascii(std::vector<uint8_t>& v, size_t at, size_t len, const std::string& s) {
  for (size_t i = 0; i < len; ++i) v[at + i] = uint8_t(i < s.size() ? s[i] : ' ');
}

CdromMmc::Result data(std::vector<uint8_t> bytes, uint32_t alloc) {
  if (bytes.size() > alloc) bytes.resize(alloc);
  CdromMmc::Result r;
  r.data = std::move(bytes);
  return r;
}

CdromMmc::Result error(uint8_t key, uint8_t asc, uint8_t ascq = 0) {
  CdromMmc::Result r;
  r.sense_key = key;
  r.asc = asc;
  r.ascq = ascq;
  return r;
}

CdromMmc::Result invalid_field() { return error(scsi::kIllegalRequest, scsi::kAscInvalidField); }

}  // namespace

CdromMmc::CdromMmc(std::unique_ptr<DiskImage> image)
    : image_(std::move(image)), sectors_(uint32_t(image_->size_bytes() / kSectorSize)) {
  if (sectors_ == 0)
    throw std::runtime_error("CD image '" + image_->path() + "' is smaller than one 2048-byte sector");
}

CdromMmc::Result CdromMmc::execute(const Cdb& cdb) {
  const uint8_t op = cdb[0];
  Result r;
  switch (op) {
    case kRequestSense: return request_sense(cdb);  // reports (and clears) the last error
    case kTestUnitReady: case kStartStopUnit: case kSetCdSpeed: break;  // nothing to do
    case kPreventAllow: locked_ = cdb[4] & 1; break;
    case kInquiry: r = inquiry(cdb); break;
    case kReadCapacity: r = read_capacity(cdb); break;
    case kRead10: r = read(be32(&cdb[2]), be16(&cdb[7])); break;
    case kRead12: r = read(be32(&cdb[2]), be32(&cdb[6])); break;
    case kModeSense6: case kModeSense10: r = mode_sense(cdb); break;
    case kReadToc: r = read_toc(cdb); break;
    case kGetConfiguration: r = get_configuration(cdb); break;
    case kGetEventStatus: r = get_event_status(cdb); break;
    case kReadDiscInformation: r = read_disc_information(cdb); break;
    case kMechanismStatus: r = mechanism_status(cdb); break;
    default:
      if (!warned_[op]) {
        warned_[op] = true;
        std::fprintf(stderr, "bt86: ide cdrom: unsupported SCSI command 0x%02x (ILLEGAL REQUEST)\n", op);
      }
      r = error(scsi::kIllegalRequest, scsi::kAscInvalidOpcode);
      break;
  }
  last_error_ = r.good() ? Result{} : error(r.sense_key, r.asc, r.ascq);
  return r;
}

CdromMmc::Result CdromMmc::request_sense(const Cdb& cdb) {
  std::vector<uint8_t> s(18, 0);
  s[0] = 0x70;  // current error, fixed format
  s[2] = last_error_.sense_key;
  s[7] = 10;    // additional sense length
  s[12] = last_error_.asc;
  s[13] = last_error_.ascq;
  last_error_ = Result{};
  return data(std::move(s), cdb[4]);
}

CdromMmc::Result CdromMmc::inquiry(const Cdb& cdb) {
  if (cdb[1] & 1) return invalid_field();  // no vital product data pages
  std::vector<uint8_t> d(36, 0);
  d[0] = 0x05;  // CD/DVD device
  d[1] = 0x80;  // removable medium
  d[2] = 0x00;  // no SCSI version claimed (ATAPI)
  d[3] = 0x21;  // ATAPI transport, response data format 1
  d[4] = uint8_t(d.size() - 5);
  put_ascii(d, 8, 8, "bt86");
  put_ascii(d, 16, 16, "bt86 DVD-ROM");
  put_ascii(d, 32, 4, kBt86Version);
  return data(std::move(d), be16(&cdb[3]));
}

CdromMmc::Result CdromMmc::read_capacity(const Cdb&) {
  std::vector<uint8_t> d(8, 0);
  put32(d, 0, sectors_ - 1);  // last LBA
  put32(d, 4, kSectorSize);
  return data(std::move(d), 8);
}

CdromMmc::Result CdromMmc::read(uint32_t lba, uint32_t count) {
  if (uint64_t(lba) + count > sectors_) return error(scsi::kIllegalRequest, scsi::kAscLbaOutOfRange);
  if (count > kMaxReadSectors) return invalid_field();
  Result r;
  r.data.resize(size_t(count) * kSectorSize);
  if (!image_->read(uint64_t(lba) * kSectorSize, r.data.data(), r.data.size()))
    return error(scsi::kMediumError, scsi::kAscUnrecoveredRead);
  return r;
}

std::vector<uint8_t> CdromMmc::mode_page(uint8_t page, bool changeable) const {
  std::vector<uint8_t> p;
  if (page == kPageErrorRecovery) {
    p = {kPageErrorRecovery, 6, 0x00, 5 /* read retry count */, 0, 0, 0, 0};
  } else if (page == kPageCapabilities) {
    p.assign(20, 0);
    p[0] = kPageCapabilities;
    p[1] = uint8_t(p.size() - 2);
    p[2] = 0x3B;  // reads CD-R, CD-RW, method 2, DVD-ROM, DVD-R
    p[4] = 0x71;  // audio play, multi-session, mode 2 form 1/2
    p[5] = 0x1D;  // CD-DA commands, stream accurate, R-W subchannel
    p[6] = uint8_t(0x29 | (locked_ ? 0x02 : 0));  // tray, eject, lock (state)
    put16(p, 8, kSpeedKBps);    // maximum read speed
    put16(p, 10, 0x00FF);       // volume levels
    put16(p, 12, 512);          // buffer size (KiB)
    put16(p, 14, kSpeedKBps);   // current read speed
  }
  if (changeable) std::fill(p.begin() + std::min<size_t>(2, p.size()), p.end(), 0);  // nothing is
  return p;
}

CdromMmc::Result CdromMmc::mode_sense(const Cdb& cdb) {
  const bool ten = cdb[0] == kModeSense10;
  const uint8_t page = cdb[2] & 0x3F, control = cdb[2] >> 6;
  if (control == kPageControlSaved) return error(scsi::kIllegalRequest, scsi::kAscSavingNotSupported);
  const bool changeable = control == kPageControlChangeable;
  std::vector<uint8_t> pages;
  if (page == kPageAll) {
    for (uint8_t p : {kPageErrorRecovery, kPageCapabilities}) {
      auto bytes = mode_page(p, changeable);
      pages.insert(pages.end(), bytes.begin(), bytes.end());
    }
  } else {
    pages = mode_page(page, changeable);
    if (pages.empty()) return invalid_field();
  }
  // Header without block descriptors: MODE SENSE(10) 8 bytes, (6) 4 bytes.
  std::vector<uint8_t> d(ten ? 8 : 4, 0);
  d.insert(d.end(), pages.begin(), pages.end());
  if (ten) put16(d, 0, uint32_t(d.size() - 2));
  else d[0] = uint8_t(d.size() - 1);
  return data(std::move(d), ten ? be16(&cdb[7]) : cdb[4]);
}

CdromMmc::Result CdromMmc::read_toc(const Cdb& cdb) {
  const bool msf = cdb[1] & 0x02;
  uint8_t format = cdb[2] & 0x0F;
  if (format == 0) format = cdb[9] >> 6;  // the older place of the format field
  const uint8_t track = cdb[6];
  std::vector<uint8_t> d = {0, 0, 1, 1};  // length (filled below), first and last track/session
  auto descriptor = [&](uint8_t number, uint32_t lba) {
    d.insert(d.end(), {0, kAdrControlDataTrack, number, 0});
    append_address(d, lba, msf);
  };
  if (format == 0) {
    if (track > 1 && track != kTrackLeadOut) return invalid_field();
    if (track <= 1) descriptor(1, 0);
    descriptor(kTrackLeadOut, sectors_);
  } else if (format == 1) {  // session information: the first track of the last session
    descriptor(1, 0);
  } else {
    return invalid_field();
  }
  put16(d, 0, uint32_t(d.size() - 2));
  return data(std::move(d), be16(&cdb[7]));
}

CdromMmc::Result CdromMmc::get_configuration(const Cdb& cdb) {
  const uint8_t rt = cdb[1] & 0x03;
  const uint16_t first = uint16_t(be16(&cdb[2]));
  const uint16_t current = is_dvd() ? kProfileDvdRom : kProfileCdRom;
  struct Feature { uint16_t code; std::vector<uint8_t> body; };
  const Feature features[] = {
      {kFeatureProfileList,
       {0x03, 8,  // current and persistent, version 0; two profile descriptors
        kProfileDvdRom >> 8, kProfileDvdRom & 0xFF, uint8_t(is_dvd() ? 1 : 0), 0,
        kProfileCdRom >> 8, kProfileCdRom & 0xFF, uint8_t(is_dvd() ? 0 : 1), 0}},
      {kFeatureCore, {0x0B, 8, 0, 0, 0, 2 /* ATAPI */, 0, 0, 0, 0}},  // version 2, current
  };
  std::vector<uint8_t> d(8, 0);
  put16(d, 6, current);
  for (const Feature& f : features) {
    const bool wanted = rt == 2 ? f.code == first : f.code >= first;  // RT 0 and 1: all current
    if (!wanted) continue;
    append16(d, f.code);
    d.insert(d.end(), f.body.begin(), f.body.end());
  }
  put32(d, 0, uint32_t(d.size() - 4));
  return data(std::move(d), be16(&cdb[7]));
}

CdromMmc::Result CdromMmc::get_event_status(const Cdb& cdb) {
  constexpr uint8_t kMediaClass = 0x10, kMediaClassCode = 4, kNoEventAvailable = 0x80;
  if (!(cdb[1] & 1)) return invalid_field();  // asynchronous notification is not supported
  std::vector<uint8_t> d = {0, 0, 0, kMediaClass};
  if (cdb[4] & kMediaClass) {
    d[2] = kMediaClassCode;
    d.insert(d.end(), {0 /* no change */, 0x02 /* medium present, tray closed */, 0, 0});
  } else {
    d[2] = kNoEventAvailable;
  }
  put16(d, 0, uint32_t(d.size() - 2));
  return data(std::move(d), be16(&cdb[7]));
}

CdromMmc::Result CdromMmc::read_disc_information(const Cdb& cdb) {
  if (cdb[1] & 0x07) return invalid_field();  // only standard disc information
  std::vector<uint8_t> d(34, 0);
  put16(d, 0, uint32_t(d.size() - 2));
  d[2] = 0x0E;  // last session complete, disc complete (not erasable)
  d[3] = 1;     // first track
  d[4] = 1;     // sessions
  d[5] = 1;     // first track of the last session
  d[6] = 1;     // last track of the last session
  d[7] = 0x20;  // unrestricted use
  put32(d, 16, 0xFFFFFFFF);  // no lead-in of a next session
  put32(d, 20, 0xFFFFFFFF);  // no last possible lead-out
  return data(std::move(d), be16(&cdb[7]));
}

CdromMmc::Result CdromMmc::mechanism_status(const Cdb& cdb) {
  return data(std::vector<uint8_t>(8, 0), be16(&cdb[8]));  // idle, no changer slots
}

}  // namespace bt86
