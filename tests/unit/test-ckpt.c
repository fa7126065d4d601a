/* Unit tests of ckpt: encoding, atomic saves, generations, damage. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ckpt.h"
#include "tap.h"

static char dir[] = "/tmp/test-ckpt.XXXXXX";
static char path[256];

static int file_exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0;
}

/* Overwrites one byte of a file. */
static void poke(const char *p, long off, char c)
{
	int fd = open(p, O_WRONLY);

	if (fd < 0 || pwrite(fd, &c, 1, off) != 1)
		perror(p);
	if (fd >= 0)
		close(fd);
}

static void test_encoding(void)
{
	struct buf b = {0};
	struct ckpt_rd r;
	const char *s;
	size_t len;

	ok(ckpt_crc32(0, "123456789", 9) == 0xCBF43926u, "crc32 check value");
	ckpt_put_u64(&b, 0x0102030405060708ULL);
	ckpt_put_i64(&b, -5);
	ckpt_put_f64(&b, 0.1);
	ckpt_put_str(&b, "key", 3);
	ok(b.len == 8 + 8 + 8 + 8 + 3 && (unsigned char)b.p[0] == 0x08,
	   "little-endian layout");
	ckpt_rd_init(&r, b.p, b.len);
	ok(ckpt_get_u64(&r) == 0x0102030405060708ULL, "u64 back");
	ok(ckpt_get_i64(&r) == -5, "i64 back");
	ok(ckpt_get_f64(&r) == 0.1, "f64 back exactly");
	s = ckpt_get_str(&r, &len);
	ok(s != NULL && len == 3 && memcmp(s, "key", 3) == 0 && r.ok &&
	   r.off == r.len, "string back");
	ok(ckpt_get_u64(&r) == 0 && !r.ok, "reading past the end fails");
	ckpt_rd_init(&r, b.p, b.len - 1);
	ckpt_get_u64(&r), ckpt_get_u64(&r), ckpt_get_u64(&r);
	ok(ckpt_get_str(&r, &len) == NULL && !r.ok && len == 0,
	   "a short string fails");
	buf_free(&b);
}

static void test_files(void)
{
	struct ckpt c;
	struct buf d = {0};
	char err[256], prev[300];

	snprintf(path, sizeof path, "%s/state", dir);
	snprintf(prev, sizeof prev, "%s/state.prev", dir);
	ok(ckpt_init(&c, path, err, sizeof err) == 0, "init");
	ok(ckpt_load(&c, &d, err, sizeof err) == CKPT_NONE, "no file yet");
	ok(ckpt_save(&c, "one", 3, err, sizeof err) == 0, "first save");
	ok(!file_exists(prev), "no previous generation after the first save");
	ok(ckpt_save(&c, "two!", 4, err, sizeof err) == 0, "second save");
	ok(file_exists(prev), "the first save is kept as .prev");
	ok(ckpt_load(&c, &d, err, sizeof err) == CKPT_OK && d.len == 4 &&
	   memcmp(d.p, "two!", 4) == 0, "load gives the newest");

	poke(path, 25, 'X');
	ok(ckpt_load(&c, &d, err, sizeof err) == CKPT_PREV &&
	   strcmp(err, "checksum mismatch") == 0 && d.len == 3 &&
	   memcmp(d.p, "one", 3) == 0, "damage falls back to .prev: %s", err);
	ok(ckpt_save(&c, "three", 5, err, sizeof err) == 0, "save after damage");
	ok(ckpt_load(&c, &d, err, sizeof err) == CKPT_OK && d.len == 5,
	   "the damaged file was replaced");
	c.cur_good = 0;
	ok(ckpt_load(&c, &d, err, sizeof err) == CKPT_OK, "reload");
	poke(path, 0, 'r');
	poke(prev, 9, 7);
	ok(ckpt_load(&c, &d, err, sizeof err) == CKPT_BAD &&
	   strcmp(err, "not a checkpoint file") == 0 && d.len == 0,
	   "both damaged: %s", err);
	if (truncate(path, 0) == 0)
		ok(ckpt_load(&c, &d, err, sizeof err) == CKPT_BAD &&
		   strcmp(err, "truncated (0 bytes)") == 0, "empty: %s", err);
	ckpt_free(&c);

	snprintf(path, sizeof path, "%s/none/state", dir);
	ok(ckpt_init(&c, path, err, sizeof err) == 0, "init in a missing dir");
	ok(ckpt_save(&c, "x", 1, err, sizeof err) < 0 &&
	   strstr(err, "cannot write '") == err &&
	   strstr(err, "No such file or directory") != NULL, "%s", err);
	ckpt_free(&c);
	buf_free(&d);
}

int main(void)
{
	char cmd[300];

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_encoding();
	test_files();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	return tap_done();
}
