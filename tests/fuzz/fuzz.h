/*
 * fuzz: what every harness in tests/fuzz shares.
 *
 * A harness defines LLVMFuzzerTestOneInput() (and LLVMFuzzerInitialize()
 * when it needs set-up) and is linked two ways: with libFuzzer by
 * `make fuzz`, and with replay.c for `make check`, which runs every saved
 * input through it. Harnesses check what the engine promises, not only that
 * it survives: a broken promise is reported by fuzz_fail(), which aborts so
 * that both libFuzzer and the replay count it as a crash.
 */
#ifndef CERTDECK_FUZZ_H
#define CERTDECK_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* libFuzzer's entry points; the harness defines the first, and the second
 * only when it needs set-up. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Prints "fuzz: WHAT" to stderr and aborts: a promise the engine made was
 * broken by the current input. */
void fuzz_fail(const char *what) __attribute__((noreturn));

/* Aborts through fuzz_fail() with `what` unless `cond` holds. */
#define FUZZ_CHECK(cond, what) do {					\
	if (!(cond))							\
		fuzz_fail(what);					\
} while (0)

/* Copies `size` bytes into a new NUL-terminated string (inputs are not
 * NUL-terminated and may hold NUL); aborts on allocation failure, which
 * only a runaway input size can cause. Caller frees. */
char *fuzz_strndup(const uint8_t *data, size_t size);

/* Aborts through fuzz_fail() with `what` unless `s` is NUL-terminated
 * within `outsz` bytes and holds no C0 control, DEL, C1 control or bidi
 * override/isolate: what esc.h promises of every escaped text. */
void fuzz_check_escaped(const char *s, size_t outsz, const char *what);

/* LeakSanitizer's suppressions: leaks inside libraries, not the engine. */
const char *__lsan_default_suppressions(void);

#endif
