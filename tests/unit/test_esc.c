/*
 * Unit tests for esc: every class of hidden character, strict UTF-8 and
 * truncation that never cuts an escape in half.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "esc.h"

/* Escapes `len` bytes with no cap and checks the result. */
static void
check(const char *in, size_t len, const char *want)
{
	char *out;

	out = esc_text(in, len, 0);
	assert_non_null(out);
	assert_string_equal(out, want);
	free(out);
}

#define CHECK(lit, want) check((lit), sizeof (lit) - 1, (want))

static void
test_plain_text_kept(void **state)
{
	(void)state;
	CHECK("", "");
	CHECK("hello, world", "hello, world");
	CHECK("a\\b ~!@#$%^&*()", "a\\b ~!@#$%^&*()");
}

static void
test_c0_controls(void **state)
{
	(void)state;
	CHECK("a\nb", "a\\nb");
	CHECK("a\rb", "a\\rb");
	CHECK("a\tb", "a\\tb");
	CHECK("\x1b[2J", "\\e[2J");
	CHECK("\x1b]52;c;SGVsbG8=\x07", "\\e]52;c;SGVsbG8=\\x07");
	CHECK("nul\0here", "nul\\x00here");
	CHECK("\x01\x1f", "\\x01\\x1f");
}

static void
test_del_and_c1_controls(void **state)
{
	(void)state;
	CHECK("a\x7f" "b", "a\\x7fb");
	/* U+009B is the 8-bit CSI; U+0085 is NEL. */
	CHECK("\xc2\x9b" "2J", "\\u{009B}2J");
	CHECK("\xc2\x85", "\\u{0085}");
	CHECK("\xc2\x80\xc2\x9f", "\\u{0080}\\u{009F}");
	/* U+00A0 is past the C1 range and kept. */
	CHECK("\xc2\xa0", "\xc2\xa0");
}

static void
test_bidi_overrides_and_isolates(void **state)
{
	(void)state;
	CHECK("abc\xe2\x80\xae" "fdp.exe", "abc\\u{202E}fdp.exe");
	CHECK("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad",
	    "\\u{202A}\\u{202B}\\u{202C}\\u{202D}");
	CHECK("\xe2\x81\xa6x\xe2\x81\xa9", "\\u{2066}x\\u{2069}");
	CHECK("\xe2\x81\xa7\xe2\x81\xa8", "\\u{2067}\\u{2068}");
	/* Neighbours of the ranges are ordinary text. */
	CHECK("\xe2\x80\xa9\xe2\x80\xaf", "\xe2\x80\xa9\xe2\x80\xaf");
	CHECK("\xe2\x81\xa5\xe2\x81\xaa", "\xe2\x81\xa5\xe2\x81\xaa");
}

static void
test_valid_utf8_kept(void **state)
{
	(void)state;
	CHECK("caf\xc3\xa9", "caf\xc3\xa9");
	CHECK("\xe6\x97\xa5\xe6\x9c\xac", "\xe6\x97\xa5\xe6\x9c\xac");
	CHECK("\xf0\x9f\x94\x92 lock", "\xf0\x9f\x94\x92 lock");
	CHECK("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf");
}

static void
test_invalid_utf8_escaped(void **state)
{
	(void)state;
	CHECK("\xff", "\\xff");
	CHECK("a\xff" "b", "a\\xffb");
	/* Overlong '/' and overlong CSI. */
	CHECK("\xc0\xaf", "\\xc0\\xaf");
	CHECK("\xc1\x9b", "\\xc1\\x9b");
	CHECK("\xe0\x80\xaf", "\\xe0\\x80\\xaf");
	CHECK("\xf0\x80\x80\xaf", "\\xf0\\x80\\x80\\xaf");
	/* A UTF-16 surrogate encoded in UTF-8. */
	CHECK("\xed\xa0\x80", "\\xed\\xa0\\x80");
	/* Past U+10FFFF, a lone continuation byte, a cut sequence. */
	CHECK("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");
	CHECK("\x9b", "\\x9b");
	CHECK("\xc3", "\\xc3");
	CHECK("\xe6\x97" "a", "\\xe6\\x97a");
}

static void
test_truncation_marks_and_keeps_escapes_whole(void **state)
{
	char buf[8];
	char *out;

	(void)state;
	out = esc_text("abcdefghij", 10, 6);
	assert_non_null(out);
	assert_string_equal(out, "abc\xe2\x80\xa6");
	free(out);
	/* Exactly at the cap: nothing is cut, no ellipsis. */
	out = esc_text("abcdef", 6, 6);
	assert_string_equal(out, "abcdef");
	free(out);
	/* "\e" would straddle the cap, so it goes whole. */
	out = esc_text("ab\x1b" "cdefgh", 9, 6);
	assert_string_equal(out, "ab\xe2\x80\xa6");
	free(out);
	/* A multibyte character is never split. */
	out = esc_text("a\xe6\x97\xa5\xe6\x9c\xac", 7, 6);
	assert_string_equal(out, "a\xe2\x80\xa6");
	free(out);

	esc_buf("0123456789", 10, buf, sizeof buf);
	assert_string_equal(buf, "0123\xe2\x80\xa6");
	esc_buf("0123456", 7, buf, sizeof buf);
	assert_string_equal(buf, "0123456");
	esc_buf("\n\n\n\n", 4, buf, sizeof buf);
	assert_string_equal(buf, "\\n\\n\xe2\x80\xa6");
	/* Too small for the ellipsis: cut short, still terminated. */
	esc_buf("abcdef", 6, buf, 3);
	assert_string_equal(buf, "ab");
	esc_buf("abc", 3, buf, 1);
	assert_string_equal(buf, "");
}

static void
test_null_input_and_returned_pointer(void **state)
{
	char buf[4] = "xyz";

	(void)state;
	assert_ptr_equal(esc_buf(NULL, 5, buf, sizeof buf), buf);
	assert_string_equal(buf, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_text_kept),
		cmocka_unit_test(test_c0_controls),
		cmocka_unit_test(test_del_and_c1_controls),
		cmocka_unit_test(test_bidi_overrides_and_isolates),
		cmocka_unit_test(test_valid_utf8_kept),
		cmocka_unit_test(test_invalid_utf8_escaped),
		cmocka_unit_test(test_truncation_marks_and_keeps_escapes_whole),
		cmocka_unit_test(test_null_input_and_returned_pointer),
	};

	return cmocka_run_group_tests_name("esc", tests, NULL, NULL);
}
