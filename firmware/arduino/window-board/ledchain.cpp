#include <Arduino.h>
#include <SPI.h>
#include "firmata.h"
#include "ledchain.h"

enum { SUB_CONFIG = 0, SUB_FRAME = 1, SUB_REGISTER = 2, SUB_INTENSITY = 3, SUB_SHUTDOWN = 4, SUB_QUERY = 5 };
enum { REG_DIGIT0 = 0x01, REG_DECODE = 0x09, REG_INTENSITY = 0x0A, REG_SCANLIMIT = 0x0B, REG_SHUTDOWN = 0x0C, REG_DISPLAYTEST = 0x0F };

struct Chain {
  uint8_t devices;      // 0 = not configured
  uint8_t din, clk, cs;
  bool hardware;        // on the SPI pins
};

static Chain chains[LEDCHAIN_CHAINS];
static bool spiStarted = false;
static uint8_t buf[LEDCHAIN_MAX_DEVICES * 8];

static void shiftByte(const Chain &c, uint8_t v) {
  if (c.hardware) { SPI.transfer(v); return; }
  for (int8_t i = 7; i >= 0; i--) {
    digitalWrite(c.clk, LOW);
    digitalWrite(c.din, (v >> i) & 1);
    digitalWrite(c.clk, HIGH);
  }
}

static void begin(const Chain &c) {
  if (c.hardware) SPI.beginTransaction(SPISettings(4000000, MSBFIRST, SPI_MODE0));
  digitalWrite(c.cs, LOW);
}

static void end(const Chain &c) {
  digitalWrite(c.cs, HIGH);
  if (c.hardware) SPI.endTransaction();
}

/** Writes register `reg` of every device: the first word shifted ends up in the last device. */
static void writeAll(const Chain &c, uint8_t reg, const uint8_t *values, uint8_t stride) {
  begin(c);
  for (int8_t d = c.devices - 1; d >= 0; d--) { shiftByte(c, reg); shiftByte(c, values[d * stride]); }
  end(c);
}

static void writeSame(const Chain &c, uint8_t reg, uint8_t value) {
  begin(c);
  for (uint8_t d = 0; d < c.devices; d++) { shiftByte(c, reg); shiftByte(c, value); }
  end(c);
}

/** Firmata's Encoder7Bit, decoding: `n` 7-bit bytes into at most `max` bytes; returns how many. */
static uint16_t unpack7(const uint8_t *in, uint16_t n, uint8_t *out, uint16_t max) {
  uint16_t count = (uint32_t)n * 7 / 8;
  if (count > max) count = max;
  for (uint16_t i = 0; i < count; i++) {
    uint16_t j = i << 3;
    uint16_t pos = j / 7;
    uint8_t shift = j % 7;
    uint8_t next = pos + 1 < n ? in[pos + 1] : 0;
    out[i] = (in[pos] >> shift) | ((next << (7 - shift)) & 0xff);
  }
  return count;
}

static void reply(uint8_t sub, const uint8_t *d, uint8_t n) {
  Serial.write(START_SYSEX);
  Serial.write(LEDCHAIN);
  Serial.write(sub);
  for (uint8_t i = 0; i < n; i++) Serial.write(d[i] & 0x7f);
  Serial.write(END_SYSEX);
}

static bool validPin(uint8_t p) { return p >= 2 && p <= 19; }

static bool configure(uint8_t id, uint8_t devices, uint8_t din, uint8_t clk, uint8_t cs) {
  if (id >= LEDCHAIN_CHAINS || devices < 1 || devices > LEDCHAIN_MAX_DEVICES) return false;
  if (!validPin(din) || !validPin(clk) || !validPin(cs) || din == clk || din == cs || clk == cs) return false;
  Chain &c = chains[id];
  c.devices = devices; c.din = din; c.clk = clk; c.cs = cs;
  c.hardware = din == MOSI && clk == SCK;
  pinMode(cs, OUTPUT);
  digitalWrite(cs, HIGH);
  if (c.hardware) {
    if (!spiStarted) { SPI.begin(); spiStarted = true; }
  } else {
    pinMode(din, OUTPUT);
    pinMode(clk, OUTPUT);
    digitalWrite(clk, LOW);
  }
  // The chips power up in an unknown state: set every control register.
  writeSame(c, REG_DISPLAYTEST, 0);
  writeSame(c, REG_SCANLIMIT, 7);
  writeSame(c, REG_DECODE, 0);
  writeSame(c, REG_INTENSITY, 8);
  for (uint8_t r = 0; r < 8; r++) writeSame(c, REG_DIGIT0 + r, 0);
  writeSame(c, REG_SHUTDOWN, 1);
  return true;
}

void ledchainSysex(const uint8_t *d, uint16_t n) {
  if (n < 1) return;
  uint8_t sub = d[0];
  if (sub == SUB_QUERY) {
    const uint8_t info[] = { LEDCHAIN_VERSION, LEDCHAIN_CHAINS, LEDCHAIN_MAX_DEVICES };
    reply(SUB_QUERY, info, sizeof info);
    return;
  }
  if (n < 2 || d[1] >= LEDCHAIN_CHAINS) return;
  uint8_t id = d[1];
  Chain &c = chains[id];
  if (sub == SUB_CONFIG) {
    const uint8_t ok[] = { id, (uint8_t)(n >= 6 && configure(id, d[2], d[3], d[4], d[5])) };
    reply(SUB_CONFIG, ok, sizeof ok);
    return;
  }
  if (c.devices == 0) return;   // not configured (e.g. the board reset): the host configures again
  switch (sub) {
    case SUB_FRAME: {
      uint16_t want = c.devices * 8;
      if (unpack7(d + 2, n - 2, buf, sizeof buf) < want) return;   // a short frame is dropped whole
      for (uint8_t r = 0; r < 8; r++) writeAll(c, REG_DIGIT0 + r, buf + r, 8);
      break;
    }
    case SUB_REGISTER:
      if (n < 3 || d[2] > 0x0f) return;
      if (unpack7(d + 3, n - 3, buf, sizeof buf) < c.devices) return;
      writeAll(c, d[2], buf, 1);
      break;
    case SUB_INTENSITY:
      if (n >= 3) writeSame(c, REG_INTENSITY, d[2] & 0x0f);
      break;
    case SUB_SHUTDOWN:
      if (n >= 3) writeSame(c, REG_SHUTDOWN, d[2] ? 1 : 0);
      break;
  }
}

bool ledchainOwns(uint8_t pin) {
  for (uint8_t i = 0; i < LEDCHAIN_CHAINS; i++) {
    const Chain &c = chains[i];
    if (!c.devices) continue;
    if (pin == c.cs) return true;
    if (c.hardware ? (pin == MOSI || pin == SCK || pin == MISO || pin == SS) : (pin == c.din || pin == c.clk)) return true;
  }
  return false;
}

void ledchainReset() {
  for (uint8_t i = 0; i < LEDCHAIN_CHAINS; i++) chains[i].devices = 0;
  if (spiStarted) { SPI.end(); spiStarted = false; }
}
