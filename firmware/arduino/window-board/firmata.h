// The Firmata 2.5 message and mode numbers this firmware uses (the same values
// as firmata.js and StandardFirmata), and the firmware's own name and version.
#pragma once

#define FIRMWARE_NAME "manyi-window"
#define FIRMWARE_MAJOR 1
#define FIRMWARE_MINOR 0
#define FIRMATA_MAJOR 2
#define FIRMATA_MINOR 5

// Largest SysEx body kept (a 16-device LEDCHAIN frame is 3 + 147 bytes).
#define FIRMATA_SYSEX_MAX 160

#define DIGITAL_MESSAGE 0x90
#define ANALOG_MESSAGE 0xE0
#define REPORT_ANALOG 0xC0
#define REPORT_DIGITAL 0xD0
#define SET_PIN_MODE 0xF4
#define SET_DIGITAL_PIN_VALUE 0xF5
#define REPORT_VERSION 0xF9
#define SYSTEM_RESET 0xFF
#define START_SYSEX 0xF0
#define END_SYSEX 0xF7

#define ANALOG_MAPPING_QUERY 0x69
#define ANALOG_MAPPING_RESPONSE 0x6A
#define CAPABILITY_QUERY 0x6B
#define CAPABILITY_RESPONSE 0x6C
#define PIN_STATE_QUERY 0x6D
#define PIN_STATE_RESPONSE 0x6E
#define EXTENDED_ANALOG 0x6F
#define REPORT_FIRMWARE 0x79
#define SAMPLING_INTERVAL 0x7A

// Ours, from Firmata's user-defined SysEx range (0x01-0x0F).
#define LEDCHAIN 0x0C

#define MODE_INPUT 0x00
#define MODE_OUTPUT 0x01
#define MODE_ANALOG 0x02
#define MODE_PWM 0x03
#define MODE_PULLUP 0x0B
#define MODE_IGNORE 0x7F
