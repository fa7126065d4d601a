#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ckpt.h"

#define HDR_LEN 24
static const char magic[8] = "RTPCKPT\n";

static char *with_suffix(const char *path, const char *suffix)
{
	size_t n = strlen(path), m = strlen(suffix);
	char *s = malloc(n + m + 1);

	if (s != NULL) {
		memcpy(s, path, n);
		memcpy(s + n, suffix, m + 1);
	}
	return s;
}

int ckpt_init(struct ckpt *c, const char *path, char *err, size_t errlen)
{
	memset(c, 0, sizeof *c);
	c->path = with_suffix(path, "");
	c->tmp = with_suffix(path, ".tmp");
	c->prev = with_suffix(path, ".prev");
	c->prevtmp = with_suffix(path, ".prev.tmp");
	if (!c->path || !c->tmp || !c->prev || !c->prevtmp) {
		ckpt_free(c);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

void ckpt_free(struct ckpt *c)
{
	free(c->path);
	free(c->tmp);
	free(c->prev);
	free(c->prevtmp);
	memset(c, 0, sizeof *c);
}

uint32_t ckpt_crc32(uint32_t crc, const void *p, size_t len)
{
	static uint32_t table[256];
	const unsigned char *s = p;
	uint32_t i, j, x;

	if (table[1] == 0) {
		for (i = 0; i < 256; i++) {
			for (x = i, j = 0; j < 8; j++)
				x = (x >> 1) ^ (0xEDB88320u & (0u - (x & 1)));
			table[i] = x;
		}
	}
	crc = ~crc;
	while (len-- > 0)
		crc = table[(crc ^ *s++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static void le64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le(const unsigned char *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static int write_all(int fd, const void *p, size_t n)
{
	const char *s = p;

	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Makes a rename in path's directory durable. */
static int sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd, rc;

	if (slash == NULL)
		dir = with_suffix(".", "");
	else if (slash == path)
		dir = with_suffix("/", "");
	else if ((dir = with_suffix(path, "")) != NULL)
		dir[slash - path] = '\0';
	if (dir == NULL) {
		errno = ENOMEM;
		return -1;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	/* Some file systems cannot sync a directory; the rename stands. */
	if (rc < 0 && (errno == EINVAL || errno == EROFS))
		rc = 0;
	close(fd);
	return rc;
}

static int write_tmp(const struct ckpt *c, const void *data, size_t len)
{
	unsigned char hdr[HDR_LEN];
	int fd, e;

	memcpy(hdr, magic, 8);
	hdr[8] = CKPT_VERSION, hdr[9] = 0, hdr[10] = 0, hdr[11] = 0;
	{
		uint32_t crc = ckpt_crc32(0, data, len);
		int i;

		for (i = 0; i < 4; i++)
			hdr[12 + i] = (unsigned char)(crc >> (8 * i));
	}
	le64(hdr + 16, len);
	fd = open(c->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0)
		return -1;
	if (write_all(fd, hdr, HDR_LEN) < 0 || write_all(fd, data, len) < 0 ||
	    fsync(fd) < 0) {
		e = errno;
		close(fd);
		unlink(c->tmp);
		errno = e;
		return -1;
	}
	if (close(fd) < 0) {
		e = errno;
		unlink(c->tmp);
		errno = e;
		return -1;
	}
	return 0;
}

/* Keeps the current good checkpoint as PATH.prev.  Where hard links are
 * not possible the old PATH.prev stays: an older state, but a valid one. */
static void keep_prev(const struct ckpt *c)
{
	if (!c->cur_good)
		return;
	unlink(c->prevtmp);
	if (link(c->path, c->prevtmp) < 0)
		return;
	if (rename(c->prevtmp, c->prev) < 0)
		unlink(c->prevtmp);
}

int ckpt_save(struct ckpt *c, const void *data, size_t len,
              char *err, size_t errlen)
{
	if (write_tmp(c, data, len) < 0) {
		snprintf(err, errlen, "cannot write '%s': %s", c->tmp,
		         strerror(errno));
		return -1;
	}
	keep_prev(c);
	if (rename(c->tmp, c->path) < 0) {
		int e = errno;

		unlink(c->tmp);
		snprintf(err, errlen, "cannot rename '%s': %s", c->tmp,
		         strerror(e));
		return -1;
	}
	c->cur_good = 1;
	if (sync_dir(c->path) < 0) {
		snprintf(err, errlen, "cannot sync the directory of '%s': %s",
		         c->path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Reads a whole file into data; 0, or -1 with errno set. */
static int read_file(int fd, struct buf *data)
{
	ssize_t n;

	for (;;) {
		if (buf_reserve(data, 65536) < 0) {
			errno = ENOMEM;
			return -1;
		}
		n = read(fd, data->p + data->len, data->cap - data->len);
		if (n == 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -1;
		if (n > 0)
			data->len += (size_t)n;
	}
}

/* Checks the header and checksum of a file read into data and leaves the
 * payload alone in it: CKPT_OK, or CKPT_BAD with the reason in err. */
static int check(struct buf *data, char *err, size_t errlen)
{
	size_t have = data->len < 8 ? data->len : 8;
	uint64_t want, version;
	uint32_t crc;

	if (memcmp(data->p, magic, have) != 0) {
		snprintf(err, errlen, "not a checkpoint file");
		return CKPT_BAD;
	}
	if (data->len < HDR_LEN) {
		snprintf(err, errlen, "truncated (%zu bytes)", data->len);
		return CKPT_BAD;
	}
	version = get_le((unsigned char *)data->p + 8, 4);
	crc = (uint32_t)get_le((unsigned char *)data->p + 12, 4);
	want = get_le((unsigned char *)data->p + 16, 8);
	if (version != CKPT_VERSION) {
		snprintf(err, errlen, "unsupported checkpoint version %llu",
		         (unsigned long long)version);
		return CKPT_BAD;
	}
	if (data->len - HDR_LEN != want) {
		snprintf(err, errlen, "%s (%zu of %llu bytes)",
		         data->len - HDR_LEN < want ? "truncated" : "trailing data",
		         data->len - HDR_LEN, (unsigned long long)want);
		return CKPT_BAD;
	}
	if (ckpt_crc32(0, data->p + HDR_LEN, data->len - HDR_LEN) != crc) {
		snprintf(err, errlen, "checksum mismatch");
		return CKPT_BAD;
	}
	memmove(data->p, data->p + HDR_LEN, data->len - HDR_LEN);
	data->len -= HDR_LEN;
	return CKPT_OK;
}

/* Reads and checks one file: CKPT_OK, CKPT_NONE (absent) or CKPT_BAD. */
static int load_file(const char *path, struct buf *data, char *err,
                     size_t errlen)
{
	int fd, rc;

	data->len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return CKPT_NONE;
		snprintf(err, errlen, "%s", strerror(errno));
		return CKPT_BAD;
	}
	rc = read_file(fd, data);
	if (rc < 0)
		snprintf(err, errlen, "%s", strerror(errno));
	close(fd);
	return rc < 0 ? CKPT_BAD : check(data, err, errlen);
}

int ckpt_load(struct ckpt *c, struct buf *data, char *err, size_t errlen)
{
	char perr[128];
	int rc;

	c->cur_good = 0;
	rc = load_file(c->path, data, err, errlen);
	if (rc == CKPT_OK)
		c->cur_good = 1;
	if (rc != CKPT_BAD)
		return rc;
	if (load_file(c->prev, data, perr, sizeof perr) == CKPT_OK)
		return CKPT_PREV;
	data->len = 0;
	return CKPT_BAD;
}

int ckpt_put_u64(struct buf *b, uint64_t v)
{
	unsigned char p[8];

	le64(p, v);
	return buf_add(b, p, 8);
}

int ckpt_put_i64(struct buf *b, int64_t v)
{
	return ckpt_put_u64(b, (uint64_t)v);
}

int ckpt_put_f64(struct buf *b, double v)
{
	uint64_t u;

	memcpy(&u, &v, 8);
	return ckpt_put_u64(b, u);
}

int ckpt_put_str(struct buf *b, const void *p, size_t len)
{
	if (ckpt_put_u64(b, len) < 0)
		return -1;
	return buf_add(b, p, len);
}

void ckpt_rd_init(struct ckpt_rd *r, const void *p, size_t len)
{
	r->p = p;
	r->len = len;
	r->off = 0;
	r->ok = 1;
}

uint64_t ckpt_get_u64(struct ckpt_rd *r)
{
	uint64_t v;

	if (!r->ok || r->len - r->off < 8) {
		r->ok = 0;
		return 0;
	}
	v = get_le(r->p + r->off, 8);
	r->off += 8;
	return v;
}

int64_t ckpt_get_i64(struct ckpt_rd *r)
{
	return (int64_t)ckpt_get_u64(r);
}

double ckpt_get_f64(struct ckpt_rd *r)
{
	uint64_t u = ckpt_get_u64(r);
	double v;

	memcpy(&v, &u, 8);
	return v;
}

const char *ckpt_get_str(struct ckpt_rd *r, size_t *len)
{
	uint64_t n = ckpt_get_u64(r);
	const char *s;

	if (!r->ok || r->len - r->off < n) {
		r->ok = 0;
		*len = 0;
		return NULL;
	}
	s = (const char *)r->p + r->off;
	r->off += (size_t)n;
	*len = (size_t)n;
	return s;
}
