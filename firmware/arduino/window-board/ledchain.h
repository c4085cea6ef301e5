// LEDCHAIN: a Firmata SysEx extension for MAX7219 chains (7-segment digit
// modules and 8x8 matrices). One message carries a whole frame (every row
// register of every device), written with the AVR's hardware SPI when the
// chain is on MOSI (D11) and SCK (D13), and by shifting the pins otherwise.
//
//   F0 0C 00 chain devices din clk cs F7   configure chain 0|1 (1-16 devices); replies F0 0C 00 chain ok F7
//   F0 0C 01 chain <7-bit packed devices*8 bytes> F7
//                                          frame: device 0 rows 0-7, device 1 rows 0-7, ...
//   F0 0C 02 chain reg <7-bit packed devices bytes> F7
//                                          one register of every device
//   F0 0C 03 chain level F7                intensity 0-15, every device
//   F0 0C 04 chain on F7                   shutdown register: 1 = on, 0 = shut down
//   F0 0C 05 F7                            query; replies F0 0C 05 version chains maxDevices F7
//
// 7-bit packing is Firmata's Encoder7Bit (firmata.js: encoder7bit.js).
#pragma once
#include <stdint.h>

#define LEDCHAIN_VERSION 1
#define LEDCHAIN_CHAINS 2
#define LEDCHAIN_MAX_DEVICES 16

void ledchainSysex(const uint8_t *d, uint16_t n);
/** True if `pin` drives a configured chain (Firmata pin writes leave it alone). */
bool ledchainOwns(uint8_t pin);
/** Forgets every chain (Firmata SYSTEM_RESET). */
void ledchainReset();
