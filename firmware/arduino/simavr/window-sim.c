/*
 * window-sim: runs a window board's firmware (.hex) on a simulated ATmega328P
 * (16 MHz, simavr), in real time, for the tests and the bench.
 *
 *  - UART0 is bridged to a pseudo-terminal: johnny-five opens it as it opens an
 *    Arduino's USB serial port.
 *  - What the MAX7219s would receive is read off the pins: between a chip-select
 *    pin falling and rising, every bit the AVR clocks out (its hardware SPI, or
 *    its data/clock pins toggled by hand) is collected and printed when the
 *    chip select rises, the moment the chips latch it.
 *  - Input pins can be driven (buttons), and the AVR reset (as the USB-serial
 *    adapter's DTR line or a brown-out does).
 *
 * With --bootloader, the AVR starts in that bootloader at every reset (Optiboot:
 * STK500v1 at 115200 baud, then the sketch), as an Uno or Nano does.
 *
 * stdout, one line each:   READY <pty path>
 *                          LATCH <cs pin> <bit count> <bits as hex, MSB first> <cycle> <cycles CS was low>
 *                          RX <cycle>              the first byte from the host after a quiet 20 ms
 *                                                  (longer than the UART FIFO's 64 bytes take to drain)
 *                          (cycles are the AVR's clock, 16 per µs: timings that hold however busy the host is)
 *                          PIN <D> <0|1>           an output pin that is no chain's changed
 *                          RELEASED <D>            a timed press ended (the button is up again)
 *                          RESET
 * stdin, one line each:    chip <cs> <din> <clk>   watch a chain's pins (Arduino D numbers)
 *                          pin <D> <0|1>           hold a pin at a level from outside (a button and its
 *                                                  pull-up); it reads so whenever the AVR does not drive it
 *                          press <D> <ms>          a button to GND: held low for <ms> of the AVR's
 *                                                  time (however busy the host is), then released high
 *                          adc <channel> <mV>      the voltage on analog input A<channel>
 *                          reset                   reset the AVR
 *                          quit
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <simavr/sim_avr.h>
#include <simavr/sim_hex.h>
#include <simavr/sim_irq.h>
#include <simavr/avr_adc.h>
#include <simavr/avr_ioport.h>
#include <simavr/avr_spi.h>
#include <simavr/avr_uart.h>

#define MAX_CHIPS 4
#define MAX_BITS 4096

typedef struct {
	int cs, din, clk;
	int selected;
	int nbits;
	avr_cycle_count_t since;
	uint8_t bits[MAX_BITS / 8];
} chip_t;

static avr_t *avr;
static chip_t chips[MAX_CHIPS];
static int nchips;
static int level[20];               /* last level seen on each Arduino pin */
static int master_fd = -1, slave_fd = -1;
static int uart_xon = 1;
static uint8_t rx[4096];            /* bytes from the pty not yet given to the UART */
static size_t rx_len, rx_pos;
static avr_irq_t *uart_in;

/* Arduino D number -> port letter and bit. */
static char port_of(int d) { return d < 8 ? 'D' : d < 14 ? 'B' : 'C'; }
static int bit_of(int d) { return d < 8 ? d : d < 14 ? d - 8 : d - 14; }

static void push_bit(chip_t *c, int b) {
	if (c->nbits >= MAX_BITS) return;
	if (b) c->bits[c->nbits / 8] |= 0x80 >> (c->nbits % 8);
	c->nbits++;
}

static void latch(chip_t *c) {
	printf("LATCH %d %d ", c->cs, c->nbits);
	for (int i = 0; i < (c->nbits + 7) / 8; i++) printf("%02x", c->bits[i]);
	printf(" %llu %llu\n", (unsigned long long)avr->cycle, (unsigned long long)(avr->cycle - c->since));
	fflush(stdout);
}

static void pin_changed(struct avr_irq_t *irq, uint32_t value, void *param) {
	(void)irq;
	int d = (int)(intptr_t)param;
	int prev = level[d];
	int v = value ? 1 : 0;
	level[d] = v;
	if (prev == v) return;
	int chain_pin = 0;
	for (int i = 0; i < nchips; i++) {
		chip_t *c = &chips[i];
		if (d == c->cs || d == c->din || d == c->clk) chain_pin = 1;
	}
	/* Outputs other than the chains' (a pad's lamps) are reported as they change. */
	if (!chain_pin && !(d >= 10 && d <= 13 && (avr->data[0x4c] /* SPCR: SPI on */ & 0x40))) {
		uint8_t ddr = avr->data[d < 8 ? 0x2a : d < 14 ? 0x24 : 0x27];
		if (ddr & (1 << bit_of(d))) { printf("PIN %d %d\n", d, v); fflush(stdout); }
	}
	for (int i = 0; i < nchips; i++) {
		chip_t *c = &chips[i];
		if (d == c->cs) {
			if (!v) { c->selected = 1; c->nbits = 0; c->since = avr->cycle; memset(c->bits, 0, sizeof c->bits); }
			else if (c->selected) { c->selected = 0; latch(c); }
		} else if (d == c->clk && v && c->selected) {
			push_bit(c, level[c->din]);
		}
	}
}

/* A byte the SPI peripheral shifted out (MOSI D11, SCK D13). */
static void spi_out(struct avr_irq_t *irq, uint32_t value, void *param) {
	(void)irq; (void)param;
	for (int i = 0; i < nchips; i++) {
		chip_t *c = &chips[i];
		if (!c->selected || c->din != 11 || c->clk != 13) continue;
		for (int b = 7; b >= 0; b--) push_bit(c, (value >> b) & 1);
	}
}

static void uart_out(struct avr_irq_t *irq, uint32_t value, void *param) {
	(void)irq; (void)param;
	uint8_t b = value;
	/* Nobody reading the port: the byte is lost, as on a real line. */
	if (write(master_fd, &b, 1) < 0 && errno != EAGAIN) { /* the port closed */ }
}

static void uart_xon_hook(struct avr_irq_t *irq, uint32_t value, void *param) { (void)irq; (void)value; (void)param; uart_xon = 1; }
static void uart_xoff_hook(struct avr_irq_t *irq, uint32_t value, void *param) { (void)irq; (void)value; (void)param; uart_xon = 0; }

static int held[20];                /* -1: not held from outside, else the level */
static avr_cycle_count_t release_at[20];   /* a press ends at this cycle (0: none) */

/* Every reset of the AVR, ours ("reset") or its own (the watchdog): a line for the log. */
static void (*mcu_reset)(struct avr_t *avr);
static int commanded_reset;
static void reset_hook(struct avr_t *a) {
	if (mcu_reset) mcu_reset(a);
	if (!commanded_reset) { printf("BOOT watchdog\n"); fflush(stdout); }
}


static void drive(int d, int v) {
	if (d < 0 || d > 19) return;
	held[d] = v ? 1 : 0;
	/* The level the pin takes whenever it is an input, also after the AVR drove it. */
	char port = port_of(d);
	avr_ioport_external_t e = { .name = port, .mask = 0, .value = 0 };
	for (int i = 0; i < 20; i++) {
		if (held[i] < 0 || port_of(i) != port) continue;
		e.mask |= 1 << bit_of(i);
		if (held[i]) e.value |= 1 << bit_of(i);
	}
	avr_ioctl(avr, AVR_IOCTL_IOPORT_SET_EXTERNAL(port), &e);
	avr_raise_irq(avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ(port), bit_of(d)), held[d]);
}

static int command(char *line) {
	int a, b, c;
	if (sscanf(line, "chip %d %d %d", &a, &b, &c) == 3 && nchips < MAX_CHIPS) {
		chips[nchips].cs = a; chips[nchips].din = b; chips[nchips].clk = c;
		chips[nchips].selected = 0; chips[nchips].nbits = 0;
		nchips++;
	} else if (sscanf(line, "pin %d %d", &a, &b) == 2) {
		drive(a, b);
	} else if (sscanf(line, "press %d %d", &a, &b) == 2 && a >= 0 && a < 20) {
		drive(a, 0);
		release_at[a] = avr->cycle + (avr_cycle_count_t)b * (avr->frequency / 1000);
	} else if (sscanf(line, "adc %d %d", &a, &b) == 2 && a >= 0 && a < 6) {
		avr_raise_irq(avr_io_getirq(avr, AVR_IOCTL_ADC_GETIRQ, ADC_IRQ_ADC0 + a), b);
	} else if (strncmp(line, "reset", 5) == 0) {
		/* A press in progress goes on through the reset (the button does not care), in the
		   AVR's time: its end is kept relative, whatever avr_reset does to the cycle counter. */
		avr_cycle_count_t left[20];
		for (int i = 0; i < 20; i++) left[i] = release_at[i] > avr->cycle ? release_at[i] - avr->cycle : (release_at[i] ? 1 : 0);
		commanded_reset = 1;
		avr_reset(avr);
		commanded_reset = 0;
		for (int i = 0; i < 20; i++) release_at[i] = left[i] ? avr->cycle + left[i] : 0;
		avr->data[0x54] |= 1 << 1;   /* MCUSR.EXTRF: a reset from the RESET pin (Optiboot only waits for the flasher then) */
		for (int i = 0; i < 20; i++) if (held[i] >= 0) drive(i, held[i]);
		rx_len = rx_pos = 0;
		uart_xon = 1;
		for (int i = 0; i < nchips; i++) chips[i].selected = 0;
		printf("RESET\n");
		fflush(stdout);
	} else if (strncmp(line, "quit", 4) == 0) {
		return 1;
	} else {
		fprintf(stderr, "window-sim: unknown command \"%s\" (an old build? make -C firmware/arduino)\n", line);
	}
	return 0;
}

/*
 * The bootloader jumps to the sketch (address 0) after turning the watchdog off
 * (Optiboot's appStart: MCUSR = 0, then WDTCSR = WDCE|WDE, then 0). After a watchdog
 * reset simavr 1.6 keeps WDE set through that sequence, which a real ATmega328P does
 * not: the sketch (which has no watchdog handler) was reset every 16 ms, for ever.
 * So whenever the AVR comes to address 0 with MCUSR.WDRF clear, the watchdog is left
 * off, as on the chip. Only with --bootloader (our firmware never enables the watchdog).
 */
static avr_flashaddr_t boot_start;
static void sketch_started(void) {
	if (!(avr->data[0x54] & (1 << 3)) && (avr->data[0x60] & ((1 << 3) | (1 << 6)))) avr->data[0x60] = 0;
}

static char cmdbuf[256];
static size_t cmdlen;

/*
 * Pins held from outside read their level whenever the AVR does not drive them:
 * after the AVR drove one (e.g. all pins are outputs after a reset) and let go,
 * simavr 1.6 keeps the driven level, so put the held one back.
 */
static void hold_inputs(void) {
	for (int d = 2; d < 20; d++) {
		if (held[d] < 0) continue;
		uint8_t ddr = avr->data[d < 8 ? 0x2a : d < 14 ? 0x24 : 0x27];
		uint8_t pin = avr->data[d < 8 ? 0x29 : d < 14 ? 0x23 : 0x26];
		int b = bit_of(d);
		if (!(ddr & (1 << b)) && ((pin >> b) & 1) != held[d]) drive(d, held[d]);
	}
}

/* Reads stdin commands and pty bytes without blocking; returns 1 to quit. */
static int pump(void) {
	for (int d = 0; d < 20; d++) if (release_at[d] && avr->cycle >= release_at[d]) {
		release_at[d] = 0;
		drive(d, 1);
		printf("RELEASED %d\n", d);
		fflush(stdout);
	}
	hold_inputs();
	struct pollfd p[2] = { { 0, POLLIN, 0 }, { master_fd, POLLIN, 0 } };
	if (poll(p, 2, 0) > 0) {
		if (p[0].revents & (POLLIN | POLLHUP)) {
			char ch;
			ssize_t n = read(0, &ch, 1);
			if (n <= 0) return 1;   /* the test went away */
			if (ch == '\n') { cmdbuf[cmdlen] = 0; cmdlen = 0; if (command(cmdbuf)) return 1; }
			else if (cmdlen < sizeof cmdbuf - 1) cmdbuf[cmdlen++] = ch;
		}
		if ((p[1].revents & POLLIN) && rx_pos == rx_len) {
			ssize_t n = read(master_fd, rx, sizeof rx);
			if (n > 0) { rx_len = n; rx_pos = 0; }
		}
	}
	/* Hand bytes to the UART while its receive FIFO has room; it delivers them at the baud rate. */
	static avr_cycle_count_t last_rx;
	if (rx_pos < rx_len && uart_xon && avr->cycle - last_rx > 320000) { printf("RX %llu\n", (unsigned long long)avr->cycle); fflush(stdout); }
	while (rx_pos < rx_len && uart_xon) { avr_raise_irq(uart_in, rx[rx_pos++]); last_rx = avr->cycle; }
	return 0;
}

static uint64_t now_ns(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + t.tv_nsec;
}

int main(int argc, char **argv) {
	const char *app = NULL, *boot = NULL;
	int realtime = 1;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--fast") == 0) realtime = 0;
		else if (strcmp(argv[i], "--bootloader") == 0 && i + 1 < argc) boot = argv[++i];
		else app = argv[i];
	}
	if (!app) { fprintf(stderr, "usage: window-sim FIRMWARE.hex|- [--bootloader BOOT.hex] [--fast]\n"); return 2; }

	avr = avr_make_mcu_by_name("atmega328p");
	if (!avr) { fprintf(stderr, "window-sim: simavr has no atmega328p\n"); return 1; }
	avr_init(avr);
	avr->frequency = 16000000;
	avr->vcc = avr->avcc = avr->aref = 5000;   /* a 5 V Uno/Nano: analogRead's reference */
	avr->log = 0;
	memset(avr->flash, 0xff, avr->flashend + 1);   /* erased, as a new chip's flash */
	if (strcmp(app, "-") != 0) {                   /* "-": no sketch yet (a bootloader will write one) */
		uint32_t size = 0, start = 0;
		uint8_t *image = read_ihex_file(app, &size, &start);
		if (!image) { fprintf(stderr, "window-sim: cannot read %s\n", app); return 1; }
		memcpy(avr->flash, image, size);
		free(image);
	}
	if (boot) {
		/* A bootloader (Debian's Optiboot) at the top of the flash; reset starts it (BOOTRST). */
		ihex_chunk_p chunks = NULL;
		int n = read_ihex_chunks(boot, &chunks);
		if (n <= 0) { fprintf(stderr, "window-sim: cannot read %s\n", boot); return 1; }
		for (int i = 0; i < n; i++) memcpy(avr->flash + chunks[i].baseaddr, chunks[i].data, chunks[i].size);
		avr->reset_pc = avr->pc = boot_start = chunks[0].baseaddr;
		free_ihex_chunks(chunks);
	}
	avr->codeend = avr->flashend;
	mcu_reset = avr->reset;
	avr->reset = reset_hook;

	struct termios raw;
	memset(&raw, 0, sizeof raw);
	cfmakeraw(&raw);
	cfsetspeed(&raw, B57600);
	char name[128];
	if (openpty(&master_fd, &slave_fd, name, &raw, NULL) < 0) { perror("window-sim: openpty"); return 1; }
	fcntl(master_fd, F_SETFL, O_NONBLOCK);
	/* slave_fd stays open so the master never reads EIO between two users of the port. */

	uint32_t flags = 0;
	avr_ioctl(avr, AVR_IOCTL_UART_GET_FLAGS('0'), &flags);
	flags &= ~(AVR_UART_FLAG_STDIO | AVR_UART_FLAG_POLL_SLEEP);
	avr_ioctl(avr, AVR_IOCTL_UART_SET_FLAGS('0'), &flags);
	uart_in = avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_INPUT);
	avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUTPUT), uart_out, NULL);
	avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XON), uart_xon_hook, NULL);
	avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XOFF), uart_xoff_hook, NULL);
	avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_SPI_GETIRQ(0), SPI_IRQ_OUTPUT), spi_out, NULL);
	for (int d = 2; d < 20; d++) {
		avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ(port_of(d)), bit_of(d)), pin_changed, (void *)(intptr_t)d);
	}

	for (int i = 0; i < 20; i++) held[i] = -1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("READY %s\n", name);
	fflush(stdout);

	uint64_t wall0 = now_ns();
	avr_cycle_count_t cyc0 = avr->cycle;
	for (;;) {
		for (int i = 0; i < 2000; i++) {
			avr_flashaddr_t was = avr->pc;
			int state = avr_run(avr);
			if (boot_start && avr->pc == 0 && was != 0) sketch_started();
			if (state == cpu_Done || state == cpu_Crashed) {
				fprintf(stderr, "window-sim: the AVR stopped (state %d)\n", state);
				return 1;
			}
		}
		if (pump()) break;
		if (!realtime) continue;
		if (avr->cycle < cyc0) { cyc0 = avr->cycle; wall0 = now_ns(); }   /* reset */
		uint64_t sim_ns = (uint64_t)((avr->cycle - cyc0) * (1000000000.0 / avr->frequency));
		uint64_t wall = now_ns() - wall0;
		/* Fallen behind (a busy host): carry on from here rather than race to catch up,
		   so the AVR's time never runs faster than the wall clock. */
		if (wall > sim_ns + 5000000) { cyc0 = avr->cycle; wall0 = now_ns(); continue; }
		if (sim_ns > wall + 1000000) {
			struct timespec t = { 0, (long)(sim_ns - wall) };
			nanosleep(&t, NULL);
		}
	}
	return 0;
}
