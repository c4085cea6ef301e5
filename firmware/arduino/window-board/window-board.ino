// manyi window-board firmware for an Arduino Uno or Nano (ATmega328P, 16 MHz).
//
// It speaks the part of Firmata 2.5 that johnny-five (firmata.js) uses: version
// and firmware reports, capability and analog-mapping reports, pin modes
// (input, output, pull-up, analog, PWM), digital and analog I/O, reporting and
// the sampling interval; and one SysEx extension, LEDCHAIN (ledchain.h), that
// takes a whole MAX7219 frame in one message and writes it with the AVR's
// hardware SPI. A stock StandardFirmata board does not report the extension and
// johnny-five falls back to pin writes on it.
//
// At boot it announces itself (REPORT_VERSION, then the firmware name), so a
// host that sees the announcement after the handshake knows the board reset and
// sends its chain configuration and frame again.
#include <Arduino.h>
#include "firmata.h"
#include "ledchain.h"

static const uint8_t PIN_COUNT = 20;          // D0..D13, A0..A5 (D14..D19)
static const uint8_t FIRST_ANALOG = 14;
static const uint8_t ANALOG_COUNT = 6;

static uint8_t pinMode_[PIN_COUNT];
static uint8_t reportPorts[3];                // ports whose inputs are reported
static uint8_t lastPortValue[3];
static uint8_t portSent[3];                   // a first value was sent since reporting started
static uint8_t analogReporting = 0;           // bit per analog channel
static uint16_t samplingMs = 19;
static unsigned long lastSample = 0;

// ---- the parser: MIDI-style commands and SysEx ----
static uint8_t cmd = 0;                       // command byte of the message being read
static uint8_t need = 0;                      // data bytes still expected
static uint8_t data[2];
static uint8_t nData = 0;
static bool inSysex = false;
static uint8_t sysex[FIRMATA_SYSEX_MAX];
static uint16_t sysexLen = 0;
static bool sysexOverflow = false;

static bool isPwm(uint8_t pin) { return pin == 3 || pin == 5 || pin == 6 || pin == 9 || pin == 10 || pin == 11; }
static bool isAnalog(uint8_t pin) { return pin >= FIRST_ANALOG && pin < FIRST_ANALOG + ANALOG_COUNT; }

static void sendFirmwareReport() {
  static const char name[] = FIRMWARE_NAME;
  Serial.write(START_SYSEX);
  Serial.write(REPORT_FIRMWARE);
  Serial.write(FIRMWARE_MAJOR);
  Serial.write(FIRMWARE_MINOR);
  for (uint8_t i = 0; name[i]; i++) { Serial.write(name[i] & 0x7f); Serial.write(name[i] >> 7); }
  Serial.write(END_SYSEX);
}

static void sendVersion() {
  Serial.write(REPORT_VERSION);
  Serial.write(FIRMATA_MAJOR);
  Serial.write(FIRMATA_MINOR);
}

static void sendCapabilities() {
  Serial.write(START_SYSEX);
  Serial.write(CAPABILITY_RESPONSE);
  for (uint8_t pin = 0; pin < PIN_COUNT; pin++) {
    if (pin >= 2) {   // D0/D1 carry this serial line
      Serial.write(MODE_INPUT); Serial.write(1);
      Serial.write(MODE_OUTPUT); Serial.write(1);
      Serial.write(MODE_PULLUP); Serial.write(1);
      if (isPwm(pin)) { Serial.write(MODE_PWM); Serial.write(8); }
      if (isAnalog(pin)) { Serial.write(MODE_ANALOG); Serial.write(10); }
    }
    Serial.write(0x7f);
  }
  Serial.write(END_SYSEX);
}

static void sendAnalogMapping() {
  Serial.write(START_SYSEX);
  Serial.write(ANALOG_MAPPING_RESPONSE);
  for (uint8_t pin = 0; pin < PIN_COUNT; pin++) Serial.write(isAnalog(pin) ? pin - FIRST_ANALOG : 127);
  Serial.write(END_SYSEX);
}

static void sendPinState(uint8_t pin) {
  if (pin >= PIN_COUNT) return;
  Serial.write(START_SYSEX);
  Serial.write(PIN_STATE_RESPONSE);
  Serial.write(pin);
  Serial.write(pinMode_[pin]);
  Serial.write(digitalRead(pin) & 0x7f);
  Serial.write(END_SYSEX);
}

/** The input pins of port `p` as a bit mask, read straight from the port registers. */
static uint8_t readPort(uint8_t p) {
  uint8_t raw = p == 0 ? PIND : p == 1 ? (PINB & 0x3f) : (PINC & 0x3f);
  uint8_t mask = 0;
  for (uint8_t i = 0; i < 8; i++) {
    uint8_t pin = p * 8 + i;
    if (pin < PIN_COUNT && (pinMode_[pin] == MODE_INPUT || pinMode_[pin] == MODE_PULLUP)) mask |= 1 << i;
  }
  return raw & mask;
}

static void sendPort(uint8_t p, uint8_t v) {
  Serial.write(DIGITAL_MESSAGE | p);
  Serial.write(v & 0x7f);
  Serial.write(v >> 7);
}

static void reportChangedPorts(bool force) {
  for (uint8_t p = 0; p < 3; p++) {
    if (!reportPorts[p]) continue;
    uint8_t v = readPort(p);
    if (force || !portSent[p] || v != lastPortValue[p]) {
      lastPortValue[p] = v;
      portSent[p] = 1;
      sendPort(p, v);
    }
  }
}

static void setMode(uint8_t pin, uint8_t mode) {
  if (pin < 2 || pin >= PIN_COUNT) return;
  if (ledchainOwns(pin)) return;                // a configured chain's pins stay outputs
  switch (mode) {
    case MODE_INPUT: pinMode(pin, INPUT); break;
    case MODE_PULLUP: pinMode(pin, INPUT_PULLUP); break;
    case MODE_OUTPUT: digitalWrite(pin, LOW); pinMode(pin, OUTPUT); break;
    case MODE_PWM: if (!isPwm(pin)) return; pinMode(pin, OUTPUT); analogWrite(pin, 0); break;
    case MODE_ANALOG: if (!isAnalog(pin)) return; pinMode(pin, INPUT); break;
    default: return;                             // a mode this board does not have: ignored
  }
  if (isAnalog(pin)) {
    uint8_t bit = 1 << (pin - FIRST_ANALOG);
    if (mode != MODE_ANALOG) analogReporting &= ~bit;
  }
  pinMode_[pin] = mode;
  if (mode == MODE_INPUT || mode == MODE_PULLUP) portSent[pin / 8] = 0;   // report the new input's level
}

static void writePort(uint8_t p, uint8_t value) {
  for (uint8_t i = 0; i < 8; i++) {
    uint8_t pin = p * 8 + i;
    if (pin < 2 || pin >= PIN_COUNT || ledchainOwns(pin)) continue;
    uint8_t bit = (value >> i) & 1;
    if (pinMode_[pin] == MODE_OUTPUT) digitalWrite(pin, bit);
    // Firmata 2.5: writing 1 to an input turns its pull-up on.
    else if (pinMode_[pin] == MODE_INPUT && bit) setMode(pin, MODE_PULLUP);
    else if (pinMode_[pin] == MODE_PULLUP && !bit) setMode(pin, MODE_INPUT);
  }
}

static void systemReset() {
  pinMode_[0] = pinMode_[1] = MODE_IGNORE;     // the serial line
  for (uint8_t pin = 2; pin < PIN_COUNT; pin++) {
    pinMode_[pin] = MODE_OUTPUT;
    pinMode(pin, OUTPUT);
    digitalWrite(pin, LOW);
  }
  for (uint8_t p = 0; p < 3; p++) { reportPorts[p] = 0; portSent[p] = 0; lastPortValue[p] = 0; }
  analogReporting = 0;
  samplingMs = 19;
  ledchainReset();
}

static void handleSysex() {
  if (sysexLen == 0 || sysexOverflow) return;
  uint8_t id = sysex[0];
  const uint8_t *d = sysex + 1;
  uint16_t n = sysexLen - 1;
  switch (id) {
    case REPORT_FIRMWARE: sendFirmwareReport(); break;
    case CAPABILITY_QUERY: sendCapabilities(); break;
    case ANALOG_MAPPING_QUERY: sendAnalogMapping(); break;
    case PIN_STATE_QUERY: if (n >= 1) sendPinState(d[0]); break;
    case SAMPLING_INTERVAL:
      if (n >= 2) { samplingMs = d[0] | (d[1] << 7); if (samplingMs < 10) samplingMs = 10; }
      break;
    case EXTENDED_ANALOG:
      if (n >= 2 && d[0] < PIN_COUNT && pinMode_[d[0]] == MODE_PWM) {
        uint16_t v = d[1] | (n >= 3 ? d[2] << 7 : 0);
        analogWrite(d[0], v > 255 ? 255 : v);
      }
      break;
    case LEDCHAIN: ledchainSysex(d, n); break;
    default: break;                              // unknown SysEx: ignored, as StandardFirmata does
  }
}

static void handleMessage() {
  uint8_t type = cmd < 0xf0 ? cmd & 0xf0 : cmd;
  uint8_t ch = cmd & 0x0f;
  switch (type) {
    case DIGITAL_MESSAGE: writePort(ch, data[0] | (data[1] << 7)); break;
    case ANALOG_MESSAGE:
      if (ch < PIN_COUNT && pinMode_[ch] == MODE_PWM) analogWrite(ch, data[0] | (data[1] << 7));
      break;
    case REPORT_ANALOG:
      if (ch < ANALOG_COUNT) {
        if (data[0]) { analogReporting |= 1 << ch; setMode(FIRST_ANALOG + ch, MODE_ANALOG); }
        else analogReporting &= ~(1 << ch);
      }
      break;
    case REPORT_DIGITAL:
      if (ch < 3) { reportPorts[ch] = data[0] ? 1 : 0; portSent[ch] = 0; }
      break;
    case SET_PIN_MODE: setMode(data[0], data[1]); break;
    case SET_DIGITAL_PIN_VALUE:
      if (data[0] < PIN_COUNT && pinMode_[data[0]] == MODE_OUTPUT && !ledchainOwns(data[0])) digitalWrite(data[0], data[1] ? HIGH : LOW);
      break;
  }
}

/** Bytes a command carries (0 = none, e.g. REPORT_VERSION). */
static uint8_t dataLength(uint8_t c) {
  uint8_t type = c < 0xf0 ? c & 0xf0 : c;
  switch (type) {
    case DIGITAL_MESSAGE: case ANALOG_MESSAGE: case SET_PIN_MODE: case SET_DIGITAL_PIN_VALUE: return 2;
    case REPORT_ANALOG: case REPORT_DIGITAL: return 1;
    default: return 0;
  }
}

static void receive(uint8_t b) {
  if (inSysex) {
    if (b == END_SYSEX) { inSysex = false; handleSysex(); return; }
    if (b & 0x80) { inSysex = false; /* a command inside a SysEx: the SysEx was cut short, drop it */ }
    else {
      if (sysexLen < FIRMATA_SYSEX_MAX) sysex[sysexLen++] = b; else sysexOverflow = true;
      return;
    }
  }
  if (b & 0x80) {
    if (b == START_SYSEX) { inSysex = true; sysexLen = 0; sysexOverflow = false; need = 0; return; }
    if (b == REPORT_VERSION) { sendVersion(); need = 0; return; }
    if (b == SYSTEM_RESET) { systemReset(); need = 0; return; }
    cmd = b;
    need = dataLength(b);
    nData = 0;
    return;
  }
  // A data byte with no command before it (bytes left from before a reset): ignored.
  if (need == 0) return;
  data[nData++] = b;
  if (--need == 0) handleMessage();
}

void setup() {
  Serial.begin(57600);
  systemReset();
  sendVersion();
  sendFirmwareReport();
}

void loop() {
  while (Serial.available() > 0) receive(Serial.read());
  reportChangedPorts(false);
  unsigned long now = millis();
  if (analogReporting && now - lastSample >= samplingMs) {
    lastSample = now;
    for (uint8_t c = 0; c < ANALOG_COUNT; c++) {
      if (!(analogReporting & (1 << c))) continue;
      int v = analogRead(c);
      Serial.write(ANALOG_MESSAGE | c);
      Serial.write(v & 0x7f);
      Serial.write(v >> 7);
    }
  }
}
